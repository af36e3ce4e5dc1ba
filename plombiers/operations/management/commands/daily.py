import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand

from plombiers.lib.nightly import Job


def nightly_jobs() -> list[Job]:
    """Every installed app's `nightly.JOBS`, by `order` (plombiers/lib/nightly.py): the command
    imports no app by name."""
    jobs = []
    for config in apps.get_app_configs():
        module = f"{config.name}.nightly"
        if importlib.util.find_spec(module) is not None:
            jobs.extend(importlib.import_module(module).JOBS)
    return sorted(jobs, key=lambda job: job.order)


class Command(BaseCommand):
    help = (
        "Travaux quotidiens (à lancer chaque nuit par cron ou un timer systemd) : expiration des "
        "prescriptions, calcul des alertes de décrochage, suivis de sortie (à faire, sans nouvelles), "
        "rappels des comptes rendus aux financeurs, cumuls des indicateurs d'impact. Chaque "
        "application déclare les siens dans son module `nightly.py`."
    )

    def handle(self, *args, **options):
        for job in nightly_jobs():
            message = job.run()
            if message:
                self.stdout.write(message)
