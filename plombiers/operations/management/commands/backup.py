from django.core.management.base import BaseCommand, CommandError

from plombiers.operations.backup import BackupError, backup
from plombiers.operations.passphrase import passphrase


class Command(BaseCommand):
    help = (
        "Sauvegarde en une archive : la base de données (instantané cohérent), les fichiers déposés, "
        "les clés publiques de signature et un manifeste (lignes par table, sommes SHA-256) ; avec "
        "--with-keys, les clés secrètes aussi, chiffrées par une phrase de passe "
        "(PLOMBIERS_BACKUP_PASSPHRASE, ou demandée)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="le fichier de sauvegarde à écrire (remplacé s'il existe)")
        parser.add_argument(
            "--with-keys",
            action="store_true",
            help="ajouter SECRET_KEY, les clés de chiffrement et les clés privées de signature, chiffrées",
        )

    def handle(self, *args, path, with_keys, **options):
        try:
            summary = backup(path, passphrase=passphrase(confirm=True) if with_keys else None)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Sauvegarde écrite dans {path} : {summary.tables} tables ({summary.rows} lignes), "
            f"{summary.media_files} fichiers ({summary.media_bytes / 1e6:.1f} Mo), "
            f"{summary.public_keys} clés publiques de signature, "
            + (
                "clés secrètes chiffrées incluses."
                if summary.keys
                else "sans les clés secrètes (--with-keys)."
            )
        )
