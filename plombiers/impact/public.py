"""What a school publishes (Qualiopi indicator 2), over the last twelve whole months
(`surveys.results.twelve_months`): its learners' satisfaction and recommendation (`surveys`), its
completion rate and its insertion rates (positive exits and durable jobs at exit, positive exits at
6 months), each with its sample. The rates are read in one statement from the rollup by month
(`models.MonthRollup`), as any figure that leaves the school team: small cells hidden. The page reads
them with the school, in one statement, as last computed (`models.PublicResults`), until a write
changes what they stand on (`published_figures`)."""

import datetime as dt
import functools

from django.db.models import Count, Exists, Max, OuterRef, Subquery
from django.utils import timezone

from plombiers.lib import derived
from plombiers.network.enums import SchoolStatus
from plombiers.network.models import School
from plombiers.surveys.results import PublicFigure, opinion_figures, twelve_months

from . import secrecy
from .models import MonthRollup, PublicResults, RollupRun
from .selectors import Filters, Scope, indicators

#: (indicator, label, what its sample counts), after the two figures of the survey.
RATES = [
    ("completion_rate", "Taux d'achèvement du parcours", "jeunes sorti·es (parcours terminé ou abandon)"),
    ("positive_exit_rate", "Taux de sorties positives (emploi ou formation) à la sortie", "jeunes sorti·es"),
    ("durable_job_rate", "Taux d'emploi durable à la sortie", "jeunes sorti·es"),
    ("positive_exit_rate_6m", "Taux de sorties positives 6 mois après la sortie", "jeunes suivi·es à 6 mois"),
]


def public_figures(school, *, today: dt.date | None = None) -> list[PublicFigure]:
    """The six figures of the school's public results page, in their order, computed. Three
    queries: the survey's answers, the last run of the rollup, the rollup by month (the records
    before a complete run has filled it)."""
    period = since, until = twelve_months(today or timezone.localdate())
    # Published to everybody: protected as any figure that leaves the school team.
    scope = Scope("school", school.name, School.objects.filter(pk=school.pk), obj=school)
    measures = ["completed", "ended", "exits", "counted_exits", "positive_exits", "exits_emploi_durable"]
    row = indicators(
        scope, Filters(since=since, until=until), measures=[*measures, "followups_6", "positive_6"]
    )
    row = row.rows[0]
    secrecy.protected_row(scope, row)
    figures = opinion_figures(school, period)
    for key, label, sample_label in RATES:
        figure = row[key]
        figures.append(
            PublicFigure(
                label,
                figure.percent,
                figure.denominator or 0,
                sample_label,
                period,
                secret=figure.numerator_secret,
            )
        )
    return figures


def with_stamps(schools):
    """Schools with their last published figures (`PublicResults`) and what figures computed now
    would stand on: whether the rollup is kept (a complete run exists: from then on every write that
    may change a measure rewrites the school's rows by month), and the count and largest id of
    those rows. In the statement that reads the schools."""
    rows = MonthRollup.objects.filter(school=OuterRef("pk")).order_by().values("school")
    return schools.select_related("public_results").annotate(
        rollup_kept=Exists(RollupRun.objects.filter(complete=True)),
        month_rows=Subquery(rows.annotate(n=Count("pk")).values("n")),
        last_month_row=Subquery(rows.annotate(last=Max("pk")).values("last")),
    )


def public_schools():
    """The schools that have a public results page (not those still in project) through
    `with_stamps`, with only the columns the page reads. What this transaction marked is
    recomputed first, so that it reads its own writes (as `rollup.consolidated`)."""
    derived.flush()
    return _public_schools()


@functools.cache
def _public_schools():
    """Built once: each `get` clones it."""
    schools = School.objects.exclude(status=SchoolStatus.PROJECT).select_related("trade", "commune")
    kept = [f"public_results__{field}" for field in ("since", "month_rows", "last_month_row", "figures")]
    return with_stamps(schools).only("name", "slug", "network", "trade__name", "commune__name", *kept)


def published_figures(school, *, today: dt.date | None = None) -> list[PublicFigure]:
    """The six figures of the school's public results page (`school` read through `with_stamps`):
    those last computed, without a query, while they are of the same twelve months and the school's
    rows by month have not changed since (`models.PublicResults`); else computed
    (`public_figures`) and kept, in one more statement. Figures computed after their stamp was read
    are at least as recent as it: two pages computing at once, or a write between the stamp and the
    figures, cost one more computation, never a stale figure. Before the first complete run of the
    rollup nothing tracks the writes: always computed."""
    today = today or timezone.localdate()
    if not school.rollup_kept:
        return public_figures(school, today=today)
    period = twelve_months(today)
    stamp = (school.month_rows or 0, school.last_month_row)
    try:
        last = school.public_results
    except PublicResults.DoesNotExist:
        last = None
    if last is not None and last.since == period[0] and (last.month_rows, last.last_month_row) == stamp:
        return [PublicFigure(*figure[:4], period, figure[4]) for figure in last.figures]
    figures = public_figures(school, today=today)
    kept = PublicResults(
        school=school,
        since=period[0],
        month_rows=stamp[0],
        last_month_row=stamp[1],
        figures=[[f.label, f.percent, f.sample, f.sample_label, f.secret] for f in figures],
    )
    PublicResults.objects.bulk_create(
        [kept],
        update_conflicts=True,
        unique_fields=["school"],
        update_fields=["since", "month_rows", "last_month_row", "figures"],
    )
    return figures
