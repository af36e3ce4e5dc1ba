"""A dashboard's three tables read in one pass are the tables read one by one (issue 18, load)."""

import itertools

import pytest

from plombiers.impact import selectors as sel
from plombiers.impact.access import resolve_scope

from .test_rollup import _filters, _measures
from .test_rollup import re_enrolled as re_enrolled  # a fixture

pytestmark = pytest.mark.django_db


def test_one_pass_gives_the_total_the_years_and_the_groups(
    cast, world, re_enrolled, django_assert_num_queries
):
    scopes = [
        resolve_scope(cast.staff, "network"),
        resolve_scope(cast.staff, "funder", cast.funder_org.pk),
        resolve_scope(cast.manager_a, "school", cast.school_a.slug),
    ]
    compared, seen = 0, set()
    # Every breakdown under every filter, each pair in one of the three scopes in turn (each scope
    # meets every breakdown and every filter): all 144 combinations took a minute of the suite.
    for n, (filters, group) in enumerate(itertools.product(_filters(cast), sel.GROUPS)):
        scope = scopes[n % len(scopes)]
        seen.add((scope.kind, group))
        total, by_year, by_group = sel.dashboard_tables(scope, filters, group)
        alone = sel.indicators(scope, filters).rows[0]
        assert {k: int(sel._number(total.measures.get(k))) for k in sel.MEASURES} == {
            k: int(sel._number(alone.measures.get(k))) for k in sel.MEASURES
        }, (scope, filters, group)
        assert _measures(by_year) == _measures(sel.indicators(scope, filters, "year")), (filters, group)
        assert _measures(by_group) == _measures(sel.indicators(scope, filters, group)), (filters, group)
        compared += 1
    assert compared == 6 * len(sel.GROUPS) and len(seen) == 3 * len(sel.GROUPS)
    # One query per source (referrals, entries, attendance, ends, exits, follow-ups, skills) for
    # the three tables, where they were three each.
    with django_assert_num_queries(len(sel._measures_by_source(list(sel.MEASURES)))):
        sel.dashboard_tables(scopes[0], sel.Filters(), "school")


def test_a_page_reads_only_the_measures_it_shows_and_the_same_figures(cast, world, re_enrolled):
    """From the rollup, a page's tables hold only the measures of their columns (`views.SHOWN`):
    the same lines, in the same order, with the same values as the whole tables; the total whole."""
    from plombiers.impact import rollup
    from plombiers.impact.views import SHOWN

    rollup.refresh()
    year_measures, group_measures = SHOWN
    compared = 0
    for scope in (
        resolve_scope(cast.staff, "network"),
        resolve_scope(cast.staff, "funder", cast.funder_org.pk),
    ):
        assert scope.rollup is not None
        for filters in _filters(cast):
            for group in sel.GROUPS:
                whole = sel.dashboard_tables(scope, filters, group)
                shown = sel.dashboard_tables(scope, filters, group, SHOWN)
                assert shown[0].measures == whole[0].measures, (filters, group)
                both = year_measures + group_measures  # a table by year is both tables
                for table, full, names in (
                    (shown[1], whole[1], both if group == "year" else year_measures),
                    (shown[2], whole[2], both if group == "year" else group_measures),
                ):
                    assert [(r.key, r.label) for r in table.rows] == [(r.key, r.label) for r in full.rows]
                    for row, full_row in zip(table.rows, full.rows, strict=True):
                        assert set(row.measures) == set(names)
                        assert {k: row.measures[k] for k in row.measures} == {
                            k: full_row.measures[k] for k in row.measures
                        }, (filters, group, row.key)
                compared += 1
    assert compared == 2 * 6 * len(sel.GROUPS)


NAMES = [
    "école Zéphyr",
    "Ecole abc",
    "ÉCOLE Ménard",
    "L'École d'Arles",
    "école-Bis",
    "Œuvre école",
    "ecole abc",
]


def test_a_page_of_the_table_by_school_is_the_whole_tables_page(cast, world, re_enrolled):
    """The database sorts the schools by their folded name, then their key, and cuts a page: the
    same lines, in the same order, as the page of the whole table sorted in Python — with accents,
    capitals, apostrophes, hyphens, a ligature and two names alike once folded."""
    import datetime as dt

    from plombiers.impact import rollup
    from plombiers.impact.views import SHOWN
    from plombiers.network.tests.factories import SchoolFactory
    from plombiers.referrals.tests.factories import ReferralFactory

    for name in NAMES:
        school = SchoolFactory(network=cast.network, name=name)
        ReferralFactory(
            school=school, prescriber_organisation=cast.prescriber_org, referred_on=dt.date(2026, 3, 2)
        )
    rollup.refresh()
    scope = resolve_scope(cast.staff, "network")
    for filters in (sel.Filters(), sel.Filters(year=2026), sel.Filters(trade=cast.school_a.trade_id)):
        whole = sel.dashboard_tables(scope, filters, "school", SHOWN)[2]
        assert len(whole.rows) >= (len(NAMES) if filters.trade is None else 1) and whole.count is None
        lines = [(r.key, r.label, r.measures) for r in whole.rows]
        for offset in range(0, len(lines), 3):
            page = sel.dashboard_tables(scope, filters, "school", SHOWN, (offset, 3))[2]
            assert page.count == len(lines), (filters, offset)
            assert [(r.key, r.label, r.measures) for r in page.rows] == lines[offset : offset + 3]
        # Past the end: no line, and no count (the view then reads the first page for it).
        assert sel.dashboard_tables(scope, filters, "school", SHOWN, (len(lines), 3))[2].rows == []


def test_a_schools_sort_name_follows_its_name(cast):
    school = cast.school_a
    assert school.sort_name == "ecole a chelles"
    school.name = "L'École Saint-Éloi"
    school.save(update_fields=["name"])
    school.refresh_from_db()
    assert school.sort_name == "l ecole saint eloi"


def test_a_schools_region_follows_its_commune(cast, communes):
    """Kept by `save` (whole or with the commune among its fields) and when the communes are loaded
    again: the dashboards' région filter lists the régions of the schools."""
    from plombiers.network.communes import communes_save
    from plombiers.network.models import Departement, Region, School

    school = cast.school_a
    assert school.region.name == "Île-de-France"
    school.commune = communes["59512"]  # Roubaix
    school.save(update_fields=["commune"])
    school.refresh_from_db()
    assert school.region.name == "Hauts-de-France"
    # A département moved to another région by a new load of the reference data.
    nord = Departement.objects.get(code="59")
    corse = Region.objects.get(name="Corse")
    communes_save(
        regions=[(corse.code, corse.name)], departements=[("59", nord.name, corse.code)], communes=[]
    )
    assert set(School.objects.filter(commune=communes["59512"]).values_list("region", flat=True)) == {
        corse.pk
    }
