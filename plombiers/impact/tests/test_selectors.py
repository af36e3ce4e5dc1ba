"""The indicators against the figures computed by hand on `world.py`."""

from decimal import Decimal

import pytest

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.impact import selectors as sel
from plombiers.impact.access import resolve_scope
from plombiers.outcomes.enums import CATEGORY_OF, ExitCategory
from plombiers.outcomes.tests.factories import ExitFactory, FollowUpFactory
from plombiers.referrals.models import Learner
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory

from . import world as w

pytestmark = pytest.mark.django_db


def figures(table, key=None):
    row = next(r for r in table.rows if r.key == key) if key is not None else table.rows[0]
    return {k: (f.numerator, f.denominator) for k, f in row.figures.items()}


@pytest.fixture
def network(cast, world):
    return resolve_scope(cast.staff, "network")


def test_every_situation_at_exit_is_covered_by_the_fixture():
    assert {s for s, _ in w.A1 + w.B1 + w.A2} == set(CATEGORY_OF)


def test_network_totals(network):
    f = figures(sel.indicators(network))
    # Funnel: 14 referrals to A (10 admitted), 22 entries, 16 completed, 13 positive exits.
    assert f["referred"] == (14, None)
    assert f["admitted"] == (10, None)
    assert f["started"] == (22, None)
    assert f["completed"] == (16, None)
    assert f["positive_exits"] == (13, None)
    # 21 exits, 4 neutralised (moved, illness, incarceration, death): 13 / 17.
    assert f["positive_exit_rate"] == (13, 17)
    # CDI, CDD ≥ 6 months, civil service, temping ≥ 6 months, business creation.
    assert f["durable_job_rate"] == (5, 17)
    assert f["completion_rate"] == (16, 21)
    assert f["dropout_rate"] == (5, 21)
    # 210 + 180 minutes attended (late 30) over four signed marks of 210; the unsigned sheet is ignored.
    assert f["attendance_rate"] == (390, 840)
    # Eight in a job at exit (0 days), two found one at 6 months (180 days each).
    assert f["time_to_first_job"] == (360, 10)
    # The latest observation counts: two skills acquired (one corrected back to « en cours »).
    assert f["skills_per_learner"] == (2, 22)
    assert f["barriers_lifted_rate"] == (1, 2)
    assert f["women_share"] == (4, 22)
    assert f["qpv_share"] == (3, 22)
    assert f["rqth_share"] == (1, 22)
    # Every learner has no diploma by default except three of A1 (CAP/BEP).
    assert f["non_qualified_share"] == (19, 22)


def test_rates_and_target(network):
    row = sel.indicators(network).rows[0]
    rate = row["positive_exit_rate"]
    assert rate.value == Decimal("0.7647")
    assert rate.percent == 76
    assert rate.meets_target is True
    assert row["time_to_first_job"].value == Decimal("36.0")
    assert row["positive_exit_rate_1m"].meets_target is False


def test_follow_up_horizons(network):
    f = figures(sel.indicators(network))
    # 1 month: CDI (positive), moved (neutralised, out), no news (counted, not positive), job seeking;
    # the follow-up still due is not counted.
    assert f["positive_exit_rate_1m"] == (1, 3)
    assert f["positive_exit_rate_3m"] == (2, 2)
    assert f["positive_exit_rate_6m"] == (2, 2)
    assert f["positive_exit_rate_12m"] == (0, 1)
    row = sel.indicators(network).rows[0]
    assert row.measures["due_1"] == 1
    assert row.measures["durable_6"] == 2


def test_by_year_is_by_period_of_exit(network):
    table = sel.indicators(network, group="year")
    assert [r.key for r in table.rows] == [2024, 2025, 2026]
    assert figures(table, 2025)["positive_exit_rate"] == (8, 12)
    assert figures(table, 2026)["positive_exit_rate"] == (5, 5)
    assert figures(table, 2024)["referred"] == (13, None)
    assert figures(table, 2025)["started"] == (14, None)
    assert figures(table, 2026)["started"] == (8, None)
    only_2025 = figures(sel.indicators(network, sel.Filters(year=2025)))
    assert only_2025["positive_exit_rate"] == (8, 12)
    assert only_2025["dropout_rate"] == (3, 14)


@pytest.mark.parametrize(
    ("group", "label", "expected"),
    [
        ("school", "École A Chelles", (11, 14)),
        ("school", "École B Roubaix", (2, 3)),
        ("trade", "Fibre optique", (11, 14)),
        ("region", "Hauts-de-France", (2, 3)),
        ("region", "Île-de-France", (11, 14)),
        ("departement", "Seine-et-Marne", (11, 14)),
        ("cohort", "A1", (6, 9)),
        ("cohort", "A2", (5, 5)),
        ("cohort", "B1", (2, 3)),
        ("prescriber", "ML Chelles", (6, 9)),
        ("funder", "Fondation A", (11, 14)),
    ],
)
def test_breakdowns(network, group, label, expected):
    table = sel.indicators(network, group=group)
    row = next(r for r in table.rows if r.label == label)
    assert (row["positive_exit_rate"].numerator, row["positive_exit_rate"].denominator) == expected


def test_breakdown_rows_add_up_to_the_total(network):
    total = figures(sel.indicators(network))
    for group in ("school", "trade", "region", "departement", "cohort", "prescriber", "year"):
        rows = sel.indicators(network, group=group).rows
        for key in ("started", "positive_exits", "completed"):
            assert sum(r[key].numerator for r in rows) == total[key][0], (group, key)


def test_filters(network, cast):
    a = figures(sel.indicators(network, sel.Filters(school=cast.school_a.pk)))
    assert a["positive_exit_rate"] == (11, 14)
    assert a["referred"] == (14, None)
    b = figures(sel.indicators(network, sel.Filters(trade=cast.school_b.trade_id)))
    assert b["positive_exit_rate"] == (2, 3)
    region = cast.school_b.commune.departement.region_id
    assert figures(sel.indicators(network, sel.Filters(region=region)))["started"] == (4, None)


def test_scopes(cast, world):
    school = figures(sel.indicators(resolve_scope(cast.manager_a, "school", cast.school_a.slug)))
    assert school["positive_exit_rate"] == (11, 14)
    cohort = figures(sel.indicators(resolve_scope(cast.trainer_a, "cohort", world.a1.pk)))
    assert cohort["positive_exit_rate"] == (6, 9)
    assert cohort["referred"] == (10, None)  # the referrals that led to this cohort
    assert cohort["attendance_rate"] == (390, 840)
    # The funder's schools only: A.
    funder = figures(sel.indicators(resolve_scope(cast.funder, "funder")))
    assert funder["positive_exit_rate"] == (11, 14)
    assert funder["started"] == (18, None)


def test_the_list_behind_a_figure_is_the_same_count(network, cast, world):
    total = sel.indicators(network).rows[0]
    for measure in ("positive_exits", "counted_exits", "started", "dropped_out", "followups_1", "positive_6"):
        learners = Learner.objects.visible_to(cast.staff).filter(
            pk__in=sel.measure_learners(network, sel.Filters(), measure)
        )
        assert learners.count() == total.measures[measure], measure
    by_school = sel.measure_learners(network, sel.Filters(), "positive_exits", "school", cast.school_b.pk)
    assert Learner.objects.filter(pk__in=by_school).count() == 2
    by_year = sel.measure_learners(network, sel.Filters(), "started", "year", 2026)
    assert Learner.objects.filter(pk__in=by_year).count() == 8


def test_empty_scope_gives_no_rate(cast):
    scope = resolve_scope(cast.manager_b, "school", cast.school_b.slug)
    row = sel.indicators(scope).rows[0]
    assert row["positive_exit_rate"].value is None
    assert row["positive_exit_rate"].display == "—"
    assert row["started"].value == 0


def _grow(cast, n):
    cohort = CohortFactory(school=cast.school_a)
    for i in range(n):
        learner = LearnerFactory()
        referral = ReferralFactory(
            learner=learner, school=cast.school_a, prescriber_organisation=cast.prescriber_org
        )
        enrolment = EnrolmentFactory(
            cohort=cohort, learner=learner, referral=referral, status="terminee", end_date=cohort.end_date
        )
        exit_ = ExitFactory(enrolment=enrolment, exit_type=list(CATEGORY_OF)[i % len(CATEGORY_OF)])
        FollowUpFactory(exit=exit_, horizon=3, status="renseigne", situation_type="cdi")


@pytest.mark.parametrize("group", [None, "school", "funder", "year"])
def test_query_count_is_constant(cast, django_assert_num_queries, group):
    scope = resolve_scope(cast.staff, "network")
    _grow(cast, 2)
    # One query per source: referrals, started, attendance, ended, exits, follow-ups, skills; the
    # first table also looks for the last rollup run with the schools of the scope, once.
    with django_assert_num_queries(8):
        sel.indicators(scope, group=group)
    _grow(cast, 25)
    with django_assert_num_queries(7):
        table = sel.indicators(scope, group=group)
    assert sum(r["started"].numerator for r in table.rows) >= 27


def test_category_counts_cover_every_category(network):
    row = sel.indicators(network).rows[0]
    assert {c: row.measures[f"exits_{c}"] for c in ExitCategory.values} == {
        "emploi_durable": 5,
        "emploi_transition": 3,
        "sortie_positive": 5,
        "autre_sortie": 4,
        "sortie_neutralisee": 4,
    }


def test_an_entry_counts_once_the_cohort_has_actually_started(cast, world, network):
    """Young people admitted into a cohort planned for next year have not « entered training »."""
    import datetime as dt

    import time_machine

    from plombiers.cohorts.enums import CohortStatus

    planned = CohortFactory(
        school=cast.school_a,
        name="A3",
        status=CohortStatus.PLANNED,
        start_date=dt.date(2027, 3, 1),
        end_date=dt.date(2027, 6, 18),
    )
    for _ in range(2):
        EnrolmentFactory(cohort=planned, learner=LearnerFactory(), entry_date=planned.start_date)
    with time_machine.travel(dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC), tick=False):
        years = {r.key: r.figures["started"].numerator for r in sel.indicators(network, group="year").rows}
        assert years.get(2027, 0) == 0 and years[2026] == 8
        assert figures(sel.indicators(network, sel.Filters(year=2027)))["started"] == (0, None)
    with time_machine.travel(dt.datetime(2027, 3, 2, 12, tzinfo=dt.UTC), tick=False):
        assert figures(sel.indicators(network, sel.Filters(year=2027)))["started"] == (2, None)
