import os
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

PACKAGE_PARENT = Path(__file__).resolve().parents[4]  # the folder that holds `plombiers/`


def default_workers() -> int:
    """WEB_CONCURRENCY (the variable gunicorn and hosting platforms use), else two per core plus one."""
    value = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not value:
        return 2 * (os.cpu_count() or 1) + 1
    if not value.isdigit() or int(value) < 1:
        raise CommandError(f"WEB_CONCURRENCY={value!r} : un nombre de processus, 1 ou plus.")
    return int(value)


class Command(BaseCommand):
    help = (
        "Le serveur web de production (gunicorn) : --bind (127.0.0.1:8000), autant de processus que "
        "WEB_CONCURRENCY, journal des requêtes sur la sortie standard, rechargement sans coupure sur "
        "le signal HUP. Derrière un proxy inverse (Caddy, voir docs/deploy.md)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=os.environ.get("BIND", "127.0.0.1:8000"),
            help="adresse:port, ou unix:/chemin/du/socket (défaut : BIND, sinon 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--workers", type=int, help="processus (défaut : WEB_CONCURRENCY, sinon 2 × cœurs + 1)"
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", "1")),
            help="fils par processus (défaut : WEB_THREADS, sinon 1)",
        )

    def handle(self, *args, bind, workers, threads, **options):
        workers = workers or default_workers()
        if workers < 1 or threads < 1:
            raise CommandError("--workers et --threads : 1 ou plus.")
        self._check_ready()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:plombiers.gunicorn_conf",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ]
        # Our options only: neither GUNICORN_CMD_ARGS nor a gunicorn.conf.py of the working folder.
        environment = {key: value for key, value in os.environ.items() if key != "GUNICORN_CMD_ARGS"}
        environment["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")) if p
        )
        self.stdout.write(f"Plombiers sur http://{bind} : {workers} processus × {threads} fil(s).")
        self.stdout.flush()
        connections.close_all()
        # gunicorn takes this process's place: systemd's signals (HUP, TERM) reach its master.
        os.execve(sys.executable, command, environment)  # noqa: S606

    def _check_ready(self) -> None:
        """Refuse to serve pages that would all fail: static files not collected, or a database
        behind the code (an upgrade runs `plombiers migrate` first)."""
        storage = storages["staticfiles"]
        if isinstance(storage, ManifestFilesMixin):
            manifest = Path(settings.STATIC_ROOT) / storage.manifest_name
            if not manifest.exists():
                raise CommandError(
                    f"Fichiers statiques absents ({manifest}) : lancer d'abord plombiers collectstatic --noinput."
                )
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("Des migrations ne sont pas appliquées : lancer d'abord plombiers migrate.")
