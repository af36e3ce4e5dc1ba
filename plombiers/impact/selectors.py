"""The indicators of impact, computed from the records by the official definitions.

SQL aggregations only: each table of indicators is one `GROUP BY` query per *source* (referrals,
enrolments started, enrolments ended, exits, follow-ups, attendance, skills) — seven queries
whatever the number of young people, schools or years. Python only merges the grouped rows
(one per school, year…), never loops over learners.

Every figure is a *measure* (a count, or a sum) over one source with one condition; an indicator
is a measure divided by another. The list of learners behind a figure is the same source with the
same condition (`measure_learners`), so that the number and its list cannot drift apart.

Periods (see the methodology page, `/impact/methode/`): what happens during the training
(admission, entry, population, attendance, skills, barriers) is dated by the entry into training;
what happens at the end (completion, drop-out, exit, follow-ups) by the exit date — the official
positive-exit rate is « by period of exit ». Referrals are dated by their prescription date.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.utils import timezone

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.lib.secrecy import PRIMARY, SECONDARY
from plombiers.lib.text import fold
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import School
from plombiers.outcomes.enums import POSITIVE_CATEGORIES, ExitCategory, FollowUpHorizon, FollowUpStatus
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.referrals.enums import Diploma, Gender, ReferralStatus
from plombiers.referrals.models import Referral
from plombiers.skills.enums import ACQUIRED_LEVELS
from plombiers.skills.models import Observation
from plombiers.support.enums import BarrierLevel

#: The headline objective of the model: 70 % positive exits.
TARGET = Decimal("0.70")

C = ExitCategory
JOB_CATEGORIES = (C.DURABLE_JOB, C.TRANSITION_JOB)
HORIZONS = [h.value for h in FollowUpHorizon]
ANSWERED = (FollowUpStatus.DONE, FollowUpStatus.NO_NEWS)

#: How a table can be broken down, with its French heading.
GROUPS = {
    "school": "École",
    "trade": "Métier",
    "region": "Région",
    "departement": "Département",
    "cohort": "Promotion",
    "prescriber": "Structure prescriptrice",
    "funder": "Financeur",
    "year": "Année",
}


# --- what a figure is computed over ----------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The filters of a dashboard: a year (of the period each figure is dated by) and the
    trade, région or school (by primary key)."""

    year: int | None = None
    trade: int | None = None
    region: int | None = None
    school: int | None = None
    #: A rolling period instead of a year (the public page: the last twelve months), both included.
    since: dt.date | None = None
    until: dt.date | None = None

    def as_params(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None and k not in ("since", "until")}


@dataclass(frozen=True)
class Scope:
    """What the user asked to see, already checked against what they may see (`impact.access`):
    the schools counted (a queryset, used as a subquery), and a cohort for the cohort scope."""

    kind: str
    label: str
    schools: QuerySet
    obj: object = None
    cohort_id: int | None = None
    can_list_learners: bool = False
    #: For a reader outside the school team: every school whose figures they read in aggregate,
    #: so that a figure hidden in one of their tables is hidden in all (`impact.secrecy`).
    base: QuerySet | None = None
    #: The network these schools may be the whole of: a network's scope (they are), a funder's
    #: (`network_check` tells). Read `whole_network_id`, not this: when the schools are every school
    #: of the network and no other, its total and table by year are the network's own rows of the
    #: rollup (`models.NetworkRollup`).
    network_id: int | None = None
    #: For a funder: whether its schools are every school of `network_id` and no other, asked
    #: only when a table is read through the schools or the rollup.
    network_check: Callable[[], bool] | None = None

    @cached_property
    def whole_network_id(self) -> int | None:
        """The network whose schools are exactly this scope's (its own rows of the rollup answer),
        or None."""
        if self.network_id is None or (self.network_check is not None and not self.network_check()):
            return None
        return self.network_id

    @property
    def protected(self) -> bool:
        """Whether these figures leave the school team (a funder, the public): small cells are
        hidden. Exact only for those who may see the learners themselves — network staff and
        the school's team."""
        return not self.can_list_learners

    @property
    def ident(self):
        return getattr(self.obj, "slug", None) or getattr(self.obj, "pk", None)

    @cached_property
    def schools_sql(self) -> tuple[str, tuple]:
        """The schools of the scope as SQL and its parameters, compiled once: a dashboard reads two
        or three tables of the rollup through it (`rollup.grouped`). Every school of its network
        when that is what the scope is (`whole_network_id`): the same schools, without the rules of
        `visible_to` to run again in each statement."""
        network = self.whole_network_id
        schools = School.objects.filter(network=network) if network else self.schools
        return schools.order_by().values("pk").query.sql_with_params()

    @property
    def compiled_schools(self) -> QuerySet:
        """The schools of the scope through their SQL compiled once (`schools_sql`): the filters'
        lists read them three times, and the rules of `visible_to` cost more to compile than to
        run."""
        return School.objects.filter(pk__in=RawSQL(*self.schools_sql))  # noqa: S611 — compiled by the ORM

    @cached_property
    def rollup(self):
        """The rollup run this scope's figures are read from (`impact.rollup`), or None: live."""
        from .rollup import consolidated

        return consolidated(self)


@dataclass(frozen=True)
class Source:
    """One table the figures are counted in, and the paths from it to the school, the cohort,
    the prescriber structure, the learner and the date it is dated by."""

    name: str
    base: Callable[[Q], QuerySet]
    school: str
    cohort: str
    prescriber: str
    learner: str
    date: str

    def dimension(self, group: str):
        """(key expression, label path) of a breakdown."""
        s = self.school
        paths = {
            "school": (s, f"{s}__name"),
            "trade": (f"{s}__trade", f"{s}__trade__name"),
            "region": (f"{s}__commune__departement__region", f"{s}__commune__departement__region__name"),
            "departement": (f"{s}__commune__departement", f"{s}__commune__departement__name"),
            "cohort": (self.cohort, f"{self.cohort}__name"),
            "prescriber": (self.prescriber, f"{self.prescriber}__name"),
            "funder": (f"{s}__partnerships__organisation", f"{s}__partnerships__organisation__name"),
        }
        if group == "year":
            return ExtractYear(self.date), None
        return F(paths[group][0]), paths[group][1]

    def where(self, scope: Scope, filters: Filters, group: str | None = None, value=None) -> Q:
        s = self.school
        q = Q(**{f"{s}__in": scope.schools.values("pk")})
        if scope.cohort_id:
            q &= Q(**{self.cohort: scope.cohort_id})
        if filters.year:
            q &= Q(**{f"{self.date}__year": filters.year})
        if filters.since:
            q &= Q(**{f"{self.date}__gte": filters.since})
        if filters.until:
            q &= Q(**{f"{self.date}__lte": filters.until})
        if filters.trade:
            q &= Q(**{f"{s}__trade": filters.trade})
        if filters.region:
            q &= Q(**{f"{s}__commune__departement__region": filters.region})
        if filters.school:
            q &= Q(**{s: filters.school})
        if group == "funder":
            q &= Q(**{f"{s}__partnerships__organisation__kind": OrganisationKind.FUNDER})
            if scope.kind == "funder":
                q &= Q(**{f"{s}__partnerships__organisation": scope.obj.pk})
        if group and value is not None:
            if group == "year":
                q &= Q(**{f"{self.date}__year": value})
            else:
                key, _label = self.dimension(group)
                q &= Q(**{key.name: value or None})
        return q


def _exits(where: Q) -> QuerySet:
    # The first follow-up that found the young person in a job, for the time to a first job.
    first_job = FollowUp.objects.filter(
        exit=OuterRef("pk"), status=FollowUpStatus.DONE, category__in=JOB_CATEGORIES
    ).order_by("horizon")
    return Exit.objects.filter(where).annotate(first_job_on=Subquery(first_job.values("due_on")[:1]))


def _current_observations(where: Q) -> QuerySet:
    later = Observation.objects.filter(
        enrolment=OuterRef("enrolment"), skill=OuterRef("skill"), pk__gt=OuterRef("pk")
    )
    return Observation.objects.filter(where).filter(~Exists(later))


ENDED = (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT)
_enrolment_paths = {
    "school": "cohort__school",
    "cohort": "cohort",
    "prescriber": "referral__prescriber_organisation",
    "learner": "learner",
}
SOURCES = {
    s.name: s
    for s in [
        Source(
            "referrals",
            lambda where: Referral.objects.filter(where),
            school="school",
            cohort="enrolments__cohort",
            prescriber="prescriber_organisation",
            learner="learner",
            date="referred_on",
        ),
        # An entry counts once it has happened: a young person admitted into a cohort that starts
        # next year has not « entered training » yet.
        Source(
            "started",
            lambda where: Enrolment.objects.filter(where, entry_date__lte=timezone.localdate()),
            date="entry_date",
            **_enrolment_paths,
        ),
        # The enrolments with minutes on signed sheets or in imported months of history
        # (`Enrolment.objects.with_minutes`: correlated subqueries, so that the two tables add up
        # in one query without a join multiplying the rows); dated by the entry into training.
        Source(
            "attendance",
            lambda where: (
                Enrolment.objects.filter(where).with_minutes().filter(total_scheduled_minutes__gt=0)
            ),
            date="entry_date",
            **_enrolment_paths,
        ),
        Source(
            "ended",
            lambda where: Enrolment.objects.filter(where, status__in=ENDED, end_date__isnull=False),
            date="end_date",
            **_enrolment_paths,
        ),
        Source(
            "exits",
            _exits,
            school="enrolment__cohort__school",
            cohort="enrolment__cohort",
            prescriber="enrolment__referral__prescriber_organisation",
            learner="enrolment__learner",
            date="exit_date",
        ),
        Source(
            "followups",
            lambda where: FollowUp.objects.filter(where),
            school="exit__enrolment__cohort__school",
            cohort="exit__enrolment__cohort",
            prescriber="exit__enrolment__referral__prescriber_organisation",
            learner="exit__enrolment__learner",
            date="exit__exit_date",
        ),
        Source(
            "skills",
            # The current level of each (enrolment, skill): its latest observation — the rows of
            # `Observation.objects.current()`, found as those with no later observation of the same
            # (enrolment, skill), an anti-join on the `observation_current` index: 2.6× faster on
            # PostgreSQL and 1.4× on SQLite than `MAX(id) … GROUP BY` at 100,000 young people.
            _current_observations,
            school="enrolment__cohort__school",
            cohort="enrolment__cohort",
            prescriber="enrolment__referral__prescriber_organisation",
            learner="enrolment__learner",
            date="enrolment__entry_date",
        ),
    ]
}


# --- measures: one count (or sum) over one source -------------------------------------------


@dataclass(frozen=True)
class Measure:
    source: str
    where: Q = field(default_factory=Q)
    #: An aggregate other than « count the rows that match `where` » (minutes, days, barriers).
    aggregate: object = None

    def expression(self):
        if self.aggregate is not None:
            return self.aggregate
        return Count("pk", filter=self.where, distinct=True)


ZERO_DAYS = Value(dt.timedelta(0), output_field=DurationField())
_counted = ~Q(category=C.NEUTRALISED)
_barrier = ~Q(learner__barriers__level=BarrierLevel.NONE) | Q(learner__barriers__lifted_on__isnull=False)
_lifted = Q(learner__barriers__lifted_on__isnull=False)
_has_job = Q(category__in=JOB_CATEGORIES) | Q(first_job_on__isnull=False)


def _horizon_measures() -> dict[str, Measure]:
    measures = {}
    for h in HORIZONS:
        answered = Q(horizon=h, status__in=ANSWERED)
        # « Sans nouvelles » counts as « autre sortie »: in the denominator, never in the numerator.
        done = Q(horizon=h, status=FollowUpStatus.DONE)
        measures[f"followups_{h}"] = Measure("followups", answered & ~(done & Q(category=C.NEUTRALISED)))
        measures[f"positive_{h}"] = Measure("followups", done & Q(category__in=POSITIVE_CATEGORIES))
        measures[f"durable_{h}"] = Measure("followups", done & Q(category=C.DURABLE_JOB))
        measures[f"due_{h}"] = Measure("followups", Q(horizon=h, status=FollowUpStatus.DUE))
    return measures


_attended = Q(total_attended_minutes__gt=0)
_signed = Q(total_scheduled_minutes__gt=0)

MEASURES: dict[str, Measure] = {
    "referred": Measure("referrals"),
    "admitted": Measure("referrals", Q(status=ReferralStatus.ADMITTED)),
    "started": Measure("started"),
    "women": Measure("started", Q(learner__gender=Gender.FEMALE)),
    "qpv": Measure("started", Q(learner__lives_in_qpv=True)),
    "rqth": Measure("started", Q(learner__has_rqth=True)),
    "non_qualified": Measure("started", Q(learner__highest_diploma=Diploma.NONE)),
    # The barriers of each young person entering training, counted at each entry (not distinct
    # across entries): a sum over enrolments, so that the rollup can add it up.
    "barriers": Measure("started", _barrier, Count("learner__barriers", filter=_barrier)),
    "barriers_lifted": Measure("started", _lifted, Count("learner__barriers", filter=_lifted)),
    # The sums of `Enrolment.objects.with_minutes()`: signed (locked) sheets and imported history.
    "attended_minutes": Measure("attendance", _attended, Sum("total_attended_minutes")),
    "scheduled_minutes": Measure("attendance", _signed, Sum("total_scheduled_minutes")),
    "skills_acquired": Measure("skills", Q(level__in=ACQUIRED_LEVELS)),
    "ended": Measure("ended"),
    "completed": Measure("ended", Q(status=EnrolmentStatus.COMPLETED)),
    "dropped_out": Measure("ended", Q(status=EnrolmentStatus.DROPPED_OUT)),
    "exits": Measure("exits"),
    "counted_exits": Measure("exits", _counted),
    "positive_exits": Measure("exits", Q(category__in=POSITIVE_CATEGORIES)),
    **{f"exits_{c}": Measure("exits", Q(category=c)) for c in ExitCategory.values},
    "hired_by_host": Measure("exits", Q(hired_by_internship_host=True, category__in=JOB_CATEGORIES)),
    "with_job": Measure("exits", _has_job),
    "days_to_job": Measure(
        "exits",
        _has_job,
        Sum(
            Case(
                When(category__in=JOB_CATEGORIES, then=ZERO_DAYS),
                When(first_job_on__isnull=False, then=F("first_job_on") - F("exit_date")),
                output_field=DurationField(),
            )
        ),
    ),
    **_horizon_measures(),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    kind: str  # "count", "rate" (a fraction 0–1) or "mean"
    num: str
    den: str | None = None
    unit: str = ""
    #: Compared with the 70 % target.
    targeted: bool = False
    #: Numerator and denominator are minutes: printed in hours.
    in_minutes: bool = False


INDICATORS: list[Indicator] = [
    Indicator("referred", "Jeunes orienté·es (prescriptions)", "count", "referred"),
    Indicator("admitted", "Admis·es", "count", "admitted"),
    Indicator("started", "Entré·es en formation", "count", "started"),
    Indicator("completed", "Parcours terminés", "count", "completed"),
    Indicator("positive_exits", "Sorties positives", "count", "positive_exits"),
    Indicator(
        "positive_exit_rate",
        "Taux de sorties positives",
        "rate",
        "positive_exits",
        "counted_exits",
        targeted=True,
    ),
    Indicator("durable_job_rate", "Taux d'emploi durable", "rate", "exits_emploi_durable", "counted_exits"),
    *[
        Indicator(
            f"positive_exit_rate_{h}m",
            f"Taux de sorties positives à {h} mois",
            "rate",
            f"positive_{h}",
            f"followups_{h}",
            targeted=True,
        )
        for h in HORIZONS
    ],
    Indicator("completion_rate", "Taux d'achèvement", "rate", "completed", "ended"),
    Indicator("dropout_rate", "Taux d'abandon", "rate", "dropped_out", "ended"),
    Indicator(
        "attendance_rate",
        "Taux d'assiduité",
        "rate",
        "attended_minutes",
        "scheduled_minutes",
        in_minutes=True,
    ),
    Indicator(
        "time_to_first_job",
        "Délai moyen d'accès au premier emploi",
        "mean",
        "days_to_job",
        "with_job",
        "jours",
    ),
    Indicator("skills_per_learner", "Compétences acquises par jeune", "mean", "skills_acquired", "started"),
    Indicator("barriers_lifted_rate", "Freins levés", "rate", "barriers_lifted", "barriers"),
    Indicator("women_share", "Part de femmes", "rate", "women", "started"),
    Indicator("qpv_share", "Part de jeunes des quartiers prioritaires (QPV)", "rate", "qpv", "started"),
    Indicator("rqth_share", "Part de jeunes avec une RQTH", "rate", "rqth", "started"),
    Indicator("non_qualified_share", "Part de jeunes sans diplôme", "rate", "non_qualified", "started"),
]
INDICATOR = {i.key: i for i in INDICATORS}
FUNNEL = ["referred", "admitted", "started", "completed", "positive_exits"]
#: Measures whose list of learners is a list of minutes or barriers, not of people: their
#: list is the learners of the rows counted.
NOT_PEOPLE = {
    "attended_minutes",
    "scheduled_minutes",
    "days_to_job",
    "barriers",
    "barriers_lifted",
    "skills_acquired",
}


# --- results ---------------------------------------------------------------------------------


def _number(value) -> int | Decimal:
    if value is None:
        return 0
    if isinstance(value, dt.timedelta):
        return value.days
    return value


@dataclass
class Figure:
    indicator: Indicator
    #: None when secret: a hidden count never travels further than the row that holds it.
    numerator: int | None
    denominator: int | None
    #: The secrecy markers of the numerator and of the denominator ("", « < 5 » or « s »): set on
    #: every figure that leaves the school team (`impact.secrecy`), empty for the team itself.
    numerator_secret: str = ""
    denominator_secret: str = ""

    @property
    def key(self) -> str:
        return self.indicator.key

    @property
    def secret(self) -> str:
        """The figure's own marker: « < 5 » when a count it is computed from is, « s » when one is
        hidden for another reason, "" when it is published."""
        marks = (self.numerator_secret, self.denominator_secret)
        return PRIMARY if PRIMARY in marks else SECONDARY if SECONDARY in marks else ""

    @property
    def suppressed(self) -> bool:
        return bool(self.secret)

    @property
    def shown_numerator(self) -> int | str:
        """The numerator as printed: its marker when hidden."""
        return self.numerator_secret or self.numerator

    @property
    def shown_denominator(self) -> int | str | None:
        return self.denominator_secret or self.denominator

    def _quantity(self, number: int | None) -> str:
        """A count with French thousands separators; minutes as whole hours (« 1 081 732 h »)."""
        if number is None:
            return ""
        if self.indicator.in_minutes:
            hours = int((Decimal(number) / 60).quantize(Decimal("1"), ROUND_HALF_UP))
            return f"{hours:,}".replace(",", "\u202f") + "\u00a0h"
        return f"{number:,}".replace(",", "\u202f")

    @property
    def numerator_display(self) -> str:
        return self.numerator_secret or self._quantity(self.numerator)

    @property
    def denominator_display(self) -> str:
        return self.denominator_secret or self._quantity(self.denominator)

    @property
    def counts(self) -> str:
        """« numerator / denominator » as printed, or "" for a count."""
        if not self.indicator.den:
            return ""
        return f"{self.numerator_display} / {self.denominator_display}"

    @cached_property
    def value(self) -> Decimal | int | None:
        """A count, a fraction between 0 and 1 (4 decimals), or a mean (1 decimal); None when
        there is nothing to divide by or when the figure is secret. Computed once: a figure is
        written once, read by its text, its percentage and its comparison with the target."""
        kind = self.indicator.kind
        if self.secret:
            return None
        if kind == "count":
            return self.numerator
        if not self.denominator:
            return None
        places = Decimal("0.0001") if kind == "rate" else Decimal("0.1")
        return (Decimal(self.numerator) / Decimal(self.denominator)).quantize(places, ROUND_HALF_UP)

    @property
    def percent(self) -> int | None:
        """The rate in whole percent, as printed everywhere (dashboard, report, exports, charts).
        Rounded half up, except that a rate under the target never prints as the target: the
        comparison is on the unrounded rate, and 69,6 % reads « 69 % », « sous l'objectif »."""
        value = self.value
        if self.indicator.kind != "rate" or value is None:
            return None
        percent = int((value * 100).quantize(Decimal("1"), ROUND_HALF_UP))
        if self.indicator.targeted and not self.meets_target:
            percent = min(percent, int(TARGET * 100) - 1)
        return percent

    @property
    def display(self) -> str:
        if self.secret:
            return self.secret
        value = self.value
        if value is None:
            return "—"
        if self.indicator.kind == "rate":
            return f"{self.percent}\u00a0%"
        if self.indicator.kind == "mean":
            return f"{value}".replace(".", ",") + (
                f"\u00a0{self.indicator.unit}" if self.indicator.unit else ""
            )
        return self._quantity(value)  # « 101 652 », as its rate's counts beside it

    @property
    def meets_target(self) -> bool | None:
        if not self.indicator.targeted or self.value is None:
            return None
        return Decimal(self.numerator) >= TARGET * self.denominator  # unrounded


@dataclass
class Row:
    key: object
    label: str
    measures: dict[str, int]
    #: measure → secrecy marker, for the measures hidden in this row (`impact.secrecy`).
    secret: dict[str, str] = field(default_factory=dict)

    def figure(self, i: Indicator) -> Figure:
        """One figure of the row: a dashboard's table shows 8 of the 40, on 50 of 2,000 rows."""
        secret = self.secret
        num_secret = secret.get(i.num, "") if secret else ""
        den_secret = secret.get(i.den, "") if secret and i.den else ""
        return Figure(
            i,
            None if num_secret else _number(self.measures.get(i.num)),
            None if den_secret or not i.den else _number(self.measures.get(i.den)),
            num_secret,
            den_secret,
        )

    @property
    def figures(self) -> dict[str, Figure]:
        return {i.key: self.figure(i) for i in INDICATORS}

    def __getitem__(self, key: str) -> Figure:
        return self.figure(INDICATOR[key])


@dataclass
class Table:
    scope: Scope
    filters: Filters
    group: str | None
    rows: list[Row]
    #: When `rows` are one page of the table (`dashboard_tables`' `page`): how many rows it has.
    count: int | None = None

    @property
    def group_label(self) -> str:
        return GROUPS.get(self.group, "")


def below_target_rows(rows: list[Row]) -> list[Row]:
    """The rows whose positive-exit rate is known and below TARGET, compared unrounded."""
    return [row for row in rows if row["positive_exit_rate"].meets_target is False]


def _measures_by_source(names) -> dict[str, dict[str, Measure]]:
    by_source: dict[str, dict[str, Measure]] = {}
    for name in names:
        measure = MEASURES[name]
        by_source.setdefault(measure.source, {})[name] = measure
    return by_source


def _label(group: str, key, label) -> str:
    if key is None:
        return "Non renseigné"
    return str(label if label is not None else key)


def indicators(scope: Scope, filters: Filters = Filters(), group: str | None = None, measures=None) -> Table:
    """Every measure of `scope` under `filters`, in total (`group=None`, one row) or broken down by
    `group` (one row per school, year…, in label order). One query per source."""
    if group is not None and group not in GROUPS:
        raise ValueError(f"Regroupement inconnu : {group}")
    names = measures or list(MEASURES)
    rows: dict[object, Row] = {}
    from . import rollup

    if rollup.readable(scope, filters, group):
        lines = rollup.grouped(scope, filters, (group,) if group else (), names)
        return _rollup_table(scope, filters, group, names, lines)
    for source_name, measures_of_source in _measures_by_source(names).items():
        source = SOURCES[source_name]
        queryset = source.base(source.where(scope, filters, group)).order_by()
        aggregates = {name: m.expression() for name, m in measures_of_source.items()}
        if group is None:
            values = queryset.aggregate(**aggregates)
            rows.setdefault(None, Row(None, "Ensemble", {})).measures.update(values)
            continue
        key, label_path = source.dimension(group)
        fields = {"group_key": key}
        if label_path:
            fields["group_label"] = F(label_path)
        for values in queryset.values(**fields).annotate(**aggregates):
            group_key = values.pop("group_key")
            label = values.pop("group_label", None)
            row = rows.setdefault(group_key, Row(group_key, _label(group, group_key, label), {}))
            row.measures.update(values)
    return _table(scope, filters, group, rows)


def rollup_rows(scope: Scope, filters: Filters, group: str | None, names: list[str], lines) -> list[Row]:
    """The rows of a table of the rollup from its lines (`rollup.grouped`), sorted as any table."""
    return _rollup_table(scope, filters, group, names, lines).rows


def _rollup_table(scope: Scope, filters: Filters, group: str | None, names: list[str], lines) -> Table:
    rows: dict[object, Row] = {}
    for keys, labels, values in lines:
        key = keys[0] if group else None
        label = _label(group, key, labels[0]) if group else "Ensemble"
        rows[key] = Row(key, label, dict(zip(names, values, strict=True)))
    return _table(scope, filters, group, rows)


def _table(scope: Scope, filters: Filters, group: str | None, rows: dict[object, Row]) -> Table:
    if group is None:
        return Table(scope, filters, None, list(rows.values()) or [Row(None, "Ensemble", {})])
    # Schools as the database sorts a page of them (`rollup.grouped_together`): by folded name, then
    # by key.
    ordered = sorted(
        rows.values(),
        key=lambda r: (
            (r.key is None, r.key) if group == "year" else (r.key is None, fold(r.label), r.key or 0)
        ),
    )
    return Table(scope, filters, group, ordered)


#: Breakdowns in which each row of the rollup falls in exactly one line (not the funders: a school
#: has several): the total is the sum of the lines.
PARTITIONS = {"school", "trade", "region", "departement", "prescriber", "year"}


def indicators_with_total(scope: Scope, filters: Filters, group: str) -> tuple[Row, Table]:
    """The total row and the table by `group`: one query for both from the rollup, one per source
    from the records when `group` partitions them."""
    from . import rollup

    if group in PARTITIONS and rollup.readable(scope, filters, group):
        names = list(MEASURES)
        lines = rollup.grouped(scope, filters, (group,), names)
        table = _rollup_table(scope, filters, group, names, lines)
        # Integers from the rollup: each column summed at C speed.
        sums = [sum(column) for column in zip(*(values for _keys, _labels, values in lines), strict=True)]
        return Row(None, "Ensemble", dict(zip(names, sums or [0] * len(names), strict=True))), table
    if group in PARTITIONS:
        # From the records: the total summed from the same pass (see dashboard_tables).
        total, _by_year, table = dashboard_tables(scope, filters, group)
        return total, table
    table = indicators(scope, filters, group)
    return indicators(scope, filters).rows[0], table


def measures_of(keys) -> list[str]:
    """The measures the indicators `keys` are computed from (numerators and denominators)."""
    names: dict[str, None] = {}
    for key in keys:
        indicator = INDICATOR[key]
        names[indicator.num] = None
        if indicator.den:
            names[indicator.den] = None
    return list(names)


def dashboard_tables(
    scope: Scope,
    filters: Filters,
    group: str,
    shown: tuple[list[str], list[str]] | None = None,
    page: tuple[int, int] | None = None,
) -> tuple[Row, Table, Table]:
    """A dashboard's total, its table by year and its table by `group`. Read from the records: one
    query per source grouped by year — and by `group` too when it is a partition (every measure
    adds up over years, schools and prescribers: what the rollup relies on) — the total and the
    tables summed from its rows; a breakdown that is no partition (cohorts: a referral can lead to
    two; funders) is one more query per source. Three passes over the attendance and observations
    cost seconds under load on the demo's 18 schools.

    `shown`, (measures of the table by year, measures of the table by `group`): only those, in
    tables read from the rollup — a page shows a few indicators of each line, where an export or a
    protected table (`impact.secrecy`) needs them all. The total is then summed on its own (at
    national scale the table by year sums 22,000 rows, the total 2,000: one per school), the three
    tables in one statement.

    `page`, (offset, limit), with `shown` and a table by school: only that page of its rows (the
    table's `count` says how many it has), sorted by the database as `_table` sorts them — a
    national network's page reads 50 schools, not 2,000."""
    from . import rollup

    if shown is not None and rollup.readable(scope, filters, group):
        year_measures, group_measures = shown
        if group == "year":  # one table for both: the columns of both
            year_measures = group_measures = list(dict.fromkeys(year_measures + group_measures))
        names = list(MEASURES)
        paged = page is not None and group == "school"
        tables = [
            ((), names),
            (("year",), year_measures),
            ((group,), group_measures, *([page] if paged else [])),
        ]
        lines = rollup.grouped_together(scope, filters, tables[:2] if group == "year" else tables)
        total = _rollup_table(scope, filters, None, names, lines[0]).rows[0]
        by_year = _rollup_table(scope, filters, "year", year_measures, lines[1])
        if group == "year":
            return total, by_year, by_year
        by_group = _rollup_table(scope, filters, group, group_measures, lines[2])
        if paged:
            by_group.count = lines[2].count
        return total, by_year, by_group
    if rollup.readable(scope, filters, "year") or rollup.readable(scope, filters, group):
        total, by_year = indicators_with_total(scope, filters, "year")
        return total, by_year, by_year if group == "year" else indicators(scope, filters, group)
    both = group if group in PARTITIONS and group != "year" else None
    total, by_year, by_group = Row(None, "Ensemble", {}), {}, {}
    for source_name, measures_of_source in _measures_by_source(list(MEASURES)).items():
        source = SOURCES[source_name]
        queryset = source.base(source.where(scope, filters, both)).order_by()
        fields = {"year_key": source.dimension("year")[0]}
        if both:
            key, label_path = source.dimension(both)
            fields["group_key"] = key
            if label_path:
                fields["group_label"] = F(label_path)
        for name in measures_of_source:
            total.measures.setdefault(name, 0)
        aggregates = {name: m.expression() for name, m in measures_of_source.items()}
        for values in queryset.values(**fields).annotate(**aggregates):
            year = values.pop("year_key")
            rows = [total, by_year.setdefault(year, Row(year, _label("year", year, None), {}))]
            if both:
                group_key, label = values.pop("group_key"), values.pop("group_label", None)
                rows.append(
                    by_group.setdefault(group_key, Row(group_key, _label(both, group_key, label), {}))
                )
            for row in rows:
                for name, value in values.items():
                    row.measures[name] = _number(row.measures.get(name)) + _number(value)
    years = _table(scope, filters, "year", by_year)
    if both:
        return total, years, _table(scope, filters, group, by_group)
    return total, years, years if group == "year" else indicators(scope, filters, group)


def measure_learners(scope: Scope, filters: Filters, measure: str, group: str | None = None, value=None):
    """The learner ids counted by one measure (a subquery for `Learner.objects.filter(pk__in=…)`):
    the same source and condition as the figure."""
    spec = MEASURES[measure]
    source = SOURCES[spec.source]
    queryset = source.base(source.where(scope, filters, group, value))
    return queryset.filter(spec.where).order_by().values(source.learner)


def cross_counts(scope: Scope, groups: tuple[str, ...], measures: list[str], filters: Filters = Filters()):
    """Measures broken down by several groups at once (year × région × trade for the open data):
    `{(key, …): {"labels": (label, …), measure: value, …}}`. One query per source."""
    result: dict[tuple, dict] = {}
    from . import rollup

    if rollup.readable(scope, filters, "cohort" if "cohort" in groups else None):
        for keys, labels, values in rollup.grouped(scope, filters, groups, measures):
            labels = tuple(_label(g, k, lb) for g, k, lb in zip(groups, keys, labels, strict=True))
            result[tuple(keys)] = {"labels": labels, **dict(zip(measures, values, strict=True))}
        return result
    for source_name, measures_of_source in _measures_by_source(measures).items():
        source = SOURCES[source_name]
        queryset = source.base(source.where(scope, filters)).order_by()
        fields = {}
        for i, group in enumerate(groups):
            key, label_path = source.dimension(group)
            fields[f"k{i}"] = key
            if label_path:
                fields[f"l{i}"] = F(label_path)
        aggregates = {name: m.expression() for name, m in measures_of_source.items()}
        for values in queryset.values(**fields).annotate(**aggregates):
            key = tuple(values.pop(f"k{i}") for i in range(len(groups)))
            labels = tuple(
                _label(g, k, values.pop(f"l{i}", None))
                for i, (g, k) in enumerate(zip(groups, key, strict=True))
            )
            cell = result.setdefault(key, {"labels": labels})
            cell.update({name: _number(values[name]) for name in aggregates})
    return result


#: What the list of learners behind each measure holds, in plain French.
MEASURE_LABELS = {
    "referred": "Jeunes orienté·es vers l'école (prescriptions)",
    "admitted": "Jeunes admis·es",
    "started": "Jeunes entré·es en formation",
    "women": "Jeunes femmes entrées en formation",
    "qpv": "Jeunes des quartiers prioritaires entré·es en formation",
    "rqth": "Jeunes avec une RQTH entré·es en formation",
    "non_qualified": "Jeunes sans diplôme entré·es en formation",
    "barriers": "Jeunes avec au moins un frein repéré",
    "barriers_lifted": "Jeunes avec au moins un frein levé",
    "attended_minutes": "Jeunes présent·es sur au moins une feuille signée ou un mois d'historique importé",
    "scheduled_minutes": "Jeunes inscrit·es sur au moins une feuille signée ou un mois d'historique importé",
    "skills_acquired": "Jeunes avec au moins une compétence acquise",
    "ended": "Jeunes sorti·es de formation (parcours terminé ou abandon)",
    "completed": "Jeunes qui ont terminé leur parcours",
    "dropped_out": "Jeunes qui ont abandonné",
    "exits": "Jeunes sorti·es (situation à la sortie enregistrée)",
    "counted_exits": "Sorties comptées (toutes sauf les sorties neutralisées)",
    "positive_exits": "Sorties positives (emploi durable, de transition, sortie positive)",
    "hired_by_host": "Jeunes embauché·es par une entreprise de stage",
    "with_job": "Jeunes dont un premier emploi est connu",
    "days_to_job": "Jeunes dont un premier emploi est connu",
    **{f"exits_{c.value}": f"Sorties : {c.label.lower()}" for c in ExitCategory},
    **{f"followups_{h}": f"Suivis à {h} mois comptés (renseignés ou sans nouvelles)" for h in HORIZONS},
    **{f"positive_{h}": f"Situations positives au suivi à {h} mois" for h in HORIZONS},
    **{f"durable_{h}": f"Emplois durables au suivi à {h} mois" for h in HORIZONS},
    **{f"due_{h}": f"Suivis à {h} mois encore à faire" for h in HORIZONS},
}
