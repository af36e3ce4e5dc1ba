from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from plombiers.privacy.crypto import EncryptedTextField, rotate

BATCH = 1000


def encrypted_fields() -> dict:
    """Every model with an encrypted text, and the names of those fields: the support journal,
    barriers and actions, and the free texts about a young person (referral motivation, drop-out
    details, alert notes, survey comments, exit and follow-up comments, internship texts)."""
    found = {}
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found[model] = fields
    return found


class Command(BaseCommand):
    help = (
        "Chiffre à nouveau tous les textes confidentiels avec la première clé de FERNET_KEYS "
        "(après avoir ajouté une nouvelle clé en tête) ; les anciennes clés peuvent ensuite être retirées."
    )

    def handle(self, *args, **options):
        total = 0
        for model, fields in encrypted_fields().items():
            count = 0
            # Rows whose every encrypted text is empty hold no token: nothing to rewrite.
            rows = model._base_manager.exclude(**dict.fromkeys(fields, "")).only("pk", *fields)
            with transaction.atomic():
                last = 0
                # Keyset pages, each locked: memory stays flat whatever the table's size.
                while batch := list(rows.filter(pk__gt=last).order_by("pk").select_for_update()[:BATCH]):
                    # Reading decrypts with any known key; saving encrypts with the first one.
                    model._base_manager.bulk_update(batch, fields)
                    last, count = batch[-1].pk, count + len(batch)
            total += count
            self.stdout.write(f"{model._meta.verbose_name_plural} : {count} ligne(s) rechiffrée(s).")
        count = rotate_authenticators()
        total += count
        self.stdout.write(f"double authentification : {count} secret(s) rechiffré(s).")
        self.stdout.write(f"{total} ligne(s) rechiffrée(s) avec la clé principale.")


#: The secrets allauth.mfa keeps in an authenticator's data, encrypted by `accounts.adapters.MFAAdapter`.
AUTHENTICATOR_SECRETS = {"totp": ["secret"], "recovery_codes": ["seed"]}


@transaction.atomic
def rotate_authenticators() -> int:
    from allauth.mfa.models import Authenticator

    count = 0
    for authenticator in Authenticator.objects.filter(
        type__in=list(AUTHENTICATOR_SECRETS)
    ).select_for_update():
        data = dict(authenticator.data)
        for name in AUTHENTICATOR_SECRETS[authenticator.type]:
            if data.get(name):
                data[name] = rotate(data[name])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [rotate(code) for code in data["migrated_codes"]]
        Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
        count += 1
    return count
