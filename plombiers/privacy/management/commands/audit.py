from django.core.management.base import BaseCommand, CommandError

from plombiers.privacy.services import audit_verify


class Command(BaseCommand):
    help = "Journal d'audit : « verify » vérifie la chaîne d'empreintes et signale le premier maillon rompu."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        verdict = audit_verify()
        if not verdict.intact:
            raise CommandError(str(verdict))
        self.stdout.write(str(verdict))
