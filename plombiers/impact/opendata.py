"""The open-data export of the whole network: an anonymised table of counts, with statistical
secrecy.

One row per year × région × trade, plus a total row per year and a grand total; columns: young
people who started, completed, exited, exited positively, and exits by official category.

Secrecy, in two passes:
1. *primary*: every cell counting fewer than 5 young people (0 included) is suppressed, shown « < 5 »;
2. *secondary* (complementary): the table holds additive relations — a row's exits are the sum of
   its five categories, its positive exits the sum of three; a year's total row is the sum of its
   rows, the grand total the sum of the years. An attacker who knows them and that a « < 5 » cell
   lies between 0 and 4 (a « s » one at 5 or more) narrows each hidden cell to an interval
   (`disclosed` below). While some hidden cell's interval is a single value, the smallest
   published cell of a relation that holds it is hidden too (shown « s »). This ends: each round
   hides one more cell.

Only aggregates are read (one query per source); the suppression works on the table of counts,
never on people.
"""

from dataclasses import dataclass

from plombiers.lib.spreadsheet import csv_bytes

from .selectors import Filters, Scope, cross_counts

THRESHOLD = 5
PRIMARY = "< 5"
SECONDARY = "s"
TOTAL = "Ensemble"
INF = float("inf")

COLUMNS = [
    ("started", "entrees_en_formation"),
    ("completed", "parcours_termines"),
    ("exits", "sorties"),
    ("positive_exits", "sorties_positives"),
    ("exits_emploi_durable", "emploi_durable"),
    ("exits_emploi_transition", "emploi_de_transition"),
    ("exits_sortie_positive", "sortie_positive_formation"),
    ("exits_autre_sortie", "autre_sortie"),
    ("exits_sortie_neutralisee", "sortie_neutralisee"),
]
MEASURES = [m for m, _ in COLUMNS]
CATEGORIES = [
    "exits_emploi_durable",
    "exits_emploi_transition",
    "exits_sortie_positive",
    "exits_autre_sortie",
    "exits_sortie_neutralisee",
]
POSITIVE_PARTS = ["exits_emploi_durable", "exits_emploi_transition", "exits_sortie_positive"]
HEADER = ["annee", "region", "metier", *[name for _, name in COLUMNS]]


@dataclass
class OpenTable:
    """Rows of (year, région, trade) labels and cells; `values` keeps the true counts (never
    published), `status` says for each cell whether it is published, « < 5 » or « s »."""

    rows: list[tuple]  # (year, region, trade)
    values: dict[tuple, int]  # (row, column) → count
    status: dict[tuple, str]  # (row, column) → "" | PRIMARY | SECONDARY

    def published(self, row, column) -> str | int:
        return self.status[(row, column)] or self.values[(row, column)]

    def records(self) -> list[list]:
        return [[*row, *[self.published(row, c) for c in MEASURES]] for row in self.rows]

    def equations(self) -> list[tuple[tuple, list[tuple]]]:
        return equations(self.rows)


def equations(rows) -> list[tuple[tuple, list[tuple]]]:
    """Every additive relation of the table: (total cell, [part cells])."""
    result = []
    for row in rows:
        result.append(((row, "exits"), [(row, c) for c in CATEGORIES]))
        result.append(((row, "positive_exits"), [(row, c) for c in POSITIVE_PARTS]))
    years = sorted({r[0] for r in rows if r[0] != TOTAL})
    for column in MEASURES:
        for year in years:
            details = [r for r in rows if r[0] == year and r[1] != TOTAL]
            result.append((((year, TOTAL, TOTAL), column), [(r, column) for r in details]))
        result.append((((TOTAL, TOTAL, TOTAL), column), [((y, TOTAL, TOTAL), column) for y in years]))
    return result


def bounds(table: OpenTable) -> dict[tuple, tuple[float, float]]:
    """What an attacker can infer of every cell from the published ones and the relations:
    interval propagation to a fixed point (published: exact; « < 5 »: 0 to 4; « s »: 5 or more)."""
    known = {}
    for cell, status in table.status.items():
        if status == PRIMARY:
            known[cell] = (0, THRESHOLD - 1)
        elif status == SECONDARY:
            known[cell] = (THRESHOLD, INF)
        else:
            known[cell] = (table.values[cell], table.values[cell])
    relations = table.equations()
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            lo_sum = sum(known[p][0] for p in parts)
            hi_sum = sum(known[p][1] for p in parts)
            updates = {total: (max(known[total][0], lo_sum), min(known[total][1], hi_sum))}
            for p in parts:
                others_lo = lo_sum - known[p][0]
                others_hi = hi_sum - known[p][1]
                updates[p] = (
                    max(known[p][0], known[total][0] - others_hi),
                    min(known[p][1], known[total][1] - others_lo),
                )
            for cell, (lo, hi) in updates.items():
                if (lo, hi) != known[cell] and lo <= hi:
                    known[cell] = (lo, hi)
                    changed = True
    return known


def disclosed(table: OpenTable) -> list[tuple]:
    """Hidden cells whose value the attacker can recompute exactly."""
    inferred = bounds(table)
    return [
        cell for cell, status in table.status.items() if status and inferred[cell][0] == inferred[cell][1]
    ]


def protect(table: OpenTable) -> OpenTable:
    """Primary then complementary suppression, in place."""
    for cell, value in table.values.items():
        table.status[cell] = PRIMARY if value < THRESHOLD else ""
    relations = table.equations()
    while leaks := disclosed(table):
        cell = leaks[0]
        candidates = [
            c
            for total, parts in relations
            if cell == total or cell in parts
            for c in [total, *parts]
            if not table.status[c]
        ]
        if not candidates:  # every cell of its relations is hidden already: hide the whole table
            for c in table.status:
                table.status[c] = table.status[c] or SECONDARY
            break
        smallest = min(
            candidates, key=lambda c: (table.values[c], c[1] in ("exits", "positive_exits"), str(c))
        )
        table.status[smallest] = SECONDARY
    return table


def open_table(scope: Scope) -> OpenTable:
    """The network's table, protected. Three queries (entries, ends, exits)."""
    counts = cross_counts(scope, ("year", "region", "trade"), MEASURES, Filters())
    detail: dict[tuple, dict] = {}
    for key, cell in counts.items():
        year, _region, _trade = cell["labels"]
        row = (str(key[0]) if key[0] is not None else "Non renseigné", cell["labels"][1], cell["labels"][2])
        merged = detail.setdefault(row, dict.fromkeys(MEASURES, 0))
        for m in MEASURES:
            merged[m] += cell.get(m, 0)
    rows = sorted(detail)
    years = sorted({r[0] for r in rows})
    values = {}
    for row in rows:
        for m in MEASURES:
            values[(row, m)] = detail[row][m]
    all_rows = []
    for year in years:
        year_rows = [r for r in rows if r[0] == year]
        all_rows += year_rows
        total_row = (year, TOTAL, TOTAL)
        all_rows.append(total_row)
        for m in MEASURES:
            values[(total_row, m)] = sum(values[(r, m)] for r in year_rows)
    grand = (TOTAL, TOTAL, TOTAL)
    all_rows.append(grand)
    for m in MEASURES:
        values[(grand, m)] = sum(values[((y, TOTAL, TOTAL), m)] for y in years)
    return protect(OpenTable(all_rows, values, dict.fromkeys(values, "")))


def as_csv(table: OpenTable) -> bytes:
    """French Excel dialect: `;`, UTF-8 with a BOM."""
    return csv_bytes([HEADER, *table.records()])
