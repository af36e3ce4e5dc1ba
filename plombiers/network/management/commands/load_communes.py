import time

from django.core.management.base import BaseCommand

from plombiers.network.communes import communes_load


class Command(BaseCommand):
    help = "Charge les communes françaises (INSEE, codes postaux, départements, régions, coordonnées)."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="codes INSEE à charger (par défaut : toutes)")

    def handle(self, *args, codes, **options):
        start = time.perf_counter()
        count = communes_load(only=codes or None)
        self.stdout.write(f"{count} communes chargées en {time.perf_counter() - start:.1f} s.")
