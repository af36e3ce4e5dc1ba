"""The passphrase of a backup's keys: PLOMBIERS_BACKUP_PASSPHRASE (or its _FILE), else asked."""

import getpass
import sys

from plombiers.lib.private_files import secret

from .backup import MIN_PASSPHRASE, BackupError

VARIABLE = "PLOMBIERS_BACKUP_PASSPHRASE"


def passphrase(*, confirm: bool) -> str:
    value = secret(VARIABLE)
    if value is None:
        if not sys.stdin.isatty():
            raise BackupError(
                f"Phrase de passe des clés : indiquez-la dans {VARIABLE} (ou {VARIABLE}_FILE), ou lancez "
                "la commande dans un terminal."
            )
        value = getpass.getpass("Phrase de passe des clés : ")
        if confirm and getpass.getpass("La même, une seconde fois : ") != value:
            raise BackupError("Les deux phrases de passe diffèrent.")
    if confirm and len(value) < MIN_PASSPHRASE:
        raise BackupError(f"Phrase de passe trop courte : au moins {MIN_PASSPHRASE} caractères.")
    return value
