"""The attendance history of the demo: calendars, signed sheets, Inès's story, drop-outs' last weeks."""

import datetime as dt
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from plombiers.cohorts.attendance import DEFAULT_HOURS, enrolment_hours, french_holidays
from plombiers.cohorts.enums import (
    AttendanceStatus,
    CohortStatus,
    EnrolmentStatus,
    SessionKind,
    SignatureMethod,
    SignatureMode,
)
from plombiers.cohorts.models import (
    Attendance,
    AttendanceAmendment,
    Cohort,
    Enrolment,
    Signature,
    TrainingSession,
)
from plombiers.conftest import built_once
from plombiers.demo.attendance import AttendanceBuilder, demo_attendance_counts, shown_days
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.network import Builder
from plombiers.frameworks.loader import frameworks_load
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import School

MODELS = (TrainingSession, Attendance, Signature, AttendanceAmendment)


def _build(communes):
    """The demo network, with the intake and attendance histories of Chelles only (quicker)."""
    demo = Builder().build()
    frameworks_load()
    intake = IntakeBuilder()
    intake.save(intake.plan(demo, intake.prescribers(demo), only={"chelles"}))
    demo.plan = AttendanceBuilder().build(demo, only={"chelles"})
    return demo


demo_built = built_once(_build)


@pytest.fixture
def demo(demo_built, db):
    return demo_built


@dataclass(frozen=True)
class Seen:
    date: dt.date
    status: str


def marks_by_enrolment() -> dict[int, list[Seen]]:
    marks = defaultdict(list)
    for enrolment, date, status in Attendance.objects.order_by(
        "session__date", "session__start_time"
    ).values_list("enrolment", "session__date", "status"):
        marks[enrolment].append(Seen(date, status))
    return marks


def test_calendars_follow_the_template_and_past_sheets_are_signed_and_locked(demo):
    today, now = timezone.localdate(), timezone.now()
    assert demo.plan is not None
    cohorts = list(
        Cohort.objects.select_related("opco", "school").prefetch_related("trainers", "framework__blocks")
    )
    sessions = defaultdict(list)
    for session in TrainingSession.objects.order_by("date", "start_time"):
        sessions[session.cohort_id].append(session)
    for cohort in cohorts:
        # The convention's price and the OPCO that pays it.
        assert Decimal(6000) <= cohort.price_per_learner <= Decimal(9000)
        assert cohort.opco.kind == OrganisationKind.OPCO
        # Weekdays from the first to the last day, holidays skipped, two half-days of 3 h 30.
        days = sorted({s.date for s in sessions[cohort.pk]})
        closed = french_holidays(cohort.start_date, cohort.end_date)
        expected = [
            d
            for d in (
                cohort.start_date + dt.timedelta(n)
                for n in range((cohort.end_date - cohort.start_date).days + 1)
            )
            if (d.weekday() < 5 and d not in closed) or d in shown_days(cohort, today)
        ]
        assert days == expected
        assert len(sessions[cohort.pk]) == 2 * len(days)
        for session in sessions[cohort.pk]:
            assert (session.start_time, session.end_time) == DEFAULT_HOURS[session.period]
            assert session.duration_minutes == 210
        # Two weeks of internship in the last third; the blocks in turn; the cohort's trainers.
        internship = sorted({s.date for s in sessions[cohort.pk] if s.kind == SessionKind.INTERNSHIP})
        mondays = {d - dt.timedelta(days=d.weekday()) for d in internship}
        assert len(mondays) == 2 and max(mondays) - min(mondays) == dt.timedelta(weeks=1)
        if not cohort.enrolments.filter(learner__user__email="jeune@plombiers.example").exists():
            assert internship[0] >= cohort.start_date + (cohort.end_date - cohort.start_date) * 0.6
        else:  # Inès's cohort: early, so that her internship is evaluated (DEMO.md)
            assert internship[0] - cohort.start_date <= dt.timedelta(weeks=6)
        assert internship[-1] < cohort.end_date - dt.timedelta(days=4)
        blocks = [s.block_id for s in sessions[cohort.pk] if s.kind != SessionKind.INTERNSHIP]
        assert set(blocks) == {b.pk for b in cohort.framework.blocks.all()}
        taught = list(dict.fromkeys(blocks))
        assert taught == sorted(taught, key=lambda pk: cohort.framework.blocks.get(pk=pk).position)
        assert not any(s.block_id for s in sessions[cohort.pk] if s.kind == SessionKind.INTERNSHIP)
        assert {s.trainer_id for s in sessions[cohort.pk]} <= {t.pk for t in cohort.trainers.all()}
        assert any(s.kind == SessionKind.THEORY for s in sessions[cohort.pk])
        # Past half-days signed and locked by the trainer at their end; today and later open, unmarked.
        for session in sessions[cohort.pk]:
            if session.date < today and cohort.status != CohortStatus.PLANNED:
                end = dt.datetime.combine(
                    session.date, session.end_time, tzinfo=timezone.get_current_timezone()
                )
                assert session.locked_at == end and session.locked_by_id == session.trainer_id
                assert session.trainer_signature.user_id == session.trainer_id
                assert session.trainer_signature.method == SignatureMethod.TABLET
            else:
                assert session.locked_at is None and session.trainer_signature is None
    ongoing = next(c for c in cohorts if c.status == CohortStatus.ONGOING)
    open_today = [s for s in sessions[ongoing.pk] if s.date == today]
    assert all(not s.marks.exists() for s in open_today)
    assert not Attendance.objects.filter(session__date__gte=today).exists()
    assert not Attendance.objects.filter(session__cohort__status=CohortStatus.PLANNED).exists()

    # Every locked sheet: everyone on the sheet that day marked, everyone there signed, nobody else.
    enrolments = {e.pk: e for e in Enrolment.objects.all()}
    by_cohort = defaultdict(list)
    for enrolment in enrolments.values():
        by_cohort[enrolment.cohort_id].append(enrolment)
    on_sheet = defaultdict(set)
    for mark in Attendance.objects.select_related("session"):
        session, enrolment = mark.session, enrolments[mark.enrolment_id]
        assert session.locked_at is not None
        assert enrolment.cohort_id == session.cohort_id
        assert enrolment.entry_date <= session.date <= (enrolment.end_date or dt.date.max)
        assert (mark.signature_id is not None) == mark.is_there
        if mark.status == AttendanceStatus.LATE:
            assert 5 <= mark.late_minutes <= 40
        assert bool(mark.excuse_reason) == (mark.status == AttendanceStatus.EXCUSED)
        on_sheet[session.pk].add(mark.enrolment_id)
    for session in TrainingSession.objects.locked():
        expected = {
            e.pk
            for e in by_cohort[session.cohort_id]
            if e.entry_date <= session.date <= (e.end_date or dt.date.max)
        }
        assert on_sheet[session.pk] == expected
    # A learner's signature is one drawing, reused on every sheet, in one row per time of the day
    # (half-day and lateness); the time a sheet shows lies within its half-day (a learner signs
    # when they arrive, the trainer at the end).
    zone = timezone.get_current_timezone()
    drawings, signatures = defaultdict(set), defaultdict(set)
    for mark in Attendance.objects.exclude(signature=None).select_related("session", "signature"):
        session, signature = mark.session, mark.signature
        drawings[mark.enrolment_id].add(signature.svg)
        signatures[mark.enrolment_id].add(signature.pk)
        signed = signature.signed_at.astimezone(zone).time()
        assert session.start_time < signed < session.end_time, (session, signed)
        assert signed.hour * 60 + signed.minute == (
            session.start_time.hour * 60 + session.start_time.minute + mark.late_minutes + 2
        )
    assert all(len(d) == 1 for d in drawings.values())
    assert len({s for ids in signatures.values() for s in ids}) == sum(len(s) for s in signatures.values())
    for session in TrainingSession.objects.locked().select_related("trainer_signature"):
        assert session.trainer_signature.signed_at.astimezone(zone).time() == session.end_time
    for signature in Signature.objects.all():
        if signature.mode == SignatureMode.TYPED:
            assert signature.svg == "" and signature.typed_name == signature.signer_name
        else:
            assert signature.svg.startswith("<svg") and signature.svg.count("L") > 20
        assert signature.signed_at <= now
    # One learner of Chelles' current cohort signs without drawing (issue 21), on the tablet.
    typed = Signature.objects.filter(mode=SignatureMode.TYPED)
    assert typed.exists() and set(typed.values_list("method", flat=True)) == {SignatureMethod.TABLET}
    assert len(set(typed.values_list("signer_name", flat=True))) == 1
    learner_signatures = Signature.objects.filter(pk__in={s for ids in signatures.values() for s in ids})
    ines = Attendance.objects.filter(enrolment__learner__user__email="jeune@plombiers.example")
    assert set(learner_signatures.values_list("method", flat=True).distinct()) == {
        SignatureMethod.TABLET,
        SignatureMethod.PHONE,  # Inès, on her phone
    }
    assert set(ines.exclude(signature=None).values_list("signature__method", flat=True)) == {
        SignatureMethod.PHONE
    }
    assert Signature.objects.count() == learner_signatures.count() + len(
        set(TrainingSession.objects.locked().values_list("trainer_signature", flat=True))
    )

    # Realistic patterns: mostly present, some late, absences excused (with a reason) or not.
    statuses = Counter(Attendance.objects.values_list("status", flat=True))
    total = statuses.total()
    assert statuses[AttendanceStatus.PRESENT] > 0.85 * total
    assert 0.01 * total < statuses[AttendanceStatus.LATE] < 0.08 * total
    assert 0.005 * total < statuses[AttendanceStatus.ABSENT] < 0.05 * total
    assert 0.005 * total < statuses[AttendanceStatus.EXCUSED] < 0.05 * total
    reasons = set(
        Attendance.objects.filter(status=AttendanceStatus.EXCUSED).values_list("excuse_reason", flat=True)
    )
    assert {"Maladie (certificat)", "Rendez-vous France Travail"} <= reasons and len(reasons) >= 6

    # Amendments: an absence turned excused when the certificate arrived, a few days later.
    amendments = list(AttendanceAmendment.objects.select_related("attendance", "session"))
    assert len(Cohort.objects.exclude(status=CohortStatus.PLANNED)) // 2 <= len(amendments)
    assert AttendanceAmendment.objects.filter(session__cohort=ongoing).exists()
    for amendment in amendments:
        assert (
            amendment.before["status"] == AttendanceStatus.ABSENT
            and amendment.after["status"] == AttendanceStatus.EXCUSED
        )
        assert amendment.attendance.status == AttendanceStatus.EXCUSED
        assert amendment.attendance.excuse_reason == amendment.after["excuse_reason"] != ""
        assert "certificat" in amendment.reason.lower()
        assert amendment.session.locked_at < amendment.at <= now
        assert amendment.by_id == amendment.session.trainer_id

    # The command's summary; loading again changes nothing.
    counts = demo_attendance_counts(demo.network)
    assert counts["présences"] == total and counts["modifications"] == len(amendments)
    before = [m.objects.count() for m in MODELS]
    assert AttendanceBuilder().build(demo, only={"chelles"}) is None
    assert [m.objects.count() for m in MODELS] == before


def test_ines_one_excused_absence_and_a_signed_history(demo):
    ines = Enrolment.objects.select_related("learner__user").get(
        learner__user__email="jeune@plombiers.example"
    )
    marks = list(
        Attendance.objects.filter(enrolment=ines).select_related("signature").order_by("session__date")
    )
    statuses = Counter(m.status for m in marks)
    assert statuses[AttendanceStatus.EXCUSED] == 1 and statuses[AttendanceStatus.ABSENT] == 0
    assert 1 <= statuses[AttendanceStatus.LATE] <= 2
    assert len(marks) >= 40
    excused = next(m for m in marks if m.status == AttendanceStatus.EXCUSED)
    assert "foyer de jeunes travailleurs" in excused.excuse_reason
    signatures = {m.signature for m in marks if m.is_there}
    assert len({s.svg for s in signatures}) == 1  # one drawing
    for signature in signatures:
        assert signature.method == SignatureMethod.PHONE and signature.user == ines.learner.user
        assert signature.signer_name == str(ines.learner)
    hours = enrolment_hours(ines)
    late = sum(m.late_minutes for m in marks)
    assert hours.scheduled == 210 * len(marks)
    assert hours.attended == 210 * (len(marks) - 1) - late and hours.excused == 210


def test_drop_outs_miss_more_in_their_last_weeks_and_the_warnings_would_have_fired(demo):
    marks = marks_by_enrolment()
    dropped = list(
        Enrolment.objects.filter(status=EnrolmentStatus.DROPPED_OUT, pk__in=marks).select_related("cohort")
    )
    assert len(dropped) >= 5
    rates = {}
    for cohort_id, rows in itertools.groupby(
        sorted(Attendance.objects.values_list("session__cohort", "status")), key=lambda r: r[0]
    ):
        statuses = Counter(status for _, status in rows)
        rates[cohort_id] = statuses[AttendanceStatus.ABSENT] / statuses.total()
    lates_in_a_week = 0
    for enrolment in dropped:
        mine = marks[enrolment.pk]
        since = enrolment.end_date - dt.timedelta(weeks=3)
        last_weeks = [m for m in mine if m.date > since]
        absent = sum(m.status == AttendanceStatus.ABSENT for m in last_weeks)
        assert absent / len(last_weeks) > rates[enrolment.cohort_id]
        # Two unexcused absences in five half-days…
        assert any(
            sum(m.status == AttendanceStatus.ABSENT for m in mine[i : i + 5]) >= 2
            for i in range(max(len(mine) - 4, 1))
        )
        # …and, for most, three late arrivals in one week.
        weeks = Counter(m.date.isocalendar()[:2] for m in last_weeks if m.status == AttendanceStatus.LATE)
        lates_in_a_week += any(n >= 3 for n in weeks.values())
    assert lates_in_a_week >= 0.7 * len(dropped)
    # Most of those who completed the programme never had two unexcused absences in five half-days.
    completed = [
        marks[e]
        for e in Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED).values_list("pk", flat=True)
    ]
    alerted = [
        any(sum(m.status == AttendanceStatus.ABSENT for m in mine[i : i + 5]) >= 2 for i in range(len(mine)))
        for mine in completed
    ]
    assert len(completed) > 50 and 0 < sum(alerted) < 0.35 * len(completed)


def test_only_chelles_current_cohort_gets_weekend_half_days():
    sunday = dt.date(2026, 12, 6)
    chelles = Cohort(
        start_date=dt.date(2026, 10, 5), end_date=dt.date(2027, 1, 22), status=CohortStatus.ONGOING
    )
    chelles.school = School(slug="plombiers-chelles")
    assert shown_days(chelles, sunday) == {sunday, dt.date(2026, 12, 7)}
    assert shown_days(chelles, dt.date(2027, 1, 22)) == {dt.date(2027, 1, 22)}  # its last day
    other = Cohort(start_date=chelles.start_date, end_date=chelles.end_date, status=CohortStatus.ONGOING)
    other.school = School(slug="plombiers-roubaix")
    assert shown_days(other, sunday) == set()
    chelles.status = CohortStatus.FINISHED
    assert shown_days(chelles, sunday) == set()
