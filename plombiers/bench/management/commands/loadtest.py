"""`plombiers loadtest` (`make loadtest`): a bounded load test of the production server.

On the database of DATABASE_URL (never the demo's: `make loadtest` gives it its own), it loads the
demo network if it is not there, gives each school's current cohort a half-day today (so that the
trainers have sheets to mark), starts the production server on 127.0.0.1 (`plombiers serve` when
the command exists, gunicorn otherwise) with several workers, and runs locust headless against it:
the users of plombiers/bench/loadtest/locustfile.py, `--users` of them (50 on PostgreSQL, 12 on
SQLite by default), started a few a second (the login throttle counts per address, and they all
come from 127.0.0.1), then `--steady` seconds with all of them. Every loop is bounded in time; the
traffic never leaves 127.0.0.1.

Results per kind of page (count, errors, p50, p95, p99) go to bench/results.json under
"loadtest" → "<engine>-<users>", with the machine's load average before and after; the goal is
0 errors and p95 under 300 ms for every kind of page except exports.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils import timezone

LOCUSTFILE = Path(__file__).resolve().parents[2] / "loadtest" / "locustfile.py"
GOAL_P95_MS = 300
EXPORT = "export"


def _today_sheets() -> int:
    """A morning half-day today in each school's current cohort that has none (the demo's own
    calendar may have none on the day the test runs): the trainers' sheets to mark."""
    from plombiers.accounts.enums import Role
    from plombiers.accounts.models import Membership
    from plombiers.cohorts import attendance
    from plombiers.cohorts.enums import Period
    from plombiers.cohorts.models import Cohort, TrainingSession

    today, made = timezone.localdate(), 0
    for cohort in Cohort.objects.filter(start_date__lte=today, end_date__gte=today).select_related("school"):
        if TrainingSession.objects.filter(cohort=cohort, date=today).exists():
            continue
        trainer = (
            Membership.objects.filter(school=cohort.school, role=Role.TRAINER).select_related("user").first()
        )
        if trainer is None:
            continue
        attendance.session_create(cohort=cohort, by=trainer.user, date=today, period=Period.MORNING)
        made += 1
    return made


def _free_port(port: int | None) -> int:
    """`port` if nobody listens on it (else an error: the test must measure our server, not
    someone else's), or a free one chosen by the system."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port or 0))
        except OSError as error:
            raise CommandError(f"Le port {port} est déjà pris : choisissez-en un autre (--port).") from error
        return probe.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError("Le serveur s'est arrêté au démarrage : voir bench/loadtest-server.log.")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 — 127.0.0.1 only
                if response.status == 200 and process.poll() is None:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise CommandError(f"Le serveur ne répond pas sur {url}.")


class Command(BaseCommand):
    help = (
        "Test de charge borné (locust sans interface, sur 127.0.0.1) contre le serveur de production : "
        "connexions, feuilles d'émargement, matrices, accompagnement, prescriptions, tableaux de bord, "
        "API ; résultats par type de page dans bench/results.json."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--users", type=int, help="utilisateurs simultanés (50 sur PostgreSQL, 12 sur SQLite)"
        )
        parser.add_argument(
            "--spawn-rate", type=float, default=0.35, help="utilisateurs démarrés par seconde (0,35)"
        )
        parser.add_argument(
            "--steady",
            type=int,
            default=130,
            help="secondes avec tous les utilisateurs, après la montée (130)",
        )
        parser.add_argument(
            "--workers", type=int, help="processus du serveur (WEB_CONCURRENCY, sinon 2 × cœurs + 1)"
        )
        parser.add_argument("--port", type=int, help="port du serveur (défaut : un port libre)")
        parser.add_argument("--output", default="bench/results.json")
        parser.add_argument("--label", help="clé des résultats (défaut : <moteur>-<utilisateurs>)")

    def handle(self, *args, users, spawn_rate, steady, workers, port, output, label, **options):
        engine = connection.vendor
        users = users or (50 if engine == "postgresql" else 12)
        workers = workers or int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
        if users < 1 or spawn_rate <= 0 or steady < 1 or workers < 1:
            raise CommandError("--users, --spawn-rate, --steady et --workers : des nombres positifs.")
        label = label or f"{engine}-{users}"
        from plombiers.accounts.models import User

        if not User.objects.filter(email="formation@plombiers.example").exists():
            self.stdout.write("Chargement du réseau de démonstration dans la base du test de charge…")
            call_command("demo", stdout=self.stdout)
        self.stdout.write(f"{_today_sheets()} demi-journée(s) ajoutée(s) aujourd'hui pour les formateurs.")
        call_command("collectstatic", "--noinput", verbosity=0)
        connections.close_all()

        logs = Path(output).resolve().parent
        logs.mkdir(parents=True, exist_ok=True)
        bind = f"127.0.0.1:{_free_port(port)}"
        if "serve" in get_commands():
            server_command = [
                sys.executable,
                "-m",
                "plombiers",
                "serve",
                "--bind",
                bind,
                "--workers",
                str(workers),
            ]
            server_kind = f"plombiers serve, {workers} processus"
        else:
            server_command = [
                sys.executable,
                "-m",
                "gunicorn",
                "plombiers.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(workers),
                "--timeout",
                "60",
            ]
            server_kind = f"gunicorn plombiers.wsgi, {workers} processus"
        ramp = users / spawn_rate
        duration = int(ramp + steady)
        before = os.getloadavg()
        started = timezone.now()
        with open(logs / "loadtest-server.log", "wb") as server_log:
            server = subprocess.Popen(server_command, stdout=server_log, stderr=subprocess.STDOUT)  # noqa: S603
            try:
                _wait_for(f"http://{bind}/healthz", server)
                # Each worker loads its templates on its first pages: not what is measured.
                for _ in range(3 * workers):
                    for page in ("/comptes/login/", "/healthz"):
                        with urllib.request.urlopen(f"http://{bind}{page}", timeout=60):
                            pass
                self.stdout.write(
                    f"{server_kind} sur http://{bind} ({engine}) ; {users} utilisateurs, montée en {ramp:.0f} s, "
                    f"puis {steady} s à {users} ; charge de la machine {before[0]:.1f}."
                )
                with tempfile.NamedTemporaryFile(suffix=".json") as results:
                    locust = subprocess.run(  # noqa: S603 — fixed arguments, 127.0.0.1 only
                        [
                            sys.executable,
                            "-m",
                            "locust",
                            "-f",
                            str(LOCUSTFILE),
                            "--headless",
                            "--only-summary",
                            "--users",
                            str(users),
                            "--spawn-rate",
                            str(spawn_rate),
                            "--run-time",
                            f"{duration}s",
                            "--stop-timeout",
                            "10",
                            "--host",
                            f"http://{bind}",
                            "--loglevel",
                            "WARNING",
                        ],
                        env={**os.environ, "LOADTEST_RESULTS": results.name},
                        capture_output=True,
                        text=True,
                        timeout=duration + 120,
                        check=False,
                    )
                    (logs / "loadtest-locust.log").write_text(locust.stdout + locust.stderr)
                    try:
                        figures = json.loads(Path(results.name).read_text() or "null")
                    except ValueError:
                        figures = None
            finally:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    server.kill()
        if not figures:
            raise CommandError("locust n'a rien mesuré : voir bench/loadtest-locust.log.")
        after = os.getloadavg()
        kinds = figures["kinds"]
        missed = [
            name
            for name, row in kinds.items()
            if not name.startswith(EXPORT) and (row["errors"] or row["p95_ms"] >= GOAL_P95_MS)
        ]
        run = {
            "label": label,
            "date": started.isoformat(timespec="seconds"),
            "engine": engine,
            "server": server_kind,
            "users": users,
            "spawn_rate": spawn_rate,
            "ramp_seconds": round(ramp),
            "steady_seconds": steady,
            "load_average_before": [round(x, 2) for x in before],
            "load_average_after": [round(x, 2) for x in after],
            "cpus": os.cpu_count(),
            "goal": f"0 erreur et p95 < {GOAL_P95_MS} ms pour chaque type de page sauf les exports",
            "goal_met": not missed,
            "missed": missed,
            **figures,
        }
        path = Path(output)
        try:
            data = json.loads(path.read_text())
            if not isinstance(data, dict):
                data = {"bench": data}
        except (OSError, ValueError):
            data = {}
        data.setdefault("loadtest", {})[label] = run
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1))
        self._print(run)
        if missed:
            self.stdout.write(f"Objectif non atteint pour : {', '.join(missed)}.")

    def _print(self, run: dict) -> None:
        self.stdout.write(
            f"\n{'type de page':<34} {'requêtes':>8} {'erreurs':>7} {'p50':>7} {'p95':>7} {'p99':>7}"
        )
        for name, row in run["kinds"].items():
            self.stdout.write(
                f"{name[:34]:<34} {row['count']:>8} {row['errors']:>7} {row['p50_ms']:>5.0f}ms "
                f"{row['p95_ms']:>5.0f}ms {row['p99_ms']:>5.0f}ms"
            )
        total = run["total"]
        self.stdout.write(
            f"{'total':<34} {total['count']:>8} {total['errors']:>7} {total['p50_ms']:>5.0f}ms "
            f"{total['p95_ms']:>5.0f}ms {total['p99_ms']:>5.0f}ms  ({total['rps']} req/s)"
        )
        self.stdout.write(
            f"Charge de la machine : {run['load_average_before'][0]:.1f} avant, {run['load_average_after'][0]:.1f} après "
            f"({run['cpus']} cœurs). Résultats dans bench/results.json (« loadtest » → « {run['label']} »)."
        )
