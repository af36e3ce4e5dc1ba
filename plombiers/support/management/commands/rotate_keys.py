from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from plombiers.support.crypto import EncryptedTextField


class Command(BaseCommand):
    help = (
        "Chiffre à nouveau tous les textes confidentiels avec la première clé de FERNET_KEYS "
        "(après avoir ajouté une nouvelle clé en tête) ; les anciennes clés peuvent ensuite être retirées."
    )

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            with transaction.atomic():
                # Reading decrypts with any known key; saving encrypts with the first one.
                rows = list(model._base_manager.select_for_update().only("pk", *fields))
                model._base_manager.bulk_update(rows, fields, batch_size=500)
            total += len(rows)
            self.stdout.write(f"{model._meta.verbose_name_plural} : {len(rows)} ligne(s) rechiffrée(s).")
        self.stdout.write(f"{total} ligne(s) rechiffrée(s) avec la clé principale.")
