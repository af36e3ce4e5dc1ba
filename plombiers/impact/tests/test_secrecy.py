"""Statistical secrecy (`plombiers.lib.secrecy`, `impact.secrecy`): the rule, its secondary
suppression on tables and across the outputs of one base, and its cost."""

import random

import pytest

from plombiers.accounts.services import api_token_create
from plombiers.impact import secrecy as impact_secrecy
from plombiers.impact.access import resolve_scope
from plombiers.impact.selectors import Filters, indicators_with_total
from plombiers.lib import secrecy
from plombiers.lib.secrecy import PRIMARY, SECONDARY


def _solve(values: dict, status: dict, sums) -> dict:
    """The classic attack, apart from the protection: one unknown in a sum is found; repeat."""
    known = {c: v for c, v in values.items() if not status.get(c)}
    found = True
    while found:
        found = False
        for total, parts in sums:
            unknown = [c for c in (total, *parts) if c not in known]
            if len(unknown) == 1:
                cell = unknown[0]
                known[cell] = (
                    sum(known[p] for p in parts)
                    if cell == total
                    else known[total] - sum(known[p] for p in parts if p != cell)
                )
                found = True
    return {c: v for c, v in known.items() if status.get(c)}


def _grid(rng, schools: int, years: int) -> secrecy.Cells:
    """A schools × years table with its margins, many small cells and zeros."""
    values, sums = {}, []
    for s in range(schools):
        for y in range(years):
            values[(s, y)] = rng.choice([0, 0, 1, 2, 3, 4, 5, 7, 9, 12, 20])
        values[(s, "*")] = sum(values[(s, y)] for y in range(years))
        sums.append(((s, "*"), tuple((s, y) for y in range(years))))
    for y in [*range(years), "*"]:
        values[("*", y)] = sum(values[(s, y)] for s in range(schools))
        sums.append((("*", y), tuple((s, y) for s in range(schools))))
    return secrecy.Cells(values, sums)


def _check(cells: secrecy.Cells, status: dict) -> None:
    for cell, value in cells.values.items():
        assert not (secrecy.is_small(value) and not status[cell]), cell  # 1 to 4 never published
    assert _solve(cells.values, status, cells.sums) == {}
    assert secrecy.disclosed(cells, status) == []
    inferred = secrecy.bounds(cells, status)
    for cell, mark in status.items():
        if mark:
            lo, hi = inferred[cell]
            assert lo < hi and lo <= cells.values[cell] <= hi, cell


def test_the_rule():
    assert [secrecy.primary(n) for n in (0, 1, 4, 5, 120)] == ["", PRIMARY, PRIMARY, "", ""]
    assert secrecy.shown(0) == "0" and secrecy.shown(3, PRIMARY) == "< 5"


@pytest.mark.parametrize("seed", range(20))
def test_random_tables_are_protected(seed):
    rng = random.Random(seed)
    cells = _grid(rng, rng.randint(1, 12), rng.randint(1, 6))
    _check(cells, secrecy.protect(cells))


def test_small_cells_that_give_each_other_away_alone():
    """Four exits, one in each of four categories and none in the fifth: with zeros published,
    each « < 5 » is at least 1 and the four of them are one each — one is shown « s » instead."""
    parts = {"durable": 1, "transition": 0, "formation": 1, "autre": 1, "neutralisee": 1}
    cells = secrecy.Cells({"exits": 4, **parts}, [("exits", tuple(parts))])
    status = secrecy.protect(cells)
    assert status["transition"] == "" and SECONDARY in status.values()
    _check(cells, status)


def test_a_total_and_one_small_part():
    cells = secrecy.Cells({"total": 22, "a": 20, "c": 2}, [("total", ("a", "c"))])
    status = secrecy.protect(cells)
    assert status["c"] == PRIMARY and status["a"] == SECONDARY and status["total"] == ""


@pytest.mark.parametrize("seed", range(10))
def test_an_output_agrees_with_its_base(seed):
    """Outputs tied to a protected base (its rows as sums of base cells, with a breakdown of their
    own) hide what the base hides, and never give back a hidden cell of either."""
    rng = random.Random(seed)
    base_cells = _grid(rng, rng.randint(2, 8), rng.randint(2, 5))
    base = secrecy.protect_table(base_cells)
    schools = sorted({s for s, _y in base_cells.values if s != "*"})
    # An output: the total of some schools (a funder with a filter), split in three groups of its own.
    chosen = rng.sample(schools, rng.randint(1, len(schools)))
    total = sum(base_cells.values[(s, "*")] for s in chosen)
    split = [rng.randint(0, total) for _ in range(2)]
    rows = {"g1": min(split), "g2": max(split) - min(split), "g3": total - max(split)}
    extra = secrecy.Cells(
        {"out": total, **rows},
        [("out", tuple((s, "*") for s in chosen)), ("out", tuple(rows))],
    )
    status = secrecy.protect_against(base, extra)
    joint = secrecy.Cells({**base_cells.values, **extra.values}, base_cells.sums + extra.sums)
    _check(joint, status)
    for cell, mark in base.status.items():
        assert not mark or status[cell], cell  # a cell hidden in the base stays hidden
    if len(chosen) == 1 and base.status[(chosen[0], "*")]:
        assert status["out"]  # the same count as a hidden base cell is hidden too


# --- the impact figures ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_exact_for_the_team_protected_for_the_funder(cast, world):
    for user, protected in [(cast.staff, False), (cast.manager_a, False), (cast.funder, True)]:
        scope = resolve_scope(user, "school", cast.school_a.slug)
        assert scope.protected is protected
        total, table = indicators_with_total(scope, Filters(), "cohort")
        impact_secrecy.protect(scope, Filters(), total, {"cohort": table.rows})
        a1 = next(r for r in table.rows if r.label == "A1")
        rqth = a1["rqth_share"]  # one RQTH of ten
        if protected:
            assert (rqth.value, rqth.numerator, rqth.secret, rqth.display) == (None, None, PRIMARY, "< 5")
            assert rqth.denominator == 10 and rqth.counts == "< 5 / 10"
        else:
            assert (rqth.numerator, rqth.denominator, rqth.secret) == (1, 10, "")


@pytest.mark.django_db
def test_a_funder_reads_the_same_hidden_cells_everywhere(client, cast, world):
    """School A's 2026 drop-outs (two of seven who left) read as its own dashboard's year row, as
    its total in 2026, as the funder's year row with a school filter and as the funder's school
    row in 2026: hidden behind every door."""
    _token, raw = api_token_create(user=cast.funder)
    headers = {"Authorization": f"Bearer {raw}"}

    def dropouts(params, key="total"):
        body = client.get("/api/v1/impact", params, headers=headers).json()
        rows = {"total": body["total"], **{r["key"]: r for r in body["rows"]}}
        return rows[key]["indicators"]["dropout_rate"]

    views = [
        dropouts({"scope": "school", "id": cast.school_a.slug, "group_by": "year"}, 2026),
        dropouts({"scope": "school", "id": cast.school_a.slug, "year": 2026}),
        dropouts({"scope": "funder", "group_by": "year", "school": cast.school_a.pk}, 2026),
        dropouts({"scope": "funder", "group_by": "school", "year": 2026}, cast.school_a.pk),
    ]
    seen = {(v["value"], v["numerator"], v["denominator"], v["suppressed"]) for v in views}
    assert len(seen) == 1 and seen.pop()[:2] == (None, None) and all(v["suppressed"] for v in views)


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 3])
def test_query_count_of_a_funders_answer(client, cast, world, django_assert_num_queries, extra):
    from plombiers.network.tests.factories import PartnershipFactory, SchoolFactory

    from .test_selectors import _grow

    for _ in range(extra):  # more funded schools, with their records: the same queries
        school = SchoolFactory(network=cast.network, trade=cast.school_a.trade, commune=cast.school_a.commune)
        PartnershipFactory(school=school, organisation=cast.funder_org)
    if extra:
        _grow(cast, 5)
    _token, raw = api_token_create(user=cast.funder)
    headers = {"Authorization": f"Bearer {raw}"}
    client.get("/api/v1/impact", headers=headers)
    # The staff's 11 (token, memberships, the funder, the rollup run, 7 sources in one pass for the
    # total, the years and the schools), then the secrecy's base: its rollup run, 6 sources by
    # school × year, the base's schools, the scope's.
    with django_assert_num_queries(20):
        client.get("/api/v1/impact?scope=funder&group_by=school", headers=headers)


@pytest.mark.django_db
def test_a_funder_of_national_size_is_protected_output_by_output(client, cast, world, settings):
    """From `IMPACT_ROLLUP_FROM_SCHOOLS` schools there is no base: each answer still hides its
    small cells and what would give them back."""
    settings.IMPACT_ROLLUP_FROM_SCHOOLS = 1
    scope = resolve_scope(cast.funder, "funder")
    assert impact_secrecy._base(scope, Filters()) is None
    total, table = indicators_with_total(scope, Filters(), "cohort")
    impact_secrecy.protect(scope, Filters(), total, {"cohort": table.rows})
    a1 = next(r for r in table.rows if r.label == "A1")
    assert a1["rqth_share"].secret == PRIMARY and a1["dropout_rate"].suppressed
    for row in [total, *table.rows]:
        for figure in row.figures.values():
            assert not secrecy.is_small(figure.numerator) and not secrecy.is_small(figure.denominator)
