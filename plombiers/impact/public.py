"""What a school publishes (Qualiopi indicator 2), over the last twelve whole months
(`surveys.results.twelve_months`): its learners' satisfaction and recommendation (`surveys`), its
completion rate and its insertion rates (positive exits and durable jobs at exit, positive exits at
6 months), each with its sample. The rates are read in one statement from the rollup by month
(`models.MonthRollup`), as any figure that leaves the school team: small cells hidden. The page reads
them with the school, in one statement, as last computed (`models.PublicResults`), until a write
changes what they stand on (`published_figures`)."""

import datetime as dt
import functools
import json

from django.db.models import CharField, Count, F, Max, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from plombiers.lib import derived
from plombiers.network.enums import SchoolStatus
from plombiers.network.models import School
from plombiers.surveys.results import PublicFigure, opinion_figures, twelve_months

from . import secrecy
from .models import MonthRollup, PublicResults
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
    """Schools with their last published figures (`PublicResults`: `kept_since`, `kept_stamp`,
    `kept_figures`, None before the first) and what figures computed now would stand on: the count
    and largest id of their rows by month, as `stamp` (None without rows). In the statement that
    reads the schools, as plain values (no related object to build: the page's one statement)."""
    text = CharField()
    stamp = Concat(Cast(Count("pk"), text), Value(":"), Cast(Max("pk"), text), output_field=text)
    rows = MonthRollup.objects.filter(school=OuterRef("pk")).order_by().values("school")
    return schools.annotate(
        stamp=Subquery(rows.annotate(stamp=stamp).values("stamp")),
        kept_since=F("public_results__since"),
        kept_stamp=F("public_results__stamp"),
        kept_figures=F("public_results__figures"),
    )


#: The slug's place among the parameters of `public_school`'s statement.
_SLUG = "\x00slug"


def public_school(slug: str) -> School | None:
    """The school of a public results page (not one still in project), read through `with_stamps`
    with only what the page shows of it — its name, slug, trade and commune (`trade_name`,
    `commune_name`) — or None. What this transaction marked is recomputed first, so that it reads
    its own writes (as `rollup.consolidated`). One statement, compiled once (`_statement`): the ORM
    took as long to compile it on every view as the database to run it (0.4 ms at 1,000,000 young
    people). Its annotations come as the database gives them (`published_figures`)."""
    derived.flush()
    sql, params = _statement()
    found = list(School.objects.raw(sql, [slug if p == _SLUG else p for p in params]))
    return found[0] if found else None


@functools.cache
def _statement() -> tuple[str, tuple]:
    schools = School.objects.exclude(status=SchoolStatus.PROJECT).only("name", "slug", "network")
    names = schools.annotate(trade_name=F("trade__name"), commune_name=F("commune__name"))
    return with_stamps(names).filter(slug=_SLUG).order_by().query.sql_with_params()


def published_figures(school, *, today: dt.date | None = None) -> list[PublicFigure]:
    """The six figures of the school's public results page (`school` from `public_school`):
    those last computed, without a query, while they are of the same twelve months and the school's
    rows by month have not changed since (`models.PublicResults`); else computed
    (`public_figures`) and kept, in one more statement. Figures computed after their stamp was read
    are at least as recent as it: two pages computing at once, or a write between the stamp and the
    figures, cost one more computation, never a stale figure. A school without rows by month keeps
    nothing: always computed."""
    today = today or timezone.localdate()
    if school.stamp is None:
        return public_figures(school, today=today)
    period = twelve_months(today)
    # Read by `public_school` as the database gives them: a date or its ISO text, JSON as text.
    if school.kept_stamp == school.stamp and str(school.kept_since) == period[0].isoformat():
        kept = school.kept_figures
        kept = json.loads(kept) if isinstance(kept, str) else kept
        return [PublicFigure(*figure[:4], period, figure[4]) for figure in kept]
    figures = public_figures(school, today=today)
    kept = PublicResults(
        school=school,
        since=period[0],
        stamp=school.stamp,
        figures=[[f.label, f.percent, f.sample, f.sample_label, f.secret] for f in figures],
    )
    PublicResults.objects.bulk_create(
        [kept], update_conflicts=True, unique_fields=["school"], update_fields=["since", "stamp", "figures"]
    )
    return figures
