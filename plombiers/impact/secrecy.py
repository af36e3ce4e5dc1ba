"""Small cells in the figures that leave the school team: the rule of `plombiers.lib.secrecy`
(no count from 1 to 4, no rate whose numerator or denominator is one, and no total or difference
that gives one back) applied to the tables of an impact dashboard, API answer, export or report.

Who reads exact figures is the access rule's business (`access`): the network staff and the
school's team (`Scope.can_list_learners`); everybody else — a funder, the public — reads figures
protected here (`Scope.protected`).

**Cells** are the counts the indicators are computed from (`COUNTS`), in each row of each table of
one output. Minutes and days are sums, not counts: they are hidden with the count of the people
they are summed over (`SUMS`), and so are the attendance rate and the time to a first job.

**Relations** a reader knows and that the protection accounts for:
- in a row: ended = completed + dropped out; a part is at most its whole (women ≤ entries…);
- in a table: the total is the sum of its rows, for every breakdown in which a record falls in one
  row (all but the funders, whose rows are the sums of the schools they fund);
- across outputs: a funder reads the same figures of a school and a year through many doors — its
  own dashboard, each school's, with or without a year, by school, by year or by région. Every
  output is tied to one **base** table, the schools the user reads in aggregate (`Scope.base`) ×
  the years, protected first and alone: a cell it hides stays hidden in every output that shows it
  or a sum that gives it back, whatever that output's own table.

Cost: the base is one more table of counts (one query per source); the protection works on these
tables, never on people, a group of related measures at a time: 0.1 s for a funder of 20 schools
over 10 years, 0.5 s at 100. From `IMPACT_ROLLUP_FROM_SCHOOLS` schools (a funder of national size)
there is no base: each output is protected on its own (0.7 s for 2,000 schools by school).
"""

from dataclasses import dataclass

from django.conf import settings

from plombiers.lib import secrecy
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Partnership

from .selectors import GROUPS, HORIZONS, INDICATORS, Filters, Row, Scope, _number, cross_counts

#: Sums of minutes or days, and the count of people each is summed over.
SUMS = {"attended_minutes": "started", "scheduled_minutes": "started", "days_to_job": "with_job"}
#: Every count an indicator is computed from.
COUNTS = sorted({m for i in INDICATORS for m in (i.num, i.den) if m and m not in SUMS})
#: In a row: total = sum of parts.
ROW_SUMS = [("ended", ("completed", "dropped_out"))]
#: In a row: part ≤ whole.
ROW_ORDERS = [
    ("admitted", "referred"),
    *[(share, "started") for share in ("women", "qpv", "rqth", "non_qualified")],
    ("positive_exits", "counted_exits"),
    ("exits_emploi_durable", "positive_exits"),
    ("barriers_lifted", "barriers"),
    *[(f"positive_{h}", f"followups_{h}") for h in HORIZONS],
]
#: Breakdowns whose rows add up to the total.
PARTITIONS = set(GROUPS) - {"funder"}
#: The base table's margins (every school, every year).
ALL = "*"
TOTAL = ("total",)


@dataclass
class _Base:
    """The base table of counts, protected, and what ties an output's row to it."""

    protected: secrecy.Protected
    schools: dict[int, dict[str, int | None]]  # pk → {"trade": id, "region": id, "departement": id}

    @property
    def values(self) -> dict:
        return self.protected.cells.values


def protect(scope: Scope, filters: Filters, total: Row, tables: dict[str, list[Row]]) -> None:
    """Set `secret` on `total` and on every row of `tables` (breakdown → rows), in place, when the
    figures of `scope` leave the school team; leave them exact otherwise."""
    if not scope.protected:
        return
    cells = secrecy.Cells({})
    rows = {TOTAL: total}
    _add_row(cells, TOTAL, total)
    for group, group_rows in tables.items():
        for row in group_rows:
            rows[(group, row.key)] = row
            _add_row(cells, (group, row.key), row)
        for m in COUNTS:
            if group in PARTITIONS:
                cells.sums.append(((TOTAL, m), tuple(((group, r.key), m) for r in group_rows)))
            else:
                cells.orders.extend((((group, r.key), m), (TOTAL, m)) for r in group_rows)
    base = _base(scope, filters)
    if base is None:
        status = secrecy.protect(cells)
    else:
        _tie(cells, base, scope, filters, tables)
        status = secrecy.protect_against(base.protected, cells)
    for rid, row in rows.items():
        row.secret = {m: status[(rid, m)] for m in COUNTS if status[(rid, m)]}
        for measure, people in SUMS.items():
            if people in row.secret:
                row.secret[measure] = row.secret[people]


def protected_row(scope: Scope, row: Row) -> Row:
    """One row on its own (a public page over a rolling period): protected in place."""
    protect(scope, Filters(), row, {})
    return row


def _add_row(cells: secrecy.Cells, rid, row: Row) -> None:
    for m in COUNTS:
        cells.values[(rid, m)] = int(_number(row.measures.get(m)))
    for whole, parts in ROW_SUMS:
        cells.sums.append(((rid, whole), tuple((rid, p) for p in parts)))
    for part, whole in ROW_ORDERS:
        cells.orders.append(((rid, part), (rid, whole)))


# --- the base: the user's schools × years ------------------------------------------------------


def _base(scope: Scope, filters: Filters) -> _Base | None:
    if scope.base is None or filters.since or filters.until:
        return None
    schools = {
        pk: {"trade": trade, "region": region, "departement": departement}
        for pk, trade, region, departement in scope.base.order_by("pk").values_list(
            "pk", "trade", "commune__departement__region", "commune__departement"
        )
    }
    if len(schools) >= settings.IMPACT_ROLLUP_FROM_SCHOOLS:
        # A funder of national size: its schools × years would cost seconds to protect on every
        # request (half a second at 100 schools); each output is protected on its own instead.
        return None
    counts = cross_counts(Scope("base", scope.label, scope.base), ("school", "year"), COUNTS)
    values: dict = {}
    for (school, year), cell in counts.items():
        for m in COUNTS:
            value = int(_number(cell.get(m)))
            values[("base", school, year, m)] = value
            values[("base", school, ALL, m)] = values.get(("base", school, ALL, m), 0) + value
            values[("base", ALL, year, m)] = values.get(("base", ALL, year, m), 0) + value
            values[("base", ALL, ALL, m)] = values.get(("base", ALL, ALL, m), 0) + value
    # In a fixed order: which complement is chosen must not depend on the order of the rows.
    years = sorted({year for _school, year in counts}, key=lambda y: (y is not None, y or 0))
    cells = secrecy.Cells(values)
    for m in COUNTS:
        for school in schools:
            parts = tuple(("base", school, y, m) for y in years if ("base", school, y, m) in values)
            if parts:
                cells.sums.append((("base", school, ALL, m), parts))
        for year in [*years, ALL]:
            parts = tuple(("base", s, year, m) for s in schools if ("base", s, year, m) in values)
            if parts:
                cells.sums.append((("base", ALL, year, m), parts))
    for key in [(s, y) for s in [*schools, ALL] for y in [*years, ALL]]:
        if ("base", *key, COUNTS[0]) not in values:
            continue
        for whole, parts in ROW_SUMS:
            cells.sums.append((("base", *key, whole), tuple(("base", *key, p) for p in parts)))
        for part, whole in ROW_ORDERS:
            cells.orders.append((("base", *key, part), ("base", *key, whole)))
    # Where a school's small count must be hidden again in a total, the total over several schools
    # goes first: with a large school and a small one, hiding the large one's figures would carry on
    # through every year of it (its report all « s »), where two totals of the funder are enough —
    # and each school's figures are what its funder reads most.
    return _Base(secrecy.protect_table(cells, prefer=lambda cell: cell[1] != ALL), schools)


def _tie(cells: secrecy.Cells, base: _Base, scope: Scope, filters: Filters, tables) -> None:
    """Each row of the output that is a sum of base cells, as such a sum."""
    chosen = set(scope.schools.values_list("pk", flat=True))
    if not chosen <= base.schools.keys():
        return
    if filters.school:
        chosen &= {filters.school}
    if filters.trade:
        chosen = {s for s in chosen if base.schools[s]["trade"] == filters.trade}
    if filters.region:
        chosen = {s for s in chosen if base.schools[s]["region"] == filters.region}
    years = {filters.year} if filters.year else None  # None: every year, the margin

    def tie(rid, schools: set, year_set) -> None:
        if year_set is None:
            keys = [(ALL, ALL)] if schools == base.schools.keys() else [(s, ALL) for s in schools]
        elif schools == base.schools.keys():
            keys = [(ALL, y) for y in year_set]
        else:
            keys = [(s, y) for s in schools for y in year_set]
        for m in COUNTS:
            parts = tuple(("base", *k, m) for k in keys if ("base", *k, m) in base.values)
            if parts:
                cells.sums.append(((rid, m), parts))

    tie(TOTAL, chosen, years)
    funders: dict = {}
    if "funder" in tables:
        for organisation, school in Partnership.objects.filter(
            school__in=chosen, organisation__kind=OrganisationKind.FUNDER
        ).values_list("organisation", "school"):
            funders.setdefault(organisation, set()).add(school)
    for group, rows in tables.items():
        for row in rows:
            rid = (group, row.key)
            if group == "year":
                tie(rid, chosen, {row.key} if years is None or row.key in years else set())
            elif group == "school":
                tie(rid, chosen & {row.key}, years)
            elif group in ("trade", "region", "departement"):
                tie(rid, {s for s in chosen if base.schools[s][group] == row.key}, years)
            elif group == "funder":
                tie(rid, chosen & funders.get(row.key, set()), years)
