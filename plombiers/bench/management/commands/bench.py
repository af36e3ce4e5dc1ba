import json
import os
import platform
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from plombiers.bench import benchmarks, credentials, documents, impact, matching  # noqa: F401 — each registers its benchmarks
from plombiers.bench.dataset import Sizes, ensure
from plombiers.bench.harness import BENCHMARKS


class Context:
    """What a benchmark receives: the data set, a logged-in client per user, its repeat count."""

    def __init__(self, data, repeat: int):
        self.data, self.repeat = data, repeat
        self.counts = data.counts()
        self._clients = {}

    def client(self, user) -> Client:
        if user.pk not in self._clients:
            client = Client()
            client.force_login(user)
            self._clients[user.pk] = client
        return self._clients[user.pk]


def uses_the_demo_database(*, vendor: str, name: str, data_dir: Path) -> bool:
    """The default SQLite file of the working directory is the demo's (or a small production's)."""
    return vendor == "sqlite" and Path(name).resolve() == (Path(data_dir) / "plombiers.sqlite3").resolve()


#: deploy/plombiers.env's `CONN_MAX_AGE`: seconds a web worker keeps its database connection.
PRODUCTION_CONN_MAX_AGE = 60


class Command(BaseCommand):
    help = (
        "Banc d'essai des performances : construit (ou réutilise) un jeu de données dans sa propre base, "
        "mesure chaque page clé à côté d'un plancher mesuré dans la même exécution, écrit bench/results.json."
    )

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--quick", action="store_true", help="tailles minuscules (tests, essai rapide)")
        parser.add_argument(
            "--repeat", type=int, default=None, help="mesures par page (défaut 30, 3 en --quick)"
        )
        parser.add_argument(
            "--learners", type=int, default=None, help=f"jeunes de la matrice ({defaults.learners})"
        )
        parser.add_argument("--skills", type=int, default=None, help=f"compétences ({defaults.skills})")
        parser.add_argument(
            "--history", type=int, default=None, help=f"observations par case ({defaults.history})"
        )
        parser.add_argument(
            "--background-cohorts",
            type=int,
            default=None,
            help=f"promotions passées de l'école ({defaults.background_cohorts})",
        )
        parser.add_argument(
            "--referrals", type=int, default=None, help=f"prescriptions ({defaults.referrals})"
        )
        parser.add_argument(
            "--doc-learners",
            type=int,
            default=None,
            help=f"jeunes de la promotion des documents ({defaults.doc_learners})",
        )
        parser.add_argument(
            "--doc-weeks",
            type=int,
            default=None,
            help=f"semaines d'émargement signées ({defaults.doc_weeks})",
        )
        parser.add_argument(
            "--certificates",
            type=int,
            default=None,
            help=f"certificats produits à la suite ({defaults.certificates})",
        )
        parser.add_argument(
            "--offers",
            type=int,
            default=None,
            help=f"offres ouvertes de l'appariement, autant de fermées pour le doublement ({defaults.offers})",
        )
        parser.add_argument(
            "--match-learners",
            type=int,
            default=None,
            help=f"jeunes en formation de l'appariement ({defaults.match_learners})",
        )
        parser.add_argument("--only", nargs="*", choices=sorted(BENCHMARKS), help="seulement ces mesures")
        parser.add_argument("--output", default="bench/results.json")

    def _collect_static_files(self):
        """The pages are measured as served in production, whose storage names each static file by
        its hash from a manifest: on a fresh machine (no `make demo` before) the manifest is made
        first, or the first page would fail on it."""
        from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

        if isinstance(staticfiles_storage, ManifestFilesMixin) and not staticfiles_storage.exists(
            staticfiles_storage.manifest_name
        ):
            self.stdout.write("Fichiers statiques rassemblés (collectstatic), une fois.")
            call_command("collectstatic", interactive=False, verbosity=0)

    @contextmanager
    def _persistent_connection(self):
        """The pages are measured as production serves them: each web worker keeps its database
        connection between requests (`CONN_MAX_AGE` in deploy/plombiers.env), where the default of
        a bare run (0) opens one for every request — a cost of the connection, not of the page. An
        explicit `CONN_MAX_AGE` in the environment is kept."""
        if "CONN_MAX_AGE" in os.environ:
            yield connection.settings_dict["CONN_MAX_AGE"]
            return
        before = connection.settings_dict["CONN_MAX_AGE"]
        connection.settings_dict["CONN_MAX_AGE"] = PRODUCTION_CONN_MAX_AGE
        try:
            yield PRODUCTION_CONN_MAX_AGE
        finally:
            connection.settings_dict["CONN_MAX_AGE"] = before

    def handle(self, *args, quick, repeat, only, output, **options):
        self._refuse_the_demo_database()
        # Whitenoise warns when static files were not collected: the pages render without them.
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        started = time.perf_counter()
        base = Sizes.quick() if quick else Sizes()
        sizes = Sizes(
            **{
                name: options[name] if options[name] is not None else getattr(base, name)
                for name in (
                    "learners",
                    "skills",
                    "history",
                    "background_cohorts",
                    "referrals",
                    "doc_learners",
                    "doc_weeks",
                    "certificates",
                    "offers",
                    "match_learners",
                )
            }
        )
        repeat = repeat or (3 if quick else 30)
        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)
        self._collect_static_files()
        database = f"{connection.vendor} ({Path(str(connection.settings_dict['NAME'])).name})"
        self.stdout.write(f"Banc d'essai sur {database}, {repeat} mesures par page.")
        data = ensure(sizes)
        how = f"construit ({', '.join(data.built)})" if data.built else "réutilisé"
        self.stdout.write(f"Jeu de données {how} en {data.seconds:.1f} s : {data.counts()}")

        measures = []
        urlconf = getattr(settings, "BENCH_URLCONF", "plombiers.bench.urls")
        with (
            override_settings(ROOT_URLCONF=urlconf, ALLOWED_HOSTS=["testserver"]),
            self._persistent_connection() as conn_max_age,
        ):
            self.stdout.write(f"Connexion à la base gardée {conn_max_age} s entre deux pages (CONN_MAX_AGE).")
            context = Context(data, repeat)
            for name, function in BENCHMARKS.items():
                if only and name not in only:
                    continue
                for result in function(context):
                    measures.append(result)
                    self.stdout.write(result.line())

        done = [m for m in measures if m.timing is not None]
        elapsed = time.perf_counter() - started
        summary = {
            "measures": len(measures),
            "measured": len(done),
            "unavailable": [m.name for m in measures if m.timing is None],
            "worst_ratio": max((m.ratio for m in done if m.ratio is not None), default=None),
            "seconds": round(elapsed, 1),
        }
        self.stdout.write(
            self.style.SUCCESS(
                f"Résumé : {len(done)}/{len(measures)} mesures"
                + (f", indisponibles : {', '.join(summary['unavailable'])}" if summary["unavailable"] else "")
                + (
                    f", pire rapport au plancher ×{summary['worst_ratio']:.1f}"
                    if summary["worst_ratio"]
                    else ""
                )
                + f", {elapsed:.1f} s."
            )
        )
        results = {
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "machine": {
                "platform": platform.platform(),
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
            },
            "database": {
                "vendor": connection.vendor,
                "name": Path(str(connection.settings_dict["NAME"])).name,
                "conn_max_age": conn_max_age,
            },
            "repeat": repeat,
            "sizes": sizes.__dict__,
            "dataset": {"built": data.built, "seconds": round(data.seconds, 2), "counts": data.counts()},
            "measures": [m.as_dict() for m in measures],
            "summary": summary,
        }
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        self.stdout.write(f"Résultats écrits dans {path}.")

    @staticmethod
    def _refuse_the_demo_database():
        """Never on the demo's (or production's default) database: `make bench` passes its own."""
        if uses_the_demo_database(
            vendor=connection.vendor, name=str(connection.settings_dict["NAME"]), data_dir=settings.DATA_DIR
        ):
            raise CommandError(
                "Le banc d'essai a sa propre base : lancez « make bench », ou "
                "DATABASE_URL=sqlite:///bench/bench.sqlite3 plombiers bench."
            )
