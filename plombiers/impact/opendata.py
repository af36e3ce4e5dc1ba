"""The open-data export of the whole network: an anonymised table of counts, with statistical
secrecy.

One row per year × région × trade, plus a total row per year and a grand total; columns: young
people who started, completed, exited, exited positively, and exits by official category.

Secrecy is the rule of every figure that leaves the school team (`plombiers.lib.secrecy`): a cell
counting 1 to 4 young people is hidden (« < 5 »), and so is, in turn, the smallest published cell of
a relation that would give it back (« s »). The table holds additive relations — a row's exits are
the sum of its five categories, its positive exits the sum of three; a year's total row is the sum
of its rows, the grand total the sum of the years — and an attacker who knows them narrows each
hidden cell to an interval (`disclosed` below).

Only aggregates are read (one query per source); the suppression works on the table of counts,
never on people.
"""

from dataclasses import dataclass

from plombiers.lib import secrecy
from plombiers.lib.secrecy import PRIMARY, SECONDARY, THRESHOLD  # noqa: F401 — the open data's markers
from plombiers.lib.spreadsheet import csv_bytes

from .selectors import Filters, Scope, cross_counts

TOTAL = "Ensemble"

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


def _cells(table: OpenTable) -> secrecy.Cells:
    return secrecy.Cells(table.values, [(total, tuple(parts)) for total, parts in table.equations()])


def bounds(table: OpenTable) -> dict[tuple, tuple[float, float]]:
    """What an attacker can infer of every cell from the published ones and the relations."""
    return secrecy.bounds(_cells(table), table.status)


def disclosed(table: OpenTable) -> list[tuple]:
    """Hidden cells whose value the attacker can recompute exactly."""
    return secrecy.disclosed(_cells(table), table.status)


def _order(cell) -> tuple:
    # Among cells of the same count, a category before the totals it adds up to.
    return (cell[1] in ("exits", "positive_exits"), str(cell))


def protect(table: OpenTable) -> OpenTable:
    """Primary then complementary suppression, in place."""
    table.status = secrecy.protect(_cells(table), order=_order)
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
