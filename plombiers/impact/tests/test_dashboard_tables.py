"""A dashboard's three tables read in one pass are the tables read one by one (issue 18, load)."""

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
    compared = 0
    for scope in scopes:
        for filters in _filters(cast):
            for group in sel.GROUPS:
                total, by_year, by_group = sel.dashboard_tables(scope, filters, group)
                alone = sel.indicators(scope, filters).rows[0]
                assert {k: int(sel._number(total.measures.get(k))) for k in sel.MEASURES} == {
                    k: int(sel._number(alone.measures.get(k))) for k in sel.MEASURES
                }, (scope, filters, group)
                assert _measures(by_year) == _measures(sel.indicators(scope, filters, "year")), (
                    filters,
                    group,
                )
                assert _measures(by_group) == _measures(sel.indicators(scope, filters, group)), (
                    filters,
                    group,
                )
                compared += 1
    assert compared == 3 * 6 * len(sel.GROUPS)
    # One query per source (referrals, entries, attendance, ends, exits, follow-ups, skills) for
    # the three tables, where they were three each.
    with django_assert_num_queries(len(sel._measures_by_source(list(sel.MEASURES)))):
        sel.dashboard_tables(scopes[0], sel.Filters(), "school")
