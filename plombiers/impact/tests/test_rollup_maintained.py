"""The rollup kept exact by every write (issue 23's « Done when »): after each kind of write that
changes a measure, every indicator read from the rollup equals the same indicator recomputed from
the records, for the network, a funder, a school and a cohort — without any recomputation asked
for. Each write is its own case, so that one write's missing update cannot hide behind another's."""

import dataclasses
import datetime as dt
import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plombiers.cohorts import attendance as attendance_services
from plombiers.cohorts import services as cohorts
from plombiers.cohorts.enums import AttendanceStatus, DropOutReason, EnrolmentStatus
from plombiers.cohorts.models import Attendance, AttendanceHistory, Enrolment, TrainingSession
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.impact import rollup
from plombiers.impact import selectors as sel
from plombiers.impact.access import resolve_scope
from plombiers.impact.maintain import schools_of
from plombiers.impact.models import CohortRollup, MonthRollup, NetworkRollup, Rollup, RollupRun, SchoolRollup
from plombiers.imports.kinds import apply_attendance
from plombiers.lib import derived
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory, PartnershipFactory, SchoolFactory
from plombiers.outcomes import services as outcomes
from plombiers.outcomes.enums import ExitCategory, ExitType, FollowUpSource, FollowUpStatus
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.referrals import services as referrals
from plombiers.referrals.enums import Diploma, Gender, ReferralStatus
from plombiers.referrals.models import Referral
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory
from plombiers.skills import services as skills
from plombiers.skills.models import Observation
from plombiers.support import services as support
from plombiers.support.enums import BarrierLevel
from plombiers.support.models import Barrier

from . import world as world_module

pytestmark = pytest.mark.django_db

GROUPS = [None, "school", "cohort", "prescriber", "funder", "year"]
FILTERS = [
    sel.Filters(),
    sel.Filters(year=2026),
    # Whole months (the public results page's twelve): the rollup by month.
    sel.Filters(since=dt.date(2025, 1, 1), until=dt.date(2025, 3, 31)),
    sel.Filters(since=dt.date(2025, 12, 1), until=dt.date(2026, 11, 30)),
]


def _records(scope):
    """The same scope, read from the records."""
    live = dataclasses.replace(scope)
    live.__dict__["rollup"] = None  # the memoised choice (a cached property)
    return live


def _figures(table):
    """Every measure and every indicator (numerator, denominator, value) of each row."""
    return {
        row.key: (
            row.label,
            {k: int(sel._number(row.measures.get(k))) for k in sel.MEASURES},
            {k: (f.numerator, f.denominator, f.value) for k, f in row.figures.items()},
        )
        for row in table.rows
    }


def _scopes(cast, world):
    return {
        "network": resolve_scope(cast.staff, "network"),
        "funder": resolve_scope(cast.staff, "funder", cast.funder_org.pk),
        "school": resolve_scope(cast.manager_a, "school", cast.school_a.slug),
        "cohort": resolve_scope(cast.manager_a, "cohort", world.a1.pk),
    }


def assert_rollup_is_the_records(cast, world):
    compared = 0
    for name, scope in _scopes(cast, world).items():
        assert scope.rollup is not None, name
        for filters in FILTERS:
            # Read from the rollup but for a cohort's scope and the breakdowns by prescriber or
            # cohort over months, which the rollup by month does not hold.
            assert rollup.readable(scope, filters, None) == (name != "cohort" or not filters.since)
            for group in GROUPS:
                consolidated = sel.indicators(scope, filters, group)
                records = sel.indicators(_records(scope), filters, group)
                assert _figures(consolidated) == _figures(records), (name, filters, group)
                compared += 1
    # The network by school, cohort and year covers every school's and cohort's rows.
    assert compared == 4 * len(FILTERS) * len(GROUPS)


@pytest.fixture
def refreshed(cast, world):
    run = rollup.refresh()
    assert run.complete and run.corrected > 0  # the first run writes every row
    return run


def _first_job_follow_up(world):
    return FollowUp.objects.filter(exit=world.a1_enrolments[4].exit, horizon=1).get()


# Each write: (name, function(cast, world)). Services where a person makes the write, model writes
# where the admin or a script would.
def referral_created(cast, world):
    ReferralFactory(
        school=cast.school_b, prescriber_organisation=cast.prescriber_org, referred_on=dt.date(2026, 3, 2)
    )


def referral_transition(cast, world):
    referral = Referral.objects.get(school=cast.school_a, status=ReferralStatus.NEW)
    referrals.referral_transition(
        referral=referral, to=ReferralStatus.ADMITTED, by=None, justification="Oui."
    )


def referral_prescriber_changed(cast, world):
    other = OrganisationFactory(network=cast.network, kind=OrganisationKind.PRESCRIBER, name="France Travail")
    referral = world.a1_enrolments[0].referral
    referral.prescriber_organisation = other
    referral.save()


def admission_and_enrolment(cast, world):
    # Admitted today: a cohort that has started a week ago, whatever the day the test runs.
    start = timezone.localdate() - dt.timedelta(days=7)
    cohort = CohortFactory(
        school=cast.school_a, name="A4", start_date=start, end_date=start + dt.timedelta(days=100)
    )
    referral = Referral.objects.get(school=cast.school_a, status=ReferralStatus.NEW)
    admission = cohorts.referral_admit(
        referral=referral, cohort=cohort, by=cast.manager_a, justification="Oui."
    )
    assert admission.enrolment is not None


def enrolment_moved_to_another_year(cast, world):
    enrolment = world.b1_enrolments[0]
    enrolment.entry_date = dt.date(2024, 12, 2)
    enrolment.save(update_fields=["entry_date"])


def drop_out_then_exit(cast, world):
    cohorts.enrolment_drop_out(
        enrolment=world.active, by=cast.manager_a, reason=DropOutReason.OTHER, on=dt.date(2026, 3, 2)
    )
    outcomes.exit_record(Enrolment.objects.get(pk=world.active.pk), by=cast.manager_a, exit_type=ExitType.CDI)


def cohort_finished(cast, world):
    # One UPDATE of every enrolment still in training: no signal, the service marks its cohort.
    assert cohorts.cohort_finish(cohort=world.a2, by=cast.manager_a, on=dt.date(2026, 4, 17)) == 1


def exit_corrected(cast, world):
    exit = world.a2_enrolments[0].exit
    outcomes.exit_update(
        exit, by=cast.manager_a, reason="Erreur de saisie.", data={"exit_type": ExitType.INACTIVE}
    )


def exit_deleted(cast, world):
    world.b1_enrolments[0].exit.delete()  # its follow-ups go with it


def follow_up_answered(cast, world):
    outcomes.follow_up_record(
        _first_job_follow_up(world),
        by=cast.manager_a,
        source=FollowUpSource.SOCIAL_WORKER,
        situation_type=ExitType.CDI,
    )


def follow_ups_expired(cast, world):
    # One UPDATE of every follow-up left to do 30 days after its date: the service marks the schools.
    assert outcomes.follow_ups_expire(today=dt.date(2027, 1, 1)) >= 1
    assert not FollowUp.objects.filter(exit=world.a1_enrolments[4].exit, status=FollowUpStatus.DUE).exists()


def sheet_signed(cast, world):
    # The sheet of 08/01/2025, marked but not signed, counts once locked.
    signed = TrainingSession.objects.filter(cohort=world.a1, locked_at__isnull=False).first()
    session = TrainingSession.objects.get(cohort=world.a1, locked_at__isnull=True)
    session.locked_at, session.trainer_signature = timezone.now(), signed.trainer_signature
    session.save(update_fields=["locked_at", "trainer_signature"])


def mark_amended(cast, world):
    session = (
        TrainingSession.objects.filter(cohort=world.a1, locked_at__isnull=False).order_by("date").first()
    )
    attendance_services.attendance_amend(
        session=session,
        enrolment=world.a1_enrolments[1],
        by=cast.manager_a,
        reason="Présente en fait.",
        status=AttendanceStatus.PRESENT,
    )


def sheet_deleted(cast, world):
    # The marks go with it: each marks its enrolment, still there at the commit.
    TrainingSession.objects.filter(cohort=world.a1, locked_at__isnull=False).order_by("date").first().delete()


def observation_recorded(cast, world):
    first = world.a1_enrolments[0]
    skill = Observation.objects.filter(enrolment=first, level="maitrise").get().skill
    skills.observation_record(enrolment=first, skill=skill, level="en_cours", by=cast.trainer_a)


def observation_deleted(cast, world):
    Observation.objects.filter(enrolment=world.a1_enrolments[1]).order_by("-pk").first().delete()


def barrier_lifted(cast, world):
    barrier = Barrier.objects.get(learner=world.a1_enrolments[0].learner, category__code="mobilite")
    barrier.level, barrier.lifted_on = BarrierLevel.NONE, timezone.localdate()
    barrier.save()


def barrier_raised(cast, world):
    support.barrier_set(
        learner=world.a1_enrolments[2].learner,
        category="logement",
        level=BarrierLevel.BLOCKING,
        by=cast.social_worker_a,
    )


def barrier_deleted(cast, world):
    Barrier.objects.filter(learner=world.a1_enrolments[0].learner).delete()


def learner_changed(cast, world):
    learner = world.a2_enrolments[0].learner
    learner.gender, learner.highest_diploma, learner.lives_in_qpv = Gender.FEMALE, Diploma.NONE, True
    learner.save()


def history_recorded(cast, world):
    AttendanceHistory.objects.create(
        enrolment=world.a1_enrolments[0],
        month=dt.date(2024, 12, 1),
        attended_hours=Decimal("61.5"),
        excused_hours=Decimal("7"),
        unexcused_hours=Decimal("3.5"),
    )


def history_imported(cast, world):
    """The import writes its months in bulk (no signal): it marks the school itself."""
    months = [
        {"enrolment": enrolment, "month": dt.date(2024, 11, 1), "attended_hours": Decimal("70"),
         "excused_hours": Decimal("0"), "unexcused_hours": Decimal("14")}
        for enrolment in world.a1_enrolments[:2]
    ]  # fmt: skip
    apply_attendance(school=cast.school_a, plan=SimpleNamespace(todo={"months": months}), by=cast.manager_a)


def history_undone(cast, world):
    """Imported, consolidated, then one learner's month deleted as an undo does (a queryset's delete)."""
    history_imported(cast, world)
    rollup.refresh()
    AttendanceHistory.objects.filter(enrolment=world.a1_enrolments[0]).delete()


def enrolment_created(cast, world):
    EnrolmentFactory(cohort=world.b1, learner=LearnerFactory(), status=EnrolmentStatus.ACTIVE)


def enrolment_deleted(cast, world):
    world.active.delete()


WRITES = [
    referral_created,
    referral_transition,
    referral_prescriber_changed,
    admission_and_enrolment,
    enrolment_moved_to_another_year,
    drop_out_then_exit,
    cohort_finished,
    exit_corrected,
    exit_deleted,
    follow_up_answered,
    follow_ups_expired,
    sheet_signed,
    mark_amended,
    sheet_deleted,
    observation_recorded,
    observation_deleted,
    barrier_lifted,
    barrier_raised,
    barrier_deleted,
    learner_changed,
    history_recorded,
    history_imported,
    history_undone,
    enrolment_created,
    enrolment_deleted,
]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__ for w in WRITES])
def test_every_write_keeps_every_indicator_equal_to_the_records(cast, world, refreshed, write):
    def figures():
        network = _records(_scopes(cast, world)["network"])
        return [_figures(sel.indicators(network, group=g)) for g in ("school", "prescriber", "year")]

    before = figures()
    write(cast, world)
    after = figures()
    assert after != before  # the write did change a figure
    assert_rollup_is_the_records(cast, world)
    # And the nightly check finds nothing to correct.
    assert rollup.refresh().corrected == 0


def test_without_the_marks_the_rollup_would_be_stale(cast, world, refreshed):
    """The comparison above catches a write the rollup misses: the same write, unmarked."""
    with derived.paused():
        sheet_signed(cast, world)
    with pytest.raises(AssertionError):
        assert_rollup_is_the_records(cast, world)
    run = rollup.refresh()
    assert run.corrected > 0  # the nightly check corrects it, and says so
    assert_rollup_is_the_records(cast, world)


def test_a_write_only_recomputes_its_school(cast, world, refreshed):
    b_rows = set(Rollup.objects.filter(school=cast.school_b).values_list("pk", flat=True))
    observation_recorded(cast, world)
    assert derived.pending() == {"enrolment": {world.a1_enrolments[0].pk}}
    assert schools_of(derived.pending()) == {cast.school_a.pk}
    derived.flush()
    assert derived.pending() == {}
    assert set(Rollup.objects.filter(school=cast.school_b).values_list("pk", flat=True)) == b_rows


def test_saves_that_change_no_measure_mark_nothing(cast, world, refreshed):
    learner = world.a1_enrolments[0].learner
    learner.save(update_fields=["first_name"])
    session = TrainingSession.objects.create(
        cohort=world.a1,
        date=dt.date(2025, 1, 9),
        period="matin",
        start_time=dt.time(9),
        end_time=dt.time(12, 30),
        duration_minutes=210,
    )
    Attendance.objects.create(
        session=session, enrolment=world.a1_enrolments[0], status=AttendanceStatus.PRESENT
    )
    assert derived.pending() == {}


def test_before_the_first_complete_run_nothing_is_kept(cast, world):
    # Nothing reads the rollup yet, and the first run computes it all.
    derived.flush()
    assert not Rollup.objects.exists() and not CohortRollup.objects.exists()
    assert resolve_scope(cast.staff, "network").rollup is None


@pytest.mark.django_db(transaction=True)
def test_the_rollup_commits_with_the_write(cast):
    """Outside a test's transaction: the rows are recomputed before the service's transaction
    commits, in it — nobody reads the rollup in between, no flush is asked for."""
    world = world_module.build(cast)
    rollup.refresh()
    with transaction.atomic():
        observation_recorded(cast, world)
        assert derived.pending()  # written, not yet flushed: inside the transaction
    assert derived.pending() == {}  # flushed by the commit
    assert connection.get_autocommit()
    counts = {(r.school_id, r.prescriber_id, r.year): r.skills_acquired for r in Rollup.objects.all()}
    expected = {
        key: cell.get("skills_acquired", 0)
        for key, cell in rollup._both([cast.school_a.pk, cast.school_b.pk], "default")[0].items()
    }
    assert counts == expected
    # A write outside any transaction (autocommit) is followed at once by its school's rows.
    Exit.objects.filter(enrolment=world.b1_enrolments[0]).update(
        category=ExitCategory.OTHER, exit_type=ExitType.INACTIVE
    )  # no signal
    barrier_raised(cast, world)
    assert derived.pending() == {}
    # The unmarked update, found by the nightly check: its row in each table (by prescriber, by
    # cohort, by school and year, by month, by network and year) and the school's and the
    # network's rows over every year.
    assert rollup.refresh().corrected == 7
    assert RollupRun.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_failed_transaction_leaves_the_rollup_as_it_was(cast):
    world = world_module.build(cast)
    rollup.refresh()
    rows = set(Rollup.objects.values_list("school_id", "prescriber_id", "year", "skills_acquired"))
    with pytest.raises(RuntimeError), transaction.atomic():
        observation_recorded(cast, world)
        raise RuntimeError("panne")
    assert set(Rollup.objects.values_list("school_id", "prescriber_id", "year", "skills_acquired")) == rows
    assert rollup.refresh().corrected == 0


def _reads_the_networks_rows(scope) -> bool:
    with CaptureQueriesContext(connection) as queries:
        sel.indicators(scope, sel.Filters(), "year")
    return any("impact_networkrollup" in q["sql"] for q in queries.captured_queries)


def test_a_whole_network_reads_its_own_rows(cast, world, refreshed):
    """The network's total and table by year come from `NetworkRollup`, equal to the records (the
    comparison above, after each write); any other table from the schools' rows."""
    network = resolve_scope(cast.staff, "network")
    assert network.whole_network_id == cast.network.pk and _reads_the_networks_rows(network)
    # Its other tables and its filters read its schools without `visible_to`: the same schools.
    assert set(network.compiled_schools) == set(network.schools) == {cast.school_a, cast.school_b}
    assert not _reads_the_networks_rows(resolve_scope(cast.manager_a, "school", cast.school_a.slug))
    with CaptureQueriesContext(connection) as queries:
        sel.indicators(network, sel.Filters(trade=cast.school_a.trade_id), "year")
    assert not any("impact_networkrollup" in q["sql"] for q in queries.captured_queries)


def test_a_funder_of_every_school_reads_the_networks_rows(cast, world, refreshed):
    funder = resolve_scope(cast.funder, "funder")
    assert funder.whole_network_id is None  # a partner of school A only
    PartnershipFactory(school=cast.school_b, organisation=cast.funder_org)
    for user in (cast.funder, cast.staff):
        funder = resolve_scope(user, "funder", cast.funder_org.pk)
        assert funder.whole_network_id == cast.network.pk and _reads_the_networks_rows(funder)
        assert set(funder.compiled_schools) == set(funder.schools) == {cast.school_a, cast.school_b}
        for filters in FILTERS:
            for group in (None, "year"):
                records = sel.indicators(_records(funder), filters, group)
                assert _figures(sel.indicators(funder, filters, group)) == _figures(records)
    # A partner of a school of another network too: its figures are not the network's.
    PartnershipFactory(school=SchoolFactory(network=cast.other_network), organisation=cast.funder_org)
    assert resolve_scope(cast.funder, "funder").whole_network_id is None


@pytest.mark.django_db(transaction=True)
def test_two_schools_written_at_once_both_count_in_their_network(cast, monkeypatch):
    """Two transactions add a referral each, in two schools of one network, and recompute their
    school at the same moment before they commit: each adds its own to the network's rows (on
    PostgreSQL, the second waits for the first's row), where summing the schools again would have
    left out the other's, not yet committed."""
    world = world_module.build(cast)
    rollup.refresh()
    computed = rollup._both

    def both_computed(*args, **kwargs):
        cells = computed(*args, **kwargs)
        if together:
            together.wait(timeout=30)  # each has its school's cells, neither has written them
        return cells

    monkeypatch.setattr(rollup, "_both", both_computed)

    def referred():
        rows = NetworkRollup.objects.filter(network=cast.network)
        return {(r.year, r.every_year): (r.referred, r.skills_acquired) for r in rows}

    before = referred()
    # SQLite has one writer at a time: the two transactions follow each other there.
    together = threading.Barrier(2) if connection.vendor == "postgresql" else None
    errors = []

    def run(write):
        try:
            with transaction.atomic():
                write(cast, world)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    # Two writes that wait for nothing of each other's before their commit (two referrals would: the
    # second learner's unique fields wait for the first's).
    threads = [threading.Thread(target=run, args=(w,)) for w in (observation_recorded, referral_created)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()
    assert errors == []
    after = referred()
    assert after[None, True][0] == before[None, True][0] + 1  # school B's referral
    assert after[None, True][1] == before[None, True][1] - 1  # school A's gesture no longer acquired
    assert rollup.refresh().corrected == 0


def test_a_networks_minutes_pass_two_billion(cast, world, refreshed):
    """2.7 billion minutes attended over every year at 1,000,000 young people: beyond a 32-bit
    integer, which PostgreSQL refuses."""
    SchoolRollup.objects.filter(every_year=True).update(attended_minutes=2_000_000_000)
    rollup._sum_networks("default", compare=False)
    assert NetworkRollup.objects.get(network=cast.network, every_year=True).attended_minutes == 4_000_000_000


def test_the_nightly_check_writes_only_the_rows_it_corrects(cast, world, refreshed, monkeypatch):
    """A check that finds the rows right writes none of them again (each keeps its primary key);
    one wrong row is the only one written again, in each of the four tables."""
    tables = (Rollup, CohortRollup, SchoolRollup, MonthRollup)

    def ids():
        return {model: dict(model.objects.values_list("pk", "started")) for model in tables}

    before = ids()
    assert rollup.refresh().corrected == 0
    assert ids() == before
    wrong = Rollup.objects.filter(started__gt=0).order_by("pk").first()
    Rollup.objects.filter(pk=wrong.pk).update(started=wrong.started + 1)
    assert rollup.refresh().corrected == 1
    after = ids()
    assert after[Rollup].keys() == before[Rollup].keys() - {wrong.pk} | {max(after[Rollup])}
    assert after[Rollup][max(after[Rollup])] == wrong.started
    assert all(after[model] == before[model] for model in tables if model is not Rollup)
    # A wrong row by month, alike.
    wrong = MonthRollup.objects.filter(started__gt=0).order_by("pk").first()
    MonthRollup.objects.filter(pk=wrong.pk).update(started=0)
    assert rollup.refresh().corrected == 1
    assert MonthRollup.objects.filter(
        school=wrong.school, year=wrong.year, month=wrong.month
    ).get().started == (wrong.started)
    # Many at once: the batch's rows written again whole, the same figures.
    Rollup.objects.update(started=F("started") + 1)
    monkeypatch.setattr(rollup, "FEW_CHANGES", 0)
    assert rollup.refresh().corrected == len(before[Rollup])
    assert sorted(Rollup.objects.values_list("started", flat=True)) == sorted(before[Rollup].values())
