"""Encryption at rest of confidential texts: Fernet keys, rotated with MultiFernet.

Keys come from `FERNET_KEYS` (comma-separated, the first one encrypts), or from the file named by
`FERNET_KEYS_FILE` (a secret mounted outside the data folder, one key a line or comma-separated);
when neither is set, from a git-ignored key file in the data folder, made on first use (the
demo's) and readable by its owner only. Adding a key in front and running `plombiers rotate_keys`
re-encrypts everything with it; older keys keep decrypting until they are removed.
"""

import functools
import re
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

from plombiers.lib.private_files import private_file, secret


def _key_file() -> Path:
    return Path(settings.DATA_DIR) / ".fernet_keys"


def _keys_text() -> str:
    return secret("FERNET_KEYS") or private_file(_key_file(), lambda: Fernet.generate_key().decode() + "\n")


def _split(text: str) -> list[bytes]:
    return [key.encode() for key in re.split(r"[,\s]+", text) if key]


def load_keys() -> list[bytes]:
    return _split(_keys_text())


@functools.lru_cache(maxsize=8)
def _fernet(text: str) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in _split(text)])


def fernet() -> MultiFernet:
    """The keys of this moment (looked up at each call, the file read again only when it changed)."""
    return _fernet(_keys_text())


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ValueError("Texte chiffré illisible : clé manquante ?") from error


def rotate(token: str) -> str:
    return fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text stored as a Fernet token: the database never sees the plaintext."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)


# --- data migrations: a plain text field becoming an EncryptedTextField ------------------------


def _is_token(value: str) -> bool:
    try:
        fernet().decrypt(value.encode())
    except (InvalidToken, ValueError):
        return False
    return True


def _convert_column(model, fields: tuple[str, ...], convert, batch: int = 1000) -> None:
    """Rewrite `fields` of every row through `convert`, a batch of rows at a time (keyset pages:
    no cursor left open on the table being written, which SQLite would not isolate)."""
    manager, last = model._base_manager, 0
    while rows := list(manager.filter(pk__gt=last).only("pk", *fields).order_by("pk")[:batch]):
        last = rows[-1].pk
        changed = []
        for row in rows:
            values = {name: getattr(row, name) for name in fields}
            new = {name: convert(value) if value else value for name, value in values.items()}
            if new != values:
                for name, value in new.items():
                    setattr(row, name, value)
                changed.append(row)
        if changed:
            manager.bulk_update(changed, fields)


def encrypt_columns(model, *fields: str) -> None:
    """For a data migration run while `fields` are still plain text fields of the historical
    `model`: encrypt every value still in clear (a value that already decrypts is left alone, so
    running it twice changes nothing). The migration then turns the fields into
    EncryptedTextField, which reads the tokens back."""
    _convert_column(model, fields, lambda value: value if _is_token(value) else encrypt(value))


def decrypt_columns(model, *fields: str) -> None:
    """The way back (a migration reversed): the fields are plain text again, the tokens they hold
    become the clear text."""
    _convert_column(model, fields, lambda value: decrypt(value) if _is_token(value) else value)
