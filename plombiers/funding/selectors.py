"""The reads of the funding app that other apps call (the impact dashboards): cost indicators, the
funding share by funder type, the figures a funder may see and the BPF numbers. Each is a handful
of grouped SQL aggregations, whatever the number of schools, learners or half-days.

Conventions, the same everywhere:
- a year is a calendar year;
- learners **started** in a year entered their cohort that year; **completed** ones finished their
  path (status « parcours terminé ») with an end date that year; **positive exits** are
  `Exit.objects.positive()` dated that year, out of `Exit.objects.counted()`;
- **hours of training** are the minutes attended on the signed sheets of the year's half-days — the
  rule of `Enrolment.objects.with_hours()`: the half-day for a present learner, less the delay for a
  late one, nothing for an absence, excused or not — plus the hours attended of the months of history
  a school imported from its former spreadsheets (`AttendanceHistory`, dated by the month's first
  day; a month is never both on sheets and in the history);
- **spending** is the sum of the actual amounts of the school's budget lines for the year;
- **income** is cash received from grants (payments dated that year) plus OPCO invoices issued that
  year (émises or payées), by funder type (`Organisation.category` grouped in `FUNDER_TYPE_OF_CATEGORY`).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear

from plombiers.cohorts.enums import AttendanceStatus, EnrolmentStatus
from plombiers.cohorts.models import MINUTES as HISTORY_MINUTES
from plombiers.cohorts.models import Attendance, AttendanceHistory, Enrolment, TrainingSession
from plombiers.lib import secrecy
from plombiers.network.models import School
from plombiers.outcomes.models import Exit

from .enums import (
    BPF_ORIGIN_OF_TYPE,
    COMMITTED,
    FUNDER_TYPE_OF_CATEGORY,
    BpfOrigin,
    FunderType,
    InvoiceStatus,
)
from .models import ZERO, BudgetLine, Grant, GrantPayment, OpcoFunding, OpcoInvoice
from .money import cents

THERE = [AttendanceStatus.PRESENT, AttendanceStatus.LATE]
#: Counts from 1 to this less one are shown « < 5 » to funders: a small school's figures could name
#: a person (`plombiers.lib.secrecy`, the rule of every figure that leaves the school team).
SMALL_COUNT = secrecy.THRESHOLD


def _ids(schools) -> list[int]:
    if hasattr(schools, "values_list"):
        return list(schools.values_list("pk", flat=True))
    return [s if isinstance(s, int) else s.pk for s in schools]


def _per_school(rows, key: str = "n") -> dict[int, int | Decimal]:
    return {row["school"]: row[key] for row in rows}


def _ratio(total: Decimal | None, count) -> Decimal | None:
    if total is None or not count:
        return None
    return cents(Decimal(total) / Decimal(count))


# --- hours, learners, exits ----------------------------------------------------------------------


def attended_minutes_by_school(school_ids: list[int], start: dt.date, end: dt.date) -> dict[int, int]:
    """Minutes attended on the signed sheets of the half-days between two dates, plus the months of
    imported history (`AttendanceHistory`) that begin between them: one query (two subqueries)."""
    sheets = (
        Attendance.objects.signed()
        .filter(session__cohort__school=OuterRef("pk"), session__date__range=(start, end), status__in=THERE)
        .values("session__cohort__school")
        .annotate(n=Sum(F("session__duration_minutes") - F("late_minutes")))
        .values("n")
    )
    months = (
        AttendanceHistory.objects.filter(enrolment__cohort__school=OuterRef("pk"), month__range=(start, end))
        .values("enrolment__cohort__school")
        .annotate(n=Sum(HISTORY_MINUTES["attended_hours"]))
        .values("n")
    )
    rows = (
        School.objects.filter(pk__in=school_ids)
        .annotate(
            n=Coalesce(Subquery(sheets, output_field=IntegerField()), 0)
            + Coalesce(Subquery(months, output_field=IntegerField()), 0)
        )
        .filter(n__gt=0)
        .values(school=F("pk"), n=F("n"))
        .order_by()
    )
    return _per_school(rows)


def learner_counts_by_school(
    school_ids: list[int], start: dt.date, end: dt.date
) -> dict[str, dict[int, int]]:
    """Learners started and completed, positive exits and counted exits, per school (4 queries)."""
    enrolments = (
        Enrolment.objects.filter(cohort__school__in=school_ids).values(school=F("cohort__school")).order_by()
    )
    started = enrolments.filter(entry_date__range=(start, end)).annotate(n=Count("pk"))
    completed = enrolments.filter(status=EnrolmentStatus.COMPLETED, end_date__range=(start, end)).annotate(
        n=Count("pk")
    )
    exits = Exit.objects.filter(enrolment__cohort__school__in=school_ids, exit_date__range=(start, end))
    positive = (
        exits.positive().values(school=F("enrolment__cohort__school")).annotate(n=Count("pk")).order_by()
    )
    counted = exits.counted().values(school=F("enrolment__cohort__school")).annotate(n=Count("pk")).order_by()
    return {
        "started": _per_school(started),
        "completed": _per_school(completed),
        "positive": _per_school(positive),
        "counted": _per_school(counted),
    }


def year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# --- costs ---------------------------------------------------------------------------------------


@dataclass
class Costs:
    spent: Decimal | None
    planned: Decimal | None
    learners_started: int
    learners_completed: int
    positive_exits: int
    exits_counted: int
    training_minutes: int

    @property
    def training_hours(self) -> Decimal:
        return cents(Decimal(self.training_minutes) / Decimal(60))

    @property
    def per_learner_started(self) -> Decimal | None:
        return _ratio(self.spent, self.learners_started)

    @property
    def per_learner_completed(self) -> Decimal | None:
        return _ratio(self.spent, self.learners_completed)

    @property
    def per_positive_exit(self) -> Decimal | None:
        return _ratio(self.spent, self.positive_exits)

    @property
    def per_training_hour(self) -> Decimal | None:
        return _ratio(self.spent, self.training_hours) if self.training_minutes else None

    @property
    def positive_rate(self) -> Decimal | None:
        if not self.exits_counted:
            return None
        return (Decimal(self.positive_exits) * 100 / Decimal(self.exits_counted)).quantize(Decimal("0.1"))


def costs_by_school(schools, year: int) -> dict[int, Costs]:
    """Cost indicators of each school for a year (6 queries whatever the number of schools)."""
    ids = _ids(schools)
    start, end = year_range(year)
    budgets = (
        BudgetLine.objects.filter(budget__school__in=ids, budget__year=year)
        .values(school=F("budget__school"))
        .annotate(spent=Sum("actual"), planned=Sum("planned"))
        .order_by()
    )
    money = {row["school"]: row for row in budgets}
    counts = learner_counts_by_school(ids, start, end)
    minutes = attended_minutes_by_school(ids, start, end)
    return {
        pk: Costs(
            spent=money.get(pk, {}).get("spent"),
            planned=money.get(pk, {}).get("planned"),
            learners_started=counts["started"].get(pk, 0),
            learners_completed=counts["completed"].get(pk, 0),
            positive_exits=counts["positive"].get(pk, 0),
            exits_counted=counts["counted"].get(pk, 0),
            training_minutes=minutes.get(pk, 0) or 0,
        )
        for pk in ids
    }


def costs(schools, year: int) -> Costs:
    """The same indicators over several schools together (a network, a territory, a funder's)."""
    rows = costs_by_school(schools, year).values()
    spent = [c.spent for c in rows if c.spent is not None]
    planned = [c.planned for c in rows if c.planned is not None]
    return Costs(
        spent=sum(spent, ZERO) if spent else None,
        planned=sum(planned, ZERO) if planned else None,
        learners_started=sum(c.learners_started for c in rows),
        learners_completed=sum(c.learners_completed for c in rows),
        positive_exits=sum(c.positive_exits for c in rows),
        exits_counted=sum(c.exits_counted for c in rows),
        training_minutes=sum(c.training_minutes for c in rows),
    )


# --- income and funding share ------------------------------------------------------------------


def funder_type(category: str) -> str:
    return FUNDER_TYPE_OF_CATEGORY.get(category, FunderType.OTHER)


def income_by_funder_type(
    school_ids: Iterable[int], year: int, *, network_id: int | None = None
) -> dict[str, Decimal]:
    """Grant payments received in the year and OPCO invoices issued in the year, by funder type
    (2 queries). With `network_id`, the network's own grants (no school) are counted too."""
    start, end = year_range(year)
    ids = list(school_ids)
    where = Q(grant__school__in=ids)
    if network_id is not None:
        where |= Q(grant__school__isnull=True, grant__network=network_id)
    payments = (
        GrantPayment.objects.filter(where, paid_on__range=(start, end))
        .values(category=F("grant__funder__category"))
        .annotate(total=Sum("amount"))
        .order_by()
    )
    income: dict[str, Decimal] = dict.fromkeys(FunderType.values, ZERO)
    for row in payments:
        income[funder_type(row["category"])] += row["total"]
    income[FunderType.OPCO] += OpcoInvoice.objects.filter(
        funding__cohort__school__in=ids,
        status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PAID],
        issued_on__range=(start, end),
    ).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    return income


@dataclass
class Share:
    funder_type: str
    label: str
    amount: Decimal
    percent: Decimal | None


def funding_share(school_ids: Iterable[int], year: int, *, network_id: int | None = None) -> list[Share]:
    """Each funder type's share of the income of the year, in percent to one decimal."""
    income = income_by_funder_type(school_ids, year, network_id=network_id)
    total = sum(income.values(), ZERO)
    labels = dict(FunderType.choices)
    return [
        Share(
            funder_type=key,
            label=labels[key],
            amount=amount,
            percent=(amount * 100 / total).quantize(Decimal("0.1")) if total else None,
        )
        for key, amount in income.items()
    ]


# --- overview ---------------------------------------------------------------------------------


def grant_totals(grants, group: str) -> list[dict]:
    """Requested, granted and paid amounts of `grants` grouped by `group` (a field path): two
    queries (the payments are summed apart, so that they never multiply the grants' rows)."""
    rows = list(
        grants.values(key=F(group))
        .annotate(
            count=Count("pk"),
            requested=Sum("amount_requested"),
            granted=Coalesce(Sum("amount_granted", filter=Q(status__in=COMMITTED)), ZERO),
        )
        .order_by("key")
    )
    paid = dict(
        GrantPayment.objects.filter(grant__in=grants.values("pk"))
        .values_list(f"grant__{group}")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        row["paid"] = paid.get(row["key"], ZERO)
    return rows


# --- what a funder sees -------------------------------------------------------------------------


def funded_schools(organisation_ids):
    """Schools that a funder supports: a grant of theirs granted or paid."""
    return School.objects.filter(
        pk__in=Grant.objects.filter(
            funder__in=organisation_ids, status__in=COMMITTED, school__isnull=False
        ).values("school")
    ).order_by("name")


def suppressed(count: int) -> str:
    """A lone count shown to a funder: « < 5 » from 1 to 4 (one could recognise a person)."""
    return secrecy.shown(count, secrecy.primary(count))


@dataclass
class FunderFigures:
    school: School | None
    started: str
    completed: str
    positive: str
    hours: str


FUNDER_COUNTS = ("started", "completed", "positive")
ALL = "*"


def counts_by_school_year(school_ids: list[int]) -> dict[tuple[str, int, int | None], int]:
    """{(measure, school, year): n} — learners started (by entry date), completed (by end date),
    positive exits (by exit date) and minutes attended on signed sheets (by half-day): 4 queries."""
    enrolments = Enrolment.objects.filter(cohort__school__in=school_ids).order_by()
    exits = Exit.objects.filter(enrolment__cohort__school__in=school_ids).order_by()
    queries = {
        "started": enrolments.values(school=F("cohort__school"), year=ExtractYear("entry_date")).annotate(
            n=Count("pk")
        ),
        "completed": enrolments.filter(status=EnrolmentStatus.COMPLETED, end_date__isnull=False)
        .values(school=F("cohort__school"), year=ExtractYear("end_date"))
        .annotate(n=Count("pk")),
        "positive": exits.positive()
        .values(school=F("enrolment__cohort__school"), year=ExtractYear("exit_date"))
        .annotate(n=Count("pk")),
        # The signed sheets and the months of imported history, in one query (UNION ALL).
        "minutes": Attendance.objects.signed()
        .filter(session__cohort__school__in=school_ids, status__in=THERE)
        .values(school=F("session__cohort__school"), year=ExtractYear("session__date"))
        .annotate(n=Sum(F("session__duration_minutes") - F("late_minutes")))
        .order_by()
        .union(
            AttendanceHistory.objects.filter(enrolment__cohort__school__in=school_ids)
            .values(school=F("enrolment__cohort__school"), year=ExtractYear("month"))
            .annotate(n=Sum(HISTORY_MINUTES["attended_hours"]))
            .order_by(),
            all=True,
        ),
    }
    counts: dict[tuple[str, int, int | None], int] = {}
    for m, q in queries.items():
        for r in q:
            key = (m, r["school"], r["year"])
            counts[key] = counts.get(key, 0) + (r["n"] or 0)
    return counts


def funder_figures(schools: list[School], year: int | None, *, today: dt.date) -> list[FunderFigures]:
    """Per school and in total (several schools): learners started and completed, positive exits
    and hours of training in `year`, or since the schools opened (`None`: every year up to this
    one), with statistical secrecy (4 queries).

    The secrecy is decided once on the whole table of schools × years with its totals — each year,
    and since the opening — so that no year, school or total shown on another visit gives back a
    hidden count. Hours are hidden with the count of learners started."""
    ids = [s.pk for s in schools]
    counts = counts_by_school_year(ids)
    years = sorted({y for (_m, _s, y) in counts if y is not None})
    past = [y for y in years if y <= today.year]
    places = [*ids, ALL] if len(ids) > 1 else ids
    values: dict = {}
    for m in (*FUNDER_COUNTS, "minutes"):
        for y in years:
            for pk in ids:
                values[(m, pk, y)] = counts.get((m, pk, y), 0)
            values[(m, ALL, y)] = sum(values[(m, pk, y)] for pk in ids)
        for place in places:
            values[(m, place, ALL)] = sum(values[(m, place, y)] for y in past)
    cells = secrecy.Cells({k: v for k, v in values.items() if k[0] in FUNDER_COUNTS and k[1] in places})
    for m in FUNDER_COUNTS:
        for place in places:
            cells.sums.append(((m, place, ALL), tuple((m, place, y) for y in past)))
        if len(ids) > 1:
            for y in [*years, ALL]:
                cells.sums.append(((m, ALL, y), tuple((m, pk, y) for pk in ids)))
    status = secrecy.protect(cells)
    column = year if year is not None else ALL

    def figures(school, place):
        shown = {
            m: secrecy.shown(values.get((m, place, column), 0), status.get((m, place, column), ""))
            for m in FUNDER_COUNTS
        }
        minutes = values.get(("minutes", place, column), 0)
        hours = "—" if status.get(("started", place, column)) else f"{Decimal(minutes) / 60:.0f}"
        return FunderFigures(school, shown["started"], shown["completed"], shown["positive"], hours)

    rows = [figures(s, s.pk) for s in schools]
    if len(schools) > 1:
        rows.append(figures(None, ALL))
    return rows


# --- bilan pédagogique et financier ------------------------------------------------------------


@dataclass
class Bpf:
    school: School
    year: int
    income: dict[str, Decimal] = field(default_factory=dict)
    learners: int = 0
    learner_minutes: int = 0
    trainers: list[tuple[str, int]] = field(default_factory=list)

    @property
    def income_rows(self) -> list[tuple[str, Decimal]]:
        labels = dict(BpfOrigin.choices)
        return [(labels[key], self.income.get(key, ZERO)) for key in BpfOrigin.values]

    @property
    def income_total(self) -> Decimal:
        return sum(self.income.values(), ZERO)

    @property
    def learner_hours(self) -> Decimal:
        return cents(Decimal(self.learner_minutes) / 60)

    @property
    def trainer_minutes(self) -> int:
        return sum(minutes for _, minutes in self.trainers)

    @property
    def trainer_hours(self) -> Decimal:
        return cents(Decimal(self.trainer_minutes) / 60)


def bpf(school: School, year: int) -> Bpf:
    """The yearly figures of the BPF of one school (4 queries): income by origin, learners trained
    and their hours on signed sheets, trainers and the hours of the half-days they led."""
    start, end = year_range(year)
    result = Bpf(school=school, year=year)
    income = dict.fromkeys(BpfOrigin.values, ZERO)
    for key, amount in income_by_funder_type([school.pk], year).items():
        income[BPF_ORIGIN_OF_TYPE[key]] += amount
    result.income = income
    # The signed sheets of the year's half-days and the months of imported history of the year.
    learners = (
        Enrolment.objects.filter(cohort__school=school)
        .with_minutes(start, end)
        .aggregate(
            learners=Count("pk", filter=Q(total_attended_minutes__gt=0)),
            minutes=Coalesce(Sum("total_attended_minutes"), 0),
        )
    )
    result.learners, result.learner_minutes = learners["learners"], learners["minutes"]
    trainers = (
        TrainingSession.objects.locked()
        .filter(cohort__school=school, date__range=(start, end), trainer__isnull=False)
        .values("trainer", "trainer__first_name", "trainer__last_name", "trainer__email")
        .annotate(minutes=Sum("duration_minutes"))
        .order_by("trainer__last_name", "trainer__first_name", "trainer")
    )
    result.trainers = [
        (f"{t['trainer__first_name']} {t['trainer__last_name']}".strip() or t["trainer__email"], t["minutes"])
        for t in trainers
    ]
    return result


def invoices_to_issue(user):
    """The OPCO invoices prepared and not yet issued, of the cohorts whose OPCO funding the user
    sees (network staff, the school's manager): the director's home counts them. Oldest period first."""
    return (
        OpcoInvoice.objects.filter(
            funding__in=OpcoFunding.objects.visible_to(user), status=InvoiceStatus.TO_ISSUE
        )
        .select_related("funding__cohort__school", "funding__opco")
        .order_by("period_start", "pk")
    )
