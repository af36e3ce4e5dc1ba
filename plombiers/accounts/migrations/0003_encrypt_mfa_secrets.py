"""TOTP secrets and recovery-code seeds were stored in clear (allauth's default): encrypt them with
the application's Fernet keys, as `accounts.adapters.MFAAdapter` now does for new ones."""

from django.db import migrations

from plombiers.privacy import crypto

FIELDS = {"totp": ["secret"], "recovery_codes": ["seed"]}


def _is_token(value: str) -> bool:
    try:
        crypto.decrypt(value)
    except (ValueError, TypeError):
        return False
    return True


def encrypt(apps, schema_editor):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=list(FIELDS)).iterator():
        data, changed = dict(authenticator.data), False
        for name in FIELDS[authenticator.type]:
            if isinstance(data.get(name), str) and not _is_token(data[name]):
                data[name], changed = crypto.encrypt(data[name]), True
        codes = data.get("migrated_codes")
        if isinstance(codes, list):
            data["migrated_codes"] = [c if _is_token(c) else crypto.encrypt(c) for c in codes]
            changed = True
        if changed:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


def decrypt(apps, schema_editor):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=list(FIELDS)).iterator():
        data = dict(authenticator.data)
        for name in FIELDS[authenticator.type]:
            if isinstance(data.get(name), str) and _is_token(data[name]):
                data[name] = crypto.decrypt(data[name])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [crypto.decrypt(c) if _is_token(c) else c for c in data["migrated_codes"]]
        Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_security_tokens_throttle_mfa"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
