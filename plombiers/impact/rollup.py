"""The rollup (`models.Rollup`): how it is recomputed, and how the indicators read it.

**Recomputed** by `refresh`, from the same sources and measures as the live indicators
(`selectors.SOURCES`, `selectors.MEASURES`), grouped by school × prescriber structure × year of
each source's own date: the two paths cannot drift apart, and a test compares them figure by
figure. Schools are taken a batch at a time (memory stays flat at 2,000 schools), the whole run in
one transaction: a dashboard sees the old figures or the new ones, never half of each.

**Read** instead of the records when a scope counts at least `IMPACT_ROLLUP_FROM_SCHOOLS`
schools (a national network, the State as a funder) and the table asked for can be read from it:
not for a cohort (its own scope, or a breakdown by cohort), nor for a rolling period
(`since`/`until`, dated to the day). A school's and a cohort's dashboards stay live: they read one
school's records, which is fast at any size.
"""

import datetime as dt
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from plombiers.network.enums import OrganisationKind
from plombiers.network.models import School

from .models import Rollup, RollupRun
from .selectors import MEASURES, SOURCES, _measures_by_source, _number

BATCH = 200


def refresh(school_ids=None) -> RollupRun:
    """Recompute the rollup of every school (`school_ids=None`) or of those schools."""
    started_at, started = timezone.now(), time.perf_counter()
    if school_ids is None:
        ids = list(School.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(school_ids))
    rows = 0
    with transaction.atomic():
        # Nothing points to a rollup row: Django deletes them in one statement.
        (Rollup.objects.all() if school_ids is None else Rollup.objects.filter(school__in=ids)).delete()
        for start in range(0, len(ids), BATCH):
            cells = _cells(ids[start : start + BATCH])
            Rollup.objects.bulk_create(
                (Rollup(school_id=s, prescriber_id=p, year=y, **cell) for (s, p, y), cell in cells.items()),
                batch_size=1000,
            )
            rows += len(cells)
        return RollupRun.objects.create(
            started_at=started_at,
            finished_at=timezone.now(),
            seconds=time.perf_counter() - started,
            schools=len(ids),
            rows=rows,
            complete=school_ids is None,
        )


def _cells(school_ids: list[int]) -> dict[tuple, dict[str, int]]:
    """{(school, prescriber, year): {measure: value}} of these schools: one query per source."""
    cells: dict[tuple, dict[str, int]] = {}
    for source_name, measures in _measures_by_source(MEASURES).items():
        source = SOURCES[source_name]
        queryset = source.base(Q(**{f"{source.school}__in": school_ids})).order_by()
        keys = {
            "k_school": F(source.school),
            "k_prescriber": F(source.prescriber),
            "k_year": ExtractYear(source.date),
        }
        aggregates = {name: m.expression() for name, m in measures.items()}
        for values in queryset.values(**keys).annotate(**aggregates):
            key = (values["k_school"], values["k_prescriber"], values["k_year"])
            cell = cells.setdefault(key, {})
            cell.update({name: int(_number(values[name])) for name in measures})
    return cells


# --- reading -----------------------------------------------------------------------------------


def consolidated(scope) -> RollupRun | None:
    """The run whose figures a scope reads, or None when it reads the records (small scope, or no
    complete run yet)."""
    threshold = settings.IMPACT_ROLLUP_FROM_SCHOOLS
    if scope.kind in ("school", "cohort") or threshold is None:
        return None
    if scope.schools.count() < threshold:
        return None
    return RollupRun.objects.filter(complete=True).first()


def readable(scope, filters, group) -> bool:
    return (
        scope.rollup is not None
        and not scope.cohort_id
        and group != "cohort"
        and filters.since is None
        and filters.until is None
    )


DIMENSIONS = {
    "school": ("school", "school__name"),
    "trade": ("school__trade", "school__trade__name"),
    "region": ("school__commune__departement__region", "school__commune__departement__region__name"),
    "departement": ("school__commune__departement", "school__commune__departement__name"),
    "prescriber": ("prescriber", "prescriber__name"),
    "funder": ("school__partnerships__organisation", "school__partnerships__organisation__name"),
}


def _where(scope, filters, group) -> Q:
    q = Q(school__in=scope.schools.values("pk"))
    if filters.year:
        q &= Q(year=filters.year)
    if filters.trade:
        q &= Q(school__trade=filters.trade)
    if filters.region:
        q &= Q(school__commune__departement__region=filters.region)
    if filters.school:
        q &= Q(school=filters.school)
    if "funder" in group:
        q &= Q(school__partnerships__organisation__kind=OrganisationKind.FUNDER)
        if scope.kind == "funder":
            q &= Q(school__partnerships__organisation=scope.obj.pk)
    return q


#: The measure that counts every row of a source, where there is one: a breakdown read from the
#: records has a line where a source has rows, and so has one read from the rollup.
PRESENCE = {"referrals": "referred", "started": "started", "ended": "ended", "exits": "exits"}


def _present(names) -> Q:
    sources = {MEASURES[name].source for name in names}
    if not sources <= PRESENCE.keys():
        return Q()
    present = Q()
    for source in sorted(sources):
        present |= Q(**{f"{PRESENCE[source]}__gt": 0})
    return present


def grouped(scope, filters, groups: tuple[str, ...], names) -> list[tuple[tuple, tuple, dict]]:
    """[(keys, labels, {measure: value})] of the rollup, by `groups` (none: one row): one query."""
    fields = {}
    for i, group in enumerate(groups):
        if group == "year":
            fields[f"k{i}"] = F("year")
        else:
            key, label = DIMENSIONS[group]
            fields[f"k{i}"], fields[f"l{i}"] = F(key), F(label)
    queryset = Rollup.objects.filter(_where(scope, filters, groups), _present(names)).order_by()
    aggregates = {name: Sum(name) for name in names}
    if not groups:
        values = queryset.aggregate(**aggregates)
        return [((), (), {name: int(values[name] or 0) for name in names})]
    result = []
    for values in queryset.values(**fields).annotate(**aggregates):
        keys = tuple(values[f"k{i}"] for i in range(len(groups)))
        labels = tuple(values.get(f"l{i}") for i in range(len(groups)))
        result.append((keys, labels, {name: int(values[name] or 0) for name in names}))
    return result


def as_of(run: RollupRun) -> dt.datetime:
    return timezone.localtime(run.started_at)
