"""What a school publishes (Qualiopi indicator 2), over the last twelve whole months
(`surveys.results.twelve_months`): its learners' satisfaction and recommendation (`surveys`), its
completion rate and its insertion rates (positive exits and durable jobs at exit, positive exits at
6 months), each with its sample. The rates are read in one statement from the rollup by month
(`models.MonthRollup`), as any figure that leaves the school team: small cells hidden."""

import datetime as dt

from django.utils import timezone

from plombiers.network.models import School
from plombiers.surveys.results import PublicFigure, opinion_figures, twelve_months

from . import secrecy
from .selectors import Filters, Scope, indicators

#: (indicator, label, what its sample counts), after the two figures of the survey.
RATES = [
    ("completion_rate", "Taux d'achèvement du parcours", "jeunes sorti·es (parcours terminé ou abandon)"),
    ("positive_exit_rate", "Taux de sorties positives (emploi ou formation) à la sortie", "jeunes sorti·es"),
    ("durable_job_rate", "Taux d'emploi durable à la sortie", "jeunes sorti·es"),
    ("positive_exit_rate_6m", "Taux de sorties positives 6 mois après la sortie", "jeunes suivi·es à 6 mois"),
]


def public_figures(school, *, today: dt.date | None = None) -> list[PublicFigure]:
    """The six figures of the school's public results page, in their order. Three queries: the
    survey's answers, the last run of the rollup, the rollup by month (the records before a
    complete run has filled it)."""
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
