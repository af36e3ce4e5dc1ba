import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from plombiers.bench import seed as seeding
from plombiers.bench.management.commands.bench import uses_the_demo_database
from plombiers.bench.seed import AlreadySeeded, SeedSizes
from plombiers.impact import rollup
from plombiers.impact.models import RollupRun


class Command(BaseCommand):
    help = (
        "Jeu de données synthétique national pour le banc d'essai des indicateurs : N jeunes "
        "(1 000 000 = le cas national : 2 000 écoles, 10 ans), écrits par lots, dans la base de "
        "DATABASE_URL (jamais celle de la démo)."
    )

    def add_arguments(self, parser):
        defaults = SeedSizes()
        parser.add_argument(
            "--learners", type=int, default=defaults.learners, help=f"jeunes ({defaults.learners})"
        )
        parser.add_argument(
            "--marks-per-learner",
            type=int,
            default=defaults.marks_per_learner,
            help=f"demi-journées signées par promotion, une présence par jeune ({defaults.marks_per_learner})",
        )
        parser.add_argument(
            "--observations-per-learner",
            type=int,
            default=defaults.observations_per_learner,
            help=f"observations de compétences par jeune ({defaults.observations_per_learner})",
        )
        parser.add_argument(
            "--batch", type=int, default=defaults.batch, help=f"jeunes par lot ({defaults.batch})"
        )
        parser.add_argument("--seed", type=int, default=defaults.seed, help="graine du hasard")

    def handle(
        self, *args, learners, marks_per_learner, observations_per_learner, batch, seed: int, **options
    ):
        if uses_the_demo_database(
            vendor=connection.vendor, name=str(connection.settings_dict["NAME"]), data_dir=settings.DATA_DIR
        ):
            raise CommandError(
                "Le jeu de données synthétique a sa propre base, jamais celle de la démo : "
                "DATABASE_URL=sqlite:///bench/bench.sqlite3 plombiers seed."
            )
        if learners < 1 or batch < 1 or marks_per_learner < 0 or observations_per_learner < 0:
            raise CommandError("Les tailles doivent être positives.")
        sizes = SeedSizes(
            learners=learners,
            marks_per_learner=marks_per_learner,
            observations_per_learner=observations_per_learner,
            batch=batch,
            seed=seed,
        )
        call_command("migrate", verbosity=0, interactive=False)
        self.stdout.write(f"Jeu de données synthétique : {learners} jeunes dans {connection.vendor}.")
        started = time.perf_counter()
        try:
            result = seeding.seed(sizes, progress=self.stdout.write)
        except AlreadySeeded as existing:
            raise CommandError(
                f"Cette base contient déjà un autre jeu synthétique ({existing}) : "
                "utilisez une base neuve pour une autre taille."
            ) from None
        if result.built:
            counts = ", ".join(f"{name} {n}" for name, n in result.counts.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Construit en {time.perf_counter() - started:.1f} s : {result.rows} lignes, "
                    f"{result.rows_per_second:.0f} lignes/s ({counts})."
                )
            )
        elif RollupRun.objects.filter(complete=True).exists():
            self.stdout.write(f"Déjà construit avec {learners} jeunes : rien à faire.")
            return
        # The national network's dashboards read the rollup (`impact.rollup`): compute it now,
        # as the nightly task would.
        run = rollup.refresh()
        self.stdout.write(
            self.style.SUCCESS(
                f"Cumuls des indicateurs calculés en {run.seconds:.1f} s : {run.rows} lignes, "
                f"{run.schools} écoles."
            )
        )
