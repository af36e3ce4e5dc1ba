"""The rollup (`models.Rollup`, `models.CohortRollup`, `models.SchoolRollup`, `models.MonthRollup`,
`models.NetworkRollup`): how it is kept, and how the indicators read it.

**Kept exact at every write.** Every write that changes a measure marks what it changed
(`impact.maintain`: receivers of the source models' signals, and explicit marks where a service
writes in bulk); before the transaction commits, `update_schools` recomputes the rows of each school
concerned — delete and insert of its school × prescriber × year rows (and school × cohort ×
prescriber × year, and school × month), from the same queries as a full run (`_cells`, by month),
and of its rows by year and over every year, summed from them (`_by_school`); what those gained or lost is added to the rows of the
school's network (`NetworkRollup`, `_shift`: by difference, so that two schools of one network
written at once both count). Why the whole school rather than
deltas: a school's rows are computed by the very definitions of the indicators (`selectors.SOURCES`,
`MEASURES`), so the rollup cannot drift from them whatever the write (a barrier lifted changes the
« started » source, an exit's first job found at a follow-up changes `days_to_job`…); and one
school's recompute is a few tens of milliseconds (see docs/performance.md), paid once per
transaction, not once per record. Why before the commit rather than after (`on_commit`): another
connection must never see records without their rollup, nor the other way round. On PostgreSQL two
transactions recomputing the same school wait for each other (an advisory lock per school), and a
full run waits for them all (and they for it).

**Recomputed** by `refresh`, every night and on demand, as a check: it reports (log and
`RollupRun.corrected`) how many rows differed from the records. It is expected to find none,
except for the entries into training dated today, which count from their date without any write
(`selectors.SOURCES["started"]`: an entry counts once it has happened): the nightly run brings them
in. Schools are taken a batch at a time (memory stays flat at 2,000 schools), the whole run in one
transaction: a dashboard sees the old figures or the new ones, never half of each; the networks'
rows are summed again from the schools' at its end.

**Read** instead of the records for every dashboard (network, funder, school, cohort) once a
complete run exists (before it, the rows of the schools never written to would be missing): a
cohort's and every table by cohort from `CohortRollup`, every table by prescriber from `Rollup`,
the others (total, by year, school, trade, région, département, funder) from `SchoolRollup` — over
every year when no year is asked for, one row per school — but for a whole network (its staff, a
funder of every one of its schools and of no other: `Scope.whole_network_id`), whose total and table by
year are its own rows in `NetworkRollup`. A dashboard's three tables are one
statement (`grouped_together`). A period of whole months (`since`/`until`: the public results page
of a school, over the last twelve) is read from `MonthRollup`. Still read from the records: a
period dated to the day, and the lists of learners behind a figure.
"""

import datetime as dt
import functools
import logging
import operator
import time

from django.db import connection, connections, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from plombiers.cohorts.models import Cohort
from plombiers.lib import derived
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Commune, Departement, Organisation, Partnership, Region, School, Trade

from .models import CohortRollup, MonthRollup, NetworkRollup, Rollup, RollupRun, SchoolRollup
from .selectors import MEASURES, SOURCES, _measures_by_source, _number

logger = logging.getLogger(__name__)

BATCH = 200
#: The PostgreSQL advisory lock of a full run (any constant of our own); a school's recompute holds
#: it shared, and the school's own lock (`LOCK`, school id) exclusive.
LOCK = 0x706C6F6D  # "plom"


def _lock(using: str, school_ids: list[int] | None) -> None:
    """PostgreSQL: a full run (`school_ids=None`) alone; a school's recompute beside others, one at
    a time for one school. SQLite has one writer anyway."""
    db = connections[using]
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        if school_ids is None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [LOCK])
        for pk in sorted(school_ids):  # always in the same order: no deadlock between two writes
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK, pk])


#: The key of each table's rows, in the order of the cells' keys.
KEYS = {
    Rollup: ("school_id", "prescriber_id", "year"),
    CohortRollup: ("school_id", "cohort_id", "prescriber_id", "year"),
    SchoolRollup: ("school_id", "year", "every_year"),
    MonthRollup: ("school_id", "year", "month"),
}


def _rows(cells: dict, model) -> list:
    keys = KEYS[model]
    return [model(**dict(zip(keys, key, strict=True)), **cell) for key, cell in cells.items()]


def _existing(model, school_ids: list[int] | None, using: str, keys=None) -> dict[tuple, tuple]:
    """{key: measures} of the rows of these schools (every row: None) in `model`, keyed by `keys`
    (the model's `KEYS`)."""
    keys = keys or KEYS[model]
    rows = model.objects.using(using)
    if school_ids is not None:
        rows = rows.filter(school__in=school_ids)
    return {
        tuple(row[k] for k in keys): tuple(row[name] for name in MEASURES)
        for row in rows.values(*keys, *MEASURES)
    }


def _changed(before: dict[tuple, tuple], cells: dict[tuple, dict]) -> set[tuple]:
    """The keys of the rows a write of `cells` adds, changes or removes."""
    after = {key: tuple(cell.get(name, 0) for name in MEASURES) for key, cell in cells.items()}
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


#: Beyond this many rows to correct in one batch, its schools' rows are all written again (one
#: `DELETE` by school) rather than deleted one condition at a time.
FEW_CHANGES = 500


def _write_changes(model, school_ids: list[int], before: dict, cells: dict, changed: set, using: str) -> None:
    """Write only the rows that differ: a nightly check that finds its rows right writes nothing
    (where writing every row again left PostgreSQL twice as many dead rows as live ones, which the
    next dashboards read through until autovacuum came by: the national one 40 → 60 ms)."""
    rows = model.objects.using(using).filter(school__in=school_ids)
    if len(changed) > FEW_CHANGES:
        rows.delete()
        changed = cells.keys()
    else:
        stale = [dict(zip(KEYS[model], key, strict=True)) for key in changed if key in before]
        for start in range(0, len(stale), 100):
            rows.filter(
                functools.reduce(operator.or_, (Q(**key) for key in stale[start : start + 100]))
            ).delete()
    fresh = {key: cells[key] for key in changed if key in cells}
    model.objects.using(using).bulk_create(_rows(fresh, model), batch_size=1000)


def _by_school(narrow: dict[tuple, dict]) -> dict[tuple, dict]:
    """The cells of `SchoolRollup`: those of `Rollup` summed over the prescribers, by school × year
    and by school over every year."""
    cells: dict[tuple, dict] = {}
    for (s, _p, y), cell in narrow.items():
        for key in ((s, y, False), (s, None, True)):
            _add(cells.setdefault(key, {}), cell)
    return cells


def _write(
    school_ids: list[int], using: str, *, compare: bool = False, networks: bool = True
) -> tuple[int, int]:
    """Replace the rows of these schools in the three tables by those of the records, and add to
    their networks' rows what they changed (`networks`; a full run sums those again at its end):
    (rows of `Rollup`, rows corrected in the four tables)."""
    rows = corrected = 0
    narrow, by_cohort, by_month = _both(school_ids, using)
    for model, cells in (
        (Rollup, narrow),
        (CohortRollup, by_cohort),
        (SchoolRollup, _by_school(narrow)),
        (MonthRollup, by_month),
    ):
        if compare or (networks and model is SchoolRollup):
            before = _existing(model, school_ids, using)
            if networks and model is SchoolRollup:
                _shift(before, cells, using)
        if compare:  # the check: only what differs
            changed = _changed(before, cells)
            corrected += len(changed)
            _write_changes(model, school_ids, before, cells, changed, using)
        else:
            # A write's school: nothing points to a rollup row, Django deletes them in one statement.
            model.objects.using(using).filter(school__in=school_ids).delete()
            model.objects.using(using).bulk_create(_rows(cells, model), batch_size=1000)
        if model is Rollup:
            rows += len(cells)
    return rows, corrected


def _shift(before: dict[tuple, tuple], cells: dict[tuple, dict], using: str) -> None:
    """Add to each network's rows (`NetworkRollup`) what its schools' rows by year and over every
    year gain or lose from `before` to `cells`: one `INSERT … ON CONFLICT DO UPDATE SET m = m + d`
    per row of a network that changes. Additions, not a sum read again: two transactions writing
    two schools of one network at once each add their own part (PostgreSQL makes the second wait
    for the first's row, then adds to it), where each would have summed the schools without the
    other's. Rows in a fixed order, so that two writers never wait for each other in a circle."""
    schools = {key[0] for key in before.keys() | cells.keys()}
    network_of = dict(School.objects.using(using).filter(pk__in=schools).values_list("pk", "network_id"))
    zero = (0,) * len(MEASURES)
    deltas: dict[tuple, list[int]] = {}
    for key in before.keys() | cells.keys():
        old = before.get(key, zero)
        new = tuple(cells.get(key, {}).get(name, 0) for name in MEASURES)
        if old == new:
            continue
        school, year, every_year = key
        delta = deltas.setdefault((network_of[school], every_year, year), [0] * len(MEASURES))
        for i, (a, b) in enumerate(zip(new, old, strict=True)):
            delta[i] += a - b
    if not deltas:
        return
    table = _table(NetworkRollup)
    names = [connection.ops.quote_name(name) for name in MEASURES]
    columns = ", ".join(["network_id", "year", "every_year", *names])
    marks = ", ".join(["%s"] * (3 + len(names)))
    added = ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in names)
    with connections[using].cursor() as cursor:
        for (network, every_year, year), delta in sorted(
            deltas.items(), key=lambda item: (item[0][:2], item[0][2] or 0)
        ):
            # The conflict target is the partial unique index, as the migration wrote it.
            target = (
                '("network_id") WHERE "every_year"'
                if every_year
                else '("network_id", "year") WHERE NOT "every_year"'
            )
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT {target} DO UPDATE SET {added}",  # noqa: S608 — names from the model
                [network, year, every_year, *delta],
            )


def _sum_networks(using: str, *, compare: bool) -> int:
    """Sum every network's rows again from `SchoolRollup` (the end of a full run): the rows that
    differed, when `compare`."""
    keys = ("network_id", "year", "every_year")
    fresh = {
        (v["school__network_id"], v["year"], v["every_year"]): {name: v[name] or 0 for name in MEASURES}
        for v in SchoolRollup.objects.using(using)
        .order_by()
        .values("school__network_id", "year", "every_year")
        .annotate(**{name: Sum(name) for name in MEASURES})
    }
    corrected = 0
    if compare:
        corrected = len(_changed(_existing(NetworkRollup, None, using, keys), fresh))
    NetworkRollup.objects.using(using).all().delete()
    NetworkRollup.objects.using(using).bulk_create(
        [NetworkRollup(**dict(zip(keys, key, strict=True)), **cell) for key, cell in fresh.items()],
        batch_size=1000,
    )
    return corrected


def kept(using: str = "default") -> bool:
    """Whether the rollup is kept: once a complete run exists. Before it nothing reads the rollup,
    and that run computes it all."""
    return RollupRun.objects.using(using).filter(complete=True).exists()


def update_schools(school_ids, using: str = "default") -> None:
    """Recompute the rows of these schools, in the current transaction (the maintained path). Nothing
    to do before the first complete run: nothing reads the rollup yet, and that run computes all."""
    ids = sorted({pk for pk in school_ids if pk is not None})
    if not ids or not kept(using):
        return
    with transaction.atomic(using=using):
        _lock(using, ids)
        _write(ids, using)


def refresh(school_ids=None) -> RollupRun:
    """Recompute the rollup of every school (`school_ids=None`) or of those schools, counting the
    rows that differed from the records."""
    started_at, started = timezone.now(), time.perf_counter()
    if school_ids is None:
        ids = list(School.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(school_ids))
    rows = corrected = 0
    with transaction.atomic():
        _lock(connection.alias, None)
        if school_ids is None:
            # Rows of schools that no longer exist are gone with them (cascade): every row left
            # belongs to a school of `ids`, compared batch by batch.
            derived.forget()
        for start in range(0, len(ids), BATCH):
            batch_rows, batch_corrected = _write(
                ids[start : start + BATCH], connection.alias, compare=True, networks=school_ids is not None
            )
            rows += batch_rows
            corrected += batch_corrected
        if school_ids is None:
            corrected += _sum_networks(connection.alias, compare=True)
        if connection.vendor == "postgresql":
            # Fresh rows have no statistics until autovacuum comes by: the planner would sort on
            # disk what it can hash in memory.
            with connection.cursor() as cursor:
                for model in (*KEYS, NetworkRollup):
                    cursor.execute(f"ANALYZE {_table(model)}")
        run = RollupRun.objects.create(
            started_at=started_at,
            finished_at=timezone.now(),
            seconds=time.perf_counter() - started,
            schools=len(ids),
            rows=rows,
            complete=school_ids is None,
            corrected=corrected,
            by_month=school_ids is None,
        )
    if corrected:
        logger.warning(
            "Cumuls des indicateurs : %s ligne(s) corrigée(s) sur %s école(s).", corrected, len(ids)
        )
    else:
        logger.info("Cumuls des indicateurs : aucune ligne à corriger (%s école(s)).", len(ids))
    return run


def _both(school_ids: list[int], using: str) -> tuple[dict, dict, dict]:
    """The cells of the tables by prescriber, by cohort and by month, reading each source once, by
    month: every source but the referrals has one cohort per row, so its cells by school ×
    prescriber are the sums of its cells by cohort; the referrals (one may lead to two cohorts, or
    none) are read again without the cohort. The years are the sums of their months."""
    referral_measures = {name for name, m in MEASURES.items() if m.source == "referrals"}
    by_cohort = _cells(school_ids, by_cohort=True, using=using)
    narrow = _cells(school_ids, using=using, sources={"referrals"})
    for (s, _c, p, y, m), cell in by_cohort.items():
        summed = {name: value for name, value in cell.items() if name not in referral_measures}
        if not summed:
            continue
        _add(narrow.setdefault((s, p, y, m), {}), summed)
    by_month: dict[tuple, dict] = {}
    for (s, _p, y, m), cell in narrow.items():
        if y is not None:  # undated: in no period of months
            _add(by_month.setdefault((s, y, m), {}), cell)
    return _by_year(narrow), _by_year(by_cohort), by_month


def _by_year(cells: dict[tuple, dict]) -> dict[tuple, dict]:
    """Cells keyed by (…, year, month) summed by (…, year)."""
    years: dict[tuple, dict] = {}
    for key, cell in cells.items():
        _add(years.setdefault(key[:-1], {}), cell)
    return years


def _add(target: dict[str, int], cell: dict[str, int]) -> None:
    """Add the measures of `cell` to those of `target`, in place."""
    for name, value in cell.items():
        target[name] = target.get(name, 0) + value


def _cells(
    school_ids: list[int], by_cohort: bool = False, using: str = "default", sources=None
) -> dict[tuple, dict[str, int]]:
    """{(school, prescriber, year, month): {measure: value}} of these schools — {(school, cohort,
    prescriber, year, month): …} `by_cohort` —: one query per source."""
    cells: dict[tuple, dict[str, int]] = {}
    for source_name, measures in _measures_by_source(MEASURES).items():
        if sources is not None and source_name not in sources:
            continue
        source = SOURCES[source_name]
        queryset = source.base(Q(**{f"{source.school}__in": school_ids})).using(using).order_by()
        keys = {"k_school": F(source.school)}
        if by_cohort:
            keys["k_cohort"] = F(source.cohort)
        keys |= {
            "k_prescriber": F(source.prescriber),
            "k_year": ExtractYear(source.date),
            "k_month": ExtractMonth(source.date),
        }
        aggregates = {name: m.expression() for name, m in measures.items()}
        for values in queryset.values(**keys).annotate(**aggregates):
            key = tuple(values[k] for k in keys)
            cell = cells.setdefault(key, {})
            cell.update({name: int(_number(values[name])) for name in measures})
    return cells


# --- reading -----------------------------------------------------------------------------------


def consolidated(scope) -> RollupRun | None:
    """The last complete run, whose rows every write has kept exact since, or None before the first
    one (the records are read). One query; then what this transaction marked is recomputed, so
    that it reads its own writes."""
    run = RollupRun.objects.filter(complete=True).first()
    if run is not None:
        derived.flush()
    return run


def readable(scope, filters, group) -> bool:
    """Whether this table can be read from the rollup. Over a period (`since`/`until`: the public
    results page of a school), only in whole months (`MonthRollup`, once a complete run has filled
    it), and not by prescriber or cohort, which it does not hold; a period dated to the day reads
    the records (checked first: it asks nothing of the rollup, not even its last run)."""
    if filters.since is None and filters.until is None:
        return scope.rollup is not None
    return (
        months(filters) is not None
        and group not in ("prescriber", "cohort")
        and not scope.cohort_id
        and scope.rollup is not None
        and scope.rollup.by_month
    )


def months(filters) -> tuple[int, int] | None:
    """The period of `filters` as its first and last months (year × 100 + month), when it is whole
    months (from the first day of one to the last day of another), else None."""
    since, until = filters.since, filters.until
    if since is None or until is None or since.day != 1 or (until + dt.timedelta(days=1)).day != 1:
        return None
    return since.year * 100 + since.month, until.year * 100 + until.month


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
    # The région kept on the school (`School.region`), not through its commune and département.
    "region": ("rg.id", "rg.name", [f"LEFT JOIN {_table(Region)} rg ON rg.id = sc.region_id"]),
    "departement": ("d.id", "d.name", _PLACE),
    "prescriber": ("o.id", "o.name", [f"LEFT JOIN {_table(Organisation)} o ON o.id = r.prescriber_id"]),
    # Only over `CohortRollup` (`_sql` picks it for a breakdown by cohort).
    "cohort": ("c.id", "c.name", [f"LEFT JOIN {_table(Cohort)} c ON c.id = r.cohort_id"]),
    "funder": (
        "f.id",
        "f.name",
        [
            f"JOIN {_table(Partnership)} p ON p.school_id = r.school_id",
            f"JOIN {_table(Organisation)} f ON f.id = p.organisation_id",
        ],
    ),
}


def _present(names) -> list[str]:
    """The condition that a row counts in a source of these measures, when each has a measure of
    presence (`PRESENCE`): a breakdown then has the lines a read of the records has."""
    sources = {MEASURES[name].source for name in names}
    if sources <= PRESENCE.keys():
        return ["(" + " OR ".join(f"r.{PRESENCE[s]} > 0" for s in sorted(sources)) + ")"]
    return []


def _keys(groups) -> list[str]:
    return [DIMENSIONS[group][0] for group in groups]


def _labels(groups) -> list[str]:
    return [DIMENSIONS[group][1] or "NULL" for group in groups]


def _body(scope, filters, groups: tuple[str, ...], names) -> tuple[str, list, bool]:
    """What follows the columns of a table's `SELECT`: its `FROM`, `WHERE` and `GROUP BY`, their
    parameters, and whether the columns are sums (not when each line is one row already)."""
    if _whole_network(scope, filters, groups):
        return _network_body(scope, filters, groups, names)
    schools_sql, schools_params = scope.schools_sql
    keys, joins = [], []

    def join(needed):
        # The school first, when anything is read through it (not for a table by year alone).
        needed = [f"JOIN {_table(School)} sc ON sc.id = r.school_id", *needed]
        joins.extend(j for j in needed if j not in joins)

    for group in groups:
        key, _label, needed = DIMENSIONS[group]
        keys.append(key)
        if group != "year":  # a table by year reads the rollup alone
            join(needed)
    where, params = [f"r.school_id IN ({schools_sql})"], list(schools_params)
    # A cohort's scope, or a breakdown by cohort, reads the table by cohort; a breakdown by
    # prescriber the table by prescriber; the rest the table by school, over every year when no year
    # is asked for (one row per school).
    by_cohort = bool(scope.cohort_id) or "cohort" in groups
    model = CohortRollup if by_cohort else Rollup if "prescriber" in groups else SchoolRollup
    if filters.since is not None:  # whole months (`readable`)
        model = MonthRollup
        where.append("r.year * 100 + r.month BETWEEN %s AND %s")
        params.extend(months(filters))
    every_year = model is SchoolRollup and not filters.year and "year" not in groups
    if scope.cohort_id:
        where.append("r.cohort_id = %s")
        params.append(scope.cohort_id)
    if filters.year:
        where.append("r.year = %s")
        params.append(filters.year)
    if filters.trade:
        join([])
        where.append("sc.trade_id = %s")
        params.append(filters.trade)
    if filters.region:
        join([])
        where.append("sc.region_id = %s")
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
    where.extend(_present(names))
    if model is SchoolRollup:
        where.append("r.every_year = %s")
        params.append(every_year)
    # Names from the models and `MEASURES`, values as parameters.
    sql = f"FROM {_table(model)} r {' '.join(joins)} WHERE {' AND '.join(where)}"
    # By school over every year: one row per school already (a unique constraint), nothing to sum.
    summed = not (every_year and groups == ("school",))
    if groups and summed:
        sql += f" GROUP BY {', '.join(keys)}"
    return sql, params, summed


def _whole_network(scope, filters, groups) -> bool:
    """Whether this table is a whole network's total or table by year, nothing filtered but the
    year: `NetworkRollup` answers it."""
    return bool(
        not scope.cohort_id
        and filters.since is None
        and set(groups) <= {"year"}
        and not (filters.trade or filters.region or filters.school)
        and scope.whole_network_id  # last: for a funder, a query
    )


def _network_body(scope, filters, groups, names) -> tuple[str, list, bool]:
    """`_body` over the network's own rows: by year (or one year), or over every year."""
    where, params = ["r.network_id = %s"], [scope.whole_network_id]
    every_year = not filters.year and "year" not in groups
    if filters.year:
        where.append("r.year = %s")
        params.append(filters.year)
    where.extend(_present(names))
    where.append("r.every_year = %s")
    params.append(every_year)
    sql = f"FROM {_table(NetworkRollup)} r WHERE {' AND '.join(where)}"
    if groups:
        sql += " GROUP BY r.year"
    return sql, params, True


def grouped(scope, filters, groups: tuple[str, ...], names: list[str]) -> list[tuple[tuple, tuple, tuple]]:
    """[(keys, labels, values)] of the rollup by `groups` (none: one row), `values` in the order of
    `names`.

    One `SUM … GROUP BY` over the rollup, written in SQL rather than through the ORM: compiling 42
    aggregates cost as much as running them at 200 schools. Names come from the models, values are
    parameters; the schools of the scope are its own queryset, compiled as a subquery."""
    return grouped_together(scope, filters, [(groups, names)])[0]


def grouped_together(scope, filters, tables: list[tuple]) -> list[list[tuple]]:
    """The lines of several tables (`grouped`'s, for each (groups, names) of `tables`) in one
    statement: their `SELECT`s joined by `UNION ALL`, each marked by its rank — a dashboard's total,
    table by year and table by school in one round trip.

    Every `SELECT` has as many columns of values as the widest table of several lines: a table of
    one line (the total, 42 measures) with more is read in parts of that width, one `SELECT` each
    (summing one row per school is cheap; transmitting 42 columns for each of 2,000 schools, most of
    them empty, cost as much as the rest of the page). Narrower ones are padded with NULL.

    A table by school may ask for one page of its lines, (groups, names, (offset, limit)): the
    database sorts the schools by their folded name (`School.sort_name`, compared byte by byte, as
    Python compares `fold`'s strings) and returns those lines alone, each with the number of lines
    of the whole table (`count`, last in each line of `PagedLines`)."""
    derived.flush()
    width = max(len(table[0]) for table in tables)
    count = max((len(table[1]) for table in tables if table[0]), default=0) or max(
        len(table[1]) for table in tables
    )
    collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    parts, params = [], []
    # The tables of several lines first: PostgreSQL types each column from the first `SELECT`s,
    # and two NULLs in a row would make a text column of the keys.
    for rank in sorted(range(len(tables)), key=lambda rank: not tables[rank][0]):
        groups, names, *page = tables[rank]
        body, part_params, summed = _body(scope, filters, groups, names)
        padding = ["NULL"] * (width - len(groups))
        column = "COALESCE(SUM(r.{}), 0)" if summed else "r.{}"
        # A table of several lines is never wider than `count`: one part.
        for start in range(0, len(names), count):
            head = ", ".join([str(rank), str(start), *_keys(groups), *padding, *_labels(groups), *padding])
            chunk = names[start : start + count]
            values = [column.format(name) for name in chunk] + ["NULL"] * (count - len(chunk))
            if page:
                if groups != ("school",):
                    raise ValueError("Seul le tableau par école se lit par page.")
                offset, limit = page[0]
                # Names from the models, values as parameters.
                ordered = f"{body} ORDER BY sc.sort_name{collate}, sc.id LIMIT %s OFFSET %s"
                inner = f"SELECT {head}, {', '.join(values)}, COUNT(*) OVER () {ordered}"
                parts.append(f"SELECT * FROM ({inner}) page")  # noqa: S608
                params.extend([*part_params, limit, offset])
            else:
                parts.append(f"SELECT {head}, {', '.join(values)}, NULL {body}")
                params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    lines: list[list[tuple]] = [PagedLines() if len(table) > 2 else [] for table in tables]
    parted: dict[int, dict[int, tuple]] = {}
    for row in rows:
        rank, start = row[0], row[1]
        groups, names = tables[rank][:2]
        n = len(groups)
        values = row[2 + 2 * width : 2 + 2 * width + min(count, len(names) - start)]
        if len(names) > count:  # one line in parts: put together below
            parted.setdefault(rank, {})[start] = values
            continue
        if row[-1] is not None:
            lines[rank].count = row[-1]
        lines[rank].append((row[2 : 2 + n], row[2 + width : 2 + width + n], values))
    for rank, pieces in parted.items():
        lines[rank].append(((), (), tuple(v for start in sorted(pieces) for v in pieces[start])))
    return lines


class PagedLines(list):
    """The lines of one page of a table, and how many lines the whole table has (`count`)."""

    count = 0
