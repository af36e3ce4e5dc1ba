from django.core.management.base import BaseCommand

from plombiers.privacy.retention import RULES_BY_KEY
from plombiers.rights.purge import STEPS, purge


class Command(BaseCommand):
    help = (
        "Applique les durées de conservation (plombiers/privacy/retention.py) : notes "
        "d'accompagnement supprimées, personnes anonymisées, signatures et photos de preuve "
        "effacées. Avec --dry-run, dit ce qui serait fait, règle par règle, sans rien écrire."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="compter sans rien modifier")

    def handle(self, *args, dry_run=False, **options):
        counts = purge(dry_run=dry_run)
        verb = "à traiter" if dry_run else "traitée(s)"
        self.stdout.write("Simulation : rien n'est modifié." if dry_run else "Purge des données échues :")
        for step in STEPS:
            rule = RULES_BY_KEY[step.key]
            self.stdout.write(
                f"- {rule.label} ({rule.action_label} après {rule.months} mois par défaut) : "
                f"{counts[step.key]} {step.unit} {verb}"
            )
