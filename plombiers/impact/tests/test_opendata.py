"""The open data: no published cell from 1 to 4, and no hidden cell that the published ones reveal."""

import random

import pytest

from plombiers.impact import opendata as od
from plombiers.impact.access import resolve_scope


def _random_table(seed: int) -> od.OpenTable:
    rng = random.Random(seed)
    rows, values = [], {}
    years = ["2023", "2024", "2025"][: rng.randint(1, 3)]
    regions = ["Bretagne", "Grand Est", "Île-de-France", "Occitanie"][: rng.randint(1, 4)]
    trades = ["Data center", "Fibre optique"][: rng.randint(1, 2)]
    for year in years:
        for region in regions:
            for trade in trades:
                row = (year, region, trade)
                rows.append(row)
                categories = {c: rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 35]) for c in od.CATEGORIES}
                exits = sum(categories.values())
                values.update({(row, c): v for c, v in categories.items()})
                values[(row, "exits")] = exits
                values[(row, "positive_exits")] = sum(categories[c] for c in od.POSITIVE_PARTS)
                values[(row, "completed")] = max(exits - rng.randint(0, 5), 0)
                values[(row, "started")] = exits + rng.randint(0, 9)
    table_rows = []
    for year in years:
        detail = [r for r in rows if r[0] == year]
        table_rows += [*detail, (year, od.TOTAL, od.TOTAL)]
        for m in od.MEASURES:
            values[((year, od.TOTAL, od.TOTAL), m)] = sum(values[(r, m)] for r in detail)
    grand = (od.TOTAL, od.TOTAL, od.TOTAL)
    table_rows.append(grand)
    for m in od.MEASURES:
        values[(grand, m)] = sum(values[((y, od.TOTAL, od.TOTAL), m)] for y in years)
    return od.OpenTable(table_rows, values, dict.fromkeys(values, ""))


def _solve_single_unknowns(table: od.OpenTable) -> dict:
    """The classic attack, written independently of `od.bounds`: in any relation where one cell
    only is hidden, it is the total minus the parts (or the sum of the parts); repeat."""
    known = {c: v for c, v in table.values.items() if not table.status[c]}
    found = True
    while found:
        found = False
        for total, parts in table.equations():
            unknown = [c for c in [total, *parts] if c not in known]
            if len(unknown) == 1:
                cell = unknown[0]
                known[cell] = (
                    sum(known[p] for p in parts)
                    if cell == total
                    else known[total] - sum(known[p] for p in parts if p != cell)
                )
                found = True
    return {c: v for c, v in known.items() if table.status[c]}


def _check(table: od.OpenTable):
    for row in table.records():
        for value in row[3:]:
            assert value in (od.PRIMARY, od.SECONDARY) or value == 0 or value >= od.THRESHOLD, row
    assert _solve_single_unknowns(table) == {}
    assert od.disclosed(table) == []
    # Every hidden cell keeps a range of at least two values for the interval attacker.
    inferred = od.bounds(table)
    for cell, status in table.status.items():
        if status:
            lo, hi = inferred[cell]
            assert lo < hi and lo <= table.values[cell] <= hi, cell


@pytest.mark.parametrize("seed", range(60))
def test_random_tables_are_protected(seed):
    _check(od.protect(_random_table(seed)))


def test_a_lone_small_cell_gets_a_complement():
    row = ("2025", "Bretagne", "Fibre optique")
    values = {(row, m): 10 for m in od.MEASURES}
    values.update({(row, c): 10 for c in od.CATEGORIES})
    values[(row, "exits_autre_sortie")] = 2
    values[(row, "exits_sortie_neutralisee")] = 7
    values[(row, "exits")] = 39
    values[(row, "positive_exits")] = 30
    rows = [row, ("2025", od.TOTAL, od.TOTAL), (od.TOTAL, od.TOTAL, od.TOTAL)]
    for total in rows[1:]:
        values.update({(total, m): values[(row, m)] for m in od.MEASURES})
    table = od.protect(od.OpenTable(rows, values, dict.fromkeys(values, "")))
    assert table.status[(row, "exits_autre_sortie")] == od.PRIMARY
    # Its row would give it back (39 − the others): the smallest other category is hidden too.
    assert table.status[(row, "exits_sortie_neutralisee")] == od.SECONDARY
    _check(table)


@pytest.mark.django_db
def test_the_network_table(cast, world, django_assert_num_queries):
    scope = resolve_scope(cast.staff, "network")
    # The last rollup run with the number of schools (none: the records), then one query per source.
    with django_assert_num_queries(4):
        table = od.open_table(scope)
    _check(table)
    grand = (od.TOTAL, od.TOTAL, od.TOTAL)
    assert table.values[(grand, "started")] == 22
    assert table.values[(grand, "exits")] == 21
    assert table.published(grand, "started") == 22
    body = od.as_csv(table).decode("utf-8")
    assert body.startswith("\ufeffannee;region;metier;")
    assert "< 5" in body
