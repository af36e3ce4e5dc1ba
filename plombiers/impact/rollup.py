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

import time

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Func, Q, Subquery
from django.db.models.functions import ExtractYear
from django.utils import timezone

from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Commune, Departement, Organisation, Partnership, Region, School, Trade

from .models import Rollup, RollupRun
from .selectors import MEASURES, SOURCES, _measures_by_source, _number

BATCH = 200
#: The PostgreSQL advisory lock of a run (any constant of our own).
LOCK = 0x706C6F6D  # "plom"


def refresh(school_ids=None) -> RollupRun:
    """Recompute the rollup of every school (`school_ids=None`) or of those schools."""
    started_at, started = timezone.now(), time.perf_counter()
    if school_ids is None:
        ids = list(School.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(school_ids))
    rows = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One run at a time (the nightly task, a click on « Recalculer »): two runs deleting and
            # inserting at once would each keep their own rows. SQLite has one writer anyway.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        # Nothing points to a rollup row: Django deletes them in one statement.
        (Rollup.objects.all() if school_ids is None else Rollup.objects.filter(school__in=ids)).delete()
        for start in range(0, len(ids), BATCH):
            cells = _cells(ids[start : start + BATCH])
            Rollup.objects.bulk_create(
                (Rollup(school_id=s, prescriber_id=p, year=y, **cell) for (s, p, y), cell in cells.items()),
                batch_size=1000,
            )
            rows += len(cells)
        if connection.vendor == "postgresql":
            # Fresh rows have no statistics until autovacuum comes by: the planner would sort on
            # disk what it can hash in memory.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {_table(Rollup)}")
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
    if scope.kind in ("school", "cohort"):
        return None
    # The last complete run and the number of schools of the scope, in one query.
    schools = scope.schools.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    run = RollupRun.objects.filter(complete=True).annotate(scope_schools=Subquery(schools)).first()
    if run is None or run.scope_schools < settings.IMPACT_ROLLUP_FROM_SCHOOLS:
        return None
    return run


def readable(scope, filters, group) -> bool:
    """Whether this table can be read from the rollup (a cohort's scope never has a run)."""
    return scope.rollup is not None and group != "cohort" and filters.since is None and filters.until is None


#: The measure that counts every row of a source, where there is one: a breakdown read from the
#: records has a line where a source has rows, and so has one read from the rollup.
PRESENCE = {"referrals": "referred", "started": "started", "ended": "ended", "exits": "exits"}


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# Each breakdown: (key, label, the joins it needs), over the rollup `r` and its school `sc`.
_PLACE = [
    f"JOIN {_table(Commune)} m ON m.id = sc.commune_id",
    f"LEFT JOIN {_table(Departement)} d ON d.id = m.departement_id",
]
# Keyed by the primary key of the table that holds the label, so that PostgreSQL groups by the keys
# alone (a label depends on its key) and hashes 2,000 schools instead of sorting 66,000 rows.
DIMENSIONS = {
    "year": ("r.year", None, []),
    "school": ("sc.id", "sc.name", []),
    "trade": ("t.id", "t.name", [f"JOIN {_table(Trade)} t ON t.id = sc.trade_id"]),
    "region": ("rg.id", "rg.name", [*_PLACE, f"LEFT JOIN {_table(Region)} rg ON rg.id = d.region_id"]),
    "departement": ("d.id", "d.name", _PLACE),
    "prescriber": ("o.id", "o.name", [f"LEFT JOIN {_table(Organisation)} o ON o.id = r.prescriber_id"]),
    "funder": (
        "f.id",
        "f.name",
        [
            f"JOIN {_table(Partnership)} p ON p.school_id = r.school_id",
            f"JOIN {_table(Organisation)} f ON f.id = p.organisation_id",
        ],
    ),
}


def _sql(scope, filters, groups: tuple[str, ...], names) -> tuple[str, list]:
    schools_sql, schools_params = scope.schools.order_by().values("pk").query.sql_with_params()
    keys, labels, joins = [], [], [f"JOIN {_table(School)} sc ON sc.id = r.school_id"]

    def join(needed):
        joins.extend(j for j in needed if j not in joins)

    for group in groups:
        key, label, needed = DIMENSIONS[group]
        keys.append(key)
        labels.append(label)
        join(needed)
    where, params = [f"r.school_id IN ({schools_sql})"], list(schools_params)
    if filters.year:
        where.append("r.year = %s")
        params.append(filters.year)
    if filters.trade:
        where.append("sc.trade_id = %s")
        params.append(filters.trade)
    if filters.region:
        join(_PLACE)
        where.append("d.region_id = %s")
        params.append(filters.region)
    if filters.school:
        where.append("r.school_id = %s")
        params.append(filters.school)
    if "funder" in groups:
        where.append("f.kind = %s")
        params.append(OrganisationKind.FUNDER.value)
        if scope.kind == "funder":
            where.append("f.id = %s")
            params.append(scope.obj.pk)
    sources = {MEASURES[name].source for name in names}
    if sources <= PRESENCE.keys():
        where.append("(" + " OR ".join(f"r.{PRESENCE[s]} > 0" for s in sorted(sources)) + ")")
    columns = [
        *keys,
        *(label or "NULL" for label in labels),
        *(f"COALESCE(SUM(r.{name}), 0)" for name in names),
    ]
    # Names from the models and `MEASURES`, values as parameters.
    sql = f"SELECT {', '.join(columns)} FROM {_table(Rollup)} r {' '.join(joins)} WHERE {' AND '.join(where)}"  # noqa: S608
    if groups:
        sql += f" GROUP BY {', '.join(keys)}"
    return sql, params


def grouped(scope, filters, groups: tuple[str, ...], names: list[str]) -> list[tuple[tuple, tuple, tuple]]:
    """[(keys, labels, values)] of the rollup by `groups` (none: one row), `values` in the order of
    `names`.

    One `SUM … GROUP BY` over the rollup, written in SQL rather than through the ORM: compiling 42
    aggregates cost as much as running them at 200 schools. Names come from the models, values are
    parameters; the schools of the scope are its own queryset, compiled as a subquery."""
    sql, params = _sql(scope, filters, groups, names)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    n = len(groups)
    return [(row[:n], row[n : 2 * n], row[2 * n :]) for row in rows]
