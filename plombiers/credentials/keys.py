"""The schools' signing keys. The private key of each `IssuerKey` is a PKCS#8 PEM file in
`settings.CREDENTIAL_KEYS_DIR/<school slug>/<public key multibase>.pem` (folders 0700, files 0600),
never in the database. Production points `CREDENTIAL_KEYS_DIR` at a secret volume outside the data
folder."""

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from plombiers.lib.private_files import private_dir
from plombiers.lib.text import de
from plombiers.network.models import School
from plombiers.privacy.services import audit_log

from .models import IssuerKey
from .proof import public_key_multibase


class MissingPrivateKey(RuntimeError):
    pass


def _path(key: IssuerKey) -> Path:
    return Path(settings.CREDENTIAL_KEYS_DIR) / key.school.slug / f"{key.public_key_multibase}.pem"


def _write(path: Path, private_key: Ed25519PrivateKey) -> None:
    # The keys' folder and each school's are 0700 (`mkdir(parents=True)` made the parents with the
    # umask's mode, world-readable), the key 0600.
    private_dir(Path(settings.CREDENTIAL_KEYS_DIR))
    private_dir(path.parent)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)


def private_key(key: IssuerKey) -> Ed25519PrivateKey:
    try:
        data = _path(key).read_bytes()
    except FileNotFoundError as error:
        raise MissingPrivateKey(
            f"La clé privée de signature {de(key.school)} est introuvable dans {settings.CREDENTIAL_KEYS_DIR}."
        ) from error
    loaded = serialization.load_pem_private_key(data, password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise MissingPrivateKey(f"La clé de signature {de(key.school)} n'est pas une clé Ed25519.")
    return loaded


def _create(school: School) -> IssuerKey:
    secret = Ed25519PrivateKey.generate()
    key = IssuerKey(school=school, public_key_multibase=public_key_multibase(secret.public_key()))
    _write(_path(key), secret)
    key.save()
    return key


@transaction.atomic
def current_key(school: School) -> IssuerKey:
    """The school's key in use, created on first need."""
    School.objects.select_for_update().filter(pk=school.pk).first()
    key = IssuerKey.objects.filter(school=school, retired_at__isnull=True).select_related("school").first()
    return key or _create(school)


@transaction.atomic
def key_rotate(school: School, *, by=None) -> IssuerKey:
    """A new signing key for the school; the old one stays published, so that what it signed
    still verifies."""
    School.objects.select_for_update().filter(pk=school.pk).first()
    IssuerKey.objects.filter(school=school, retired_at__isnull=True).update(retired_at=timezone.now())
    key = _create(school)
    audit_log(actor=by, action="credentials.key_rotate", obj=key, school=school)
    return key
