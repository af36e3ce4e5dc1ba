"""The rollup (`impact.rollup`): the same figures as the records, read in one query."""

import dataclasses
import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.impact import rollup
from plombiers.impact import selectors as sel
from plombiers.impact.access import resolve_scope
from plombiers.impact.models import Rollup, RollupRun
from plombiers.impact.tasks import refresh_rollup
from plombiers.impact.tests.test_api import headers_for
from plombiers.network.models import Commune, Departement
from plombiers.network.tests.factories import NetworkFactory
from plombiers.outcomes.enums import ExitType
from plombiers.outcomes.tests.factories import ExitFactory
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.support.models import Barrier

pytestmark = pytest.mark.django_db

GROUPS = [None, "school", "trade", "region", "departement", "prescriber", "funder", "year"]


def _copy(scope):
    """The same scope, without the memoised choice between the rollup and the records."""
    return dataclasses.replace(scope)


def _measures(table):
    return {
        row.key: (row.label, {k: int(sel._number(row.measures.get(k))) for k in sel.MEASURES})
        for row in table.rows
    }


def _filters(cast):
    region = cast.school_b.commune.departement.region_id
    return [
        sel.Filters(),
        sel.Filters(year=2025),
        sel.Filters(year=2026),
        sel.Filters(school=cast.school_a.pk),
        sel.Filters(trade=cast.school_b.trade_id),
        sel.Filters(region=region),
    ]


@pytest.fixture
def re_enrolled(cast, world):
    """A young person of A1 with two barriers who comes back a year later in another cohort and
    completes it: their barriers count at each entry, so that the rollup can add years up."""
    first = world.a1_enrolments[0]
    cohort = CohortFactory(
        school=cast.school_a, name="A3", start_date=dt.date(2026, 2, 2), end_date=dt.date(2026, 5, 29)
    )
    again = EnrolmentFactory(
        cohort=cohort,
        learner=first.learner,
        referral=first.referral,
        entry_date=dt.date(2026, 2, 2),
        status=EnrolmentStatus.COMPLETED,
        end_date=dt.date(2026, 5, 29),
    )
    ExitFactory(enrolment=again, exit_type=ExitType.CDI)
    assert Barrier.objects.filter(learner=first.learner).count() == 2
    return again


def test_the_rollup_gives_the_figures_of_the_records(cast, world, re_enrolled):
    live_scopes = [
        resolve_scope(cast.staff, "network"),
        resolve_scope(cast.staff, "funder", cast.funder_org.pk),
    ]
    assert all(s.rollup is None for s in live_scopes)
    run = rollup.refresh()
    assert run.complete and run.schools == 2 and run.rows == Rollup.objects.count() > 0
    compared = 0
    for live in live_scopes:
        for filters in _filters(cast):
            for group in GROUPS:
                consolidated = _copy(live)
                assert consolidated.rollup == run
                expected = _measures(sel.indicators(live, filters, group))
                assert _measures(sel.indicators(consolidated, filters, group)) == expected, (filters, group)
                compared += 1
    assert compared == 2 * 6 * 8
    # A total read with its breakdown (one query) is the total read alone.
    for group in GROUPS[1:]:
        for filters in _filters(cast):
            total, _table = sel.indicators_with_total(_copy(live_scopes[0]), filters, group)
            alone = sel.indicators(live_scopes[0], filters).rows[0]
            assert {k: int(sel._number(total.measures.get(k))) for k in sel.MEASURES} == {
                k: int(sel._number(alone.measures.get(k))) for k in sel.MEASURES
            }, (group, filters)
    # The open data's year × région × trade.
    groups, names = ("year", "region", "trade"), ["started", "completed", "exits", "positive_exits"]
    assert sel.cross_counts(_copy(live_scopes[0]), groups, names) == sel.cross_counts(
        live_scopes[0], groups, names
    )


def test_figures_of_the_hand_computed_network_from_the_rollup(cast, world):
    rollup.refresh()
    network = resolve_scope(cast.staff, "network")
    assert network.rollup is not None
    total = sel.indicators(network).rows[0]
    assert (total["positive_exit_rate"].numerator, total["positive_exit_rate"].denominator) == (13, 17)
    assert (total["attendance_rate"].numerator, total["attendance_rate"].denominator) == (390, 840)
    assert (total["time_to_first_job"].numerator, total["time_to_first_job"].denominator) == (360, 10)
    assert (total["barriers_lifted_rate"].numerator, total["barriers_lifted_rate"].denominator) == (1, 2)
    by_school = {
        r.label: r["positive_exit_rate"].numerator for r in sel.indicators(network, group="school").rows
    }
    assert by_school == {"École A Chelles": 11, "École B Roubaix": 2}


def test_what_is_read_from_the_records(cast, world):
    network = resolve_scope(cast.staff, "network")
    assert network.rollup is None  # no complete run yet: the records
    rollup.refresh(school_ids=[cast.school_a.pk])
    assert resolve_scope(cast.staff, "network").rollup is None  # a partial run is not enough
    run = rollup.refresh()
    network = resolve_scope(cast.staff, "network")
    assert network.rollup == run
    assert rollup.readable(network, sel.Filters(), "school")
    assert rollup.readable(network, sel.Filters(), "cohort")
    # A period dated to the day reads the records; whole months (the public page's twelve) the
    # rollup by month, but by prescriber or by cohort, which it does not hold.
    assert not rollup.readable(network, sel.Filters(since=dt.date(2025, 1, 1)), None)
    assert not rollup.readable(
        network, sel.Filters(since=dt.date(2025, 1, 2), until=dt.date(2025, 12, 31)), None
    )
    assert not rollup.readable(
        network, sel.Filters(since=dt.date(2025, 1, 1), until=dt.date(2025, 12, 30)), None
    )
    months = sel.Filters(since=dt.date(2025, 1, 1), until=dt.date(2025, 12, 31))
    assert rollup.readable(network, months, None) and rollup.readable(network, months, "school")
    assert not rollup.readable(network, months, "prescriber")
    assert not rollup.readable(network, months, "cohort")
    # A complete run made before the rollup by month existed (the migration's): not by month.
    RollupRun.objects.update(by_month=False)
    assert not rollup.readable(resolve_scope(cast.staff, "network"), months, None)
    assert rollup.readable(resolve_scope(cast.staff, "network"), sel.Filters(), None)
    RollupRun.objects.update(by_month=True)
    # Whatever the number of schools: a school's and a cohort's dashboards read the rollup too.
    assert resolve_scope(cast.manager_a, "school", cast.school_a.slug).rollup == run
    assert resolve_scope(cast.trainer_a, "cohort", world.a1.pk).rollup == run


def test_a_school_and_a_cohort_from_the_rollup(cast, world, re_enrolled):
    """Every table of a school's and of a cohort's dashboards, from the rollup (the cohort's from
    the table by cohort) and from the records: the same figures."""
    rollup.refresh()
    scopes = [
        resolve_scope(cast.manager_a, "school", cast.school_a.slug),
        resolve_scope(cast.trainer_a, "cohort", world.a1.pk),
        resolve_scope(cast.trainer_a, "cohort", re_enrolled.cohort_id),
    ]
    for scope in scopes:
        records = _copy(scope)
        records.__dict__["rollup"] = None
        for filters in [sel.Filters(), sel.Filters(year=2025), sel.Filters(year=2026)]:
            for group in [*GROUPS, "cohort"]:
                expected = _measures(sel.indicators(records, filters, group))
                assert _measures(sel.indicators(scope, filters, group)) == expected, (
                    scope.kind,
                    filters,
                    group,
                )


def test_the_figures_follow_the_writes(cast, world, re_enrolled):
    rollup.refresh()
    before = sel.indicators(resolve_scope(cast.staff, "network")).rows[0]["positive_exits"].numerator
    extra = EnrolmentFactory(
        cohort=world.b1,
        learner=LearnerFactory(),
        status=EnrolmentStatus.COMPLETED,
        end_date=world.b1.end_date,
    )
    ExitFactory(enrolment=extra, exit_type=ExitType.CDI)
    # No recomputation asked for: the write kept the rollup exact.
    assert (
        sel.indicators(resolve_scope(cast.staff, "network")).rows[0]["positive_exits"].numerator == before + 1
    )
    # Recomputing one school's rows leaves the other school's alone.
    a_rows = set(Rollup.objects.filter(school=cast.school_a).values_list("pk", flat=True))
    assert rollup.refresh(school_ids=[cast.school_b.pk]).corrected == 0
    assert set(Rollup.objects.filter(school=cast.school_a).values_list("pk", flat=True)) == a_rows


def test_one_query_per_table(cast, world, django_assert_num_queries):
    rollup.refresh()
    network = resolve_scope(cast.staff, "network")
    with django_assert_num_queries(1):  # the last run, with the number of schools of the scope
        assert network.rollup is not None
    for group in GROUPS:
        with django_assert_num_queries(1):
            sel.indicators(network, group=group)
    # The total with a breakdown that splits the rows (not the funders): the same query.
    for group, queries in [("school", 1), ("year", 1), ("prescriber", 1), ("funder", 2)]:
        with django_assert_num_queries(queries):
            sel.indicators_with_total(network, sel.Filters(), group)


def test_the_region_is_read_on_the_school(cast, world, django_assert_num_queries):
    """A région filter or breakdown reads `School.region`, not the school's commune and its
    département (and their figures are the records', `test_the_rollup_gives_the_figures_of_the_records`)."""
    rollup.refresh()
    network = resolve_scope(cast.staff, "network")
    assert network.rollup is not None
    region = cast.school_b.commune.departement.region_id
    for filters, group in [(sel.Filters(region=region), None), (sel.Filters(), "region")]:
        with django_assert_num_queries(1) as captured:
            table = sel.indicators(network, filters, group)
        sql = captured.captured_queries[0]["sql"]
        assert Commune._meta.db_table not in sql and Departement._meta.db_table not in sql, sql
        assert table.rows


def test_refresh_is_atomic(cast, world, monkeypatch):
    rollup.refresh()
    rows = Rollup.objects.count()

    def broken(school_ids, **kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(rollup, "_cells", broken)
    with pytest.raises(RuntimeError):
        rollup.refresh()
    assert Rollup.objects.count() == rows
    assert RollupRun.objects.count() == 1


def test_the_nightly_task(cast, world):
    call_command("daily")
    run = RollupRun.objects.get()
    assert run.complete and run.rows == Rollup.objects.count()
    result = refresh_rollup.enqueue()
    assert result.return_value["schools"] == 2
    assert result.return_value["corrected"] == 0  # every write kept the rollup since the first run
    assert RollupRun.objects.count() == 2


# --- the pages and the API ------------------------------------------------------------------------


def test_a_consolidated_dashboard_says_so(client, cast, world):
    client.force_login(cast.staff)
    page = client.get(reverse("impact:network")).content.decode()
    assert "cumuls des indicateurs" not in page  # no run yet: the records
    run = rollup.refresh()
    page = client.get(reverse("impact:network")).content.decode()
    assert "Chiffres à jour : lus dans les cumuls des indicateurs, tenus à chaque saisie." in page
    checked = f"Dernier contrôle complet le {timezone.localtime(run.started_at):%d/%m/%Y à %H:%M}"
    assert f"{checked} ({run.corrected} lignes corrigées)" in page
    assert "Recalculer maintenant" in page
    # A funder reads the same figures, without the button nor the rows corrected.
    client.force_login(cast.funder)
    page = client.get(reverse("impact:funder", args=[cast.funder_org.pk])).content.decode()
    assert f"{checked}." in page and "Recalculer maintenant" not in page
    # A school's dashboard too.
    client.force_login(cast.manager_a)
    page = client.get(reverse("impact:school", args=[cast.school_a.slug])).content.decode()
    assert f"{checked}." in page


def test_the_network_staff_recompute_now(client, cast, world):
    rollup.refresh()
    extra = EnrolmentFactory(
        cohort=world.b1,
        learner=LearnerFactory(),
        status=EnrolmentStatus.COMPLETED,
        end_date=world.b1.end_date,
    )
    ExitFactory(enrolment=extra, exit_type=ExitType.CDI)
    url = reverse("impact:rollup_refresh", args=[cast.network.pk])
    client.force_login(cast.staff)
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("impact:network_detail", args=[cast.network.pk])
    assert "Cumuls recalculés : 2 écoles" in response.content.decode()
    assert RollupRun.objects.count() == 2
    network = resolve_scope(cast.staff, "network")
    assert sel.indicators(network).rows[0]["positive_exits"].numerator == 14


@pytest.mark.parametrize("role", ["manager_a", "trainer_a", "funder", "prescriber", "learner_a", "outsider"])
def test_only_the_network_staff_recompute(client, cast, world, role):
    rollup.refresh()
    client.force_login(getattr(cast, role))
    assert client.post(reverse("impact:rollup_refresh", args=[cast.network.pk])).status_code == 404
    assert RollupRun.objects.count() == 1


def test_the_api_says_when_figures_were_consolidated(client, cast, world):
    headers = headers_for(client, cast.staff)
    body = client.get("/api/v1/impact?scope=network&group_by=school", headers=headers).json()
    assert body["consolidated_at"] is None
    run = rollup.refresh()
    body = client.get("/api/v1/impact?scope=network&group_by=school", headers=headers).json()
    assert abs(parse_datetime(body["consolidated_at"]) - run.started_at) < dt.timedelta(milliseconds=1)
    assert body["total"]["indicators"]["positive_exit_rate"]["value"] == pytest.approx(13 / 17, abs=1e-4)
    assert [r["indicators"]["positive_exits"]["numerator"] for r in body["rows"]] == [11, 2]


def test_another_networks_staff_cannot_recompute(client, cast, world):
    other = NetworkFactory(slug="autre", name="Autre réseau")
    client.force_login(cast.staff)
    assert client.post(reverse("impact:rollup_refresh", args=[other.pk])).status_code == 404
    assert client.post(reverse("impact:rollup_refresh", args=[other.pk + 1000])).status_code == 404
    assert not RollupRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_leave_one_set_of_rows(cast, world):
    import threading

    from django.db import connection

    rollup.refresh()
    rows = Rollup.objects.count()
    errors = []

    def run():
        try:
            rollup.refresh()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Rollup.objects.count() == rows
    assert RollupRun.objects.count() == 4


def _rows():
    """Every row of the rollup, without its id: what a run produced."""
    return sorted(
        tuple(sorted((k, v) for k, v in row.items() if k != "id")) for row in Rollup.objects.values()
    )


@pytest.mark.parametrize("batch", [1, 2])
def test_batches_of_any_size_give_the_rows_of_one_batch(cast, world, monkeypatch, batch):
    """The test network has two schools, far below the 200 of a real batch: with batches of one
    and of two schools, the rollup must keep every school's rows, the same as in one batch.
    Catches the planted off-by-one in the batching (a school at each batch's edge left out)."""
    rollup.refresh()
    whole = _rows()
    assert {dict(row)["school_id"] for row in whole} == {cast.school_a.pk, cast.school_b.pk}
    monkeypatch.setattr(rollup, "BATCH", batch)
    run = rollup.refresh()
    assert run.schools == 2
    assert _rows() == whole
