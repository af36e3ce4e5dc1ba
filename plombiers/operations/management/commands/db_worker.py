"""`plombiers db_worker`: django-tasks-db's worker, with a heartbeat, and the tasks of dead
workers queued again (plombiers/operations/worker.py). It takes the place of the package's
command because `plombiers.operations` comes before `django_tasks_db` in INSTALLED_APPS."""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from plombiers.operations.worker import Heartbeat


class Command(db_worker.Command):
    help = (
        "Le worker de la file des tâches. Il signale sa présence toutes les quelques secondes et remet "
        "dans la file les tâches d'un worker mort en cours de route (kill -9, redémarrage)."
    )

    def handle(self, *args, **options):
        if options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent only watches files; its child process is the worker.
            return super().handle(*args, **options)
        with Heartbeat(options["worker_id"]):
            return super().handle(*args, **options)
