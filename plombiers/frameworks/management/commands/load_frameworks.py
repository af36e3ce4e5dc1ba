from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plombiers.frameworks.loader import FrameworkErrors, frameworks_load


class Command(BaseCommand):
    help = "Charge les référentiels de compétences (fichiers YAML) ; une erreur et rien n'est chargé."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="fichiers YAML (par défaut : ceux du paquet)")

    def handle(self, *args, paths, **options):
        try:
            created = frameworks_load(paths or None)
        except FrameworkErrors as errors:
            for error in errors.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(errors.errors)} erreur(s) : aucun référentiel n'a été chargé."
            ) from None
        for framework in created:
            self.stdout.write(f"Chargé : {framework} — {framework.skills.count()} compétences.")
        if not created:
            self.stdout.write("Référentiels déjà à jour.")
