from django.core.management.base import BaseCommand, CommandError

from plombiers.operations.backup import BackupError, restore
from plombiers.operations.passphrase import passphrase


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde de « plombiers backup » dans une base de données vide (sans table) et "
        "un dossier de fichiers vide : vérifie chaque somme de contrôle avant d'écrire, puis les comptes "
        "de lignes de chaque table, et dit ce qu'elle a restauré."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="le fichier de sauvegarde")
        parser.add_argument(
            "--skip-keys",
            action="store_true",
            help="ne pas restaurer les clés secrètes de l'archive (elles sont déjà en place)",
        )

    def handle(self, *args, path, skip_keys, **options):
        try:
            summary = restore(path, passphrase_for=lambda: passphrase(confirm=False), skip_keys=skip_keys)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restauré depuis {path} : {summary.tables} tables ({summary.rows} lignes, chaque compte "
            f"conforme au manifeste), {summary.media_files} fichiers ({summary.media_bytes / 1e6:.1f} Mo), "
            f"{summary.public_keys} clés publiques de signature ; "
            + ("clés secrètes restaurées." if summary.keys else "clés secrètes non restaurées.")
        )
        for note in summary.notes:
            self.stdout.write(f"À faire : {note}")
