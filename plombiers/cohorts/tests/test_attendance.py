import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from plombiers.cohorts import attendance as svc
from plombiers.cohorts.enums import AttendanceStatus, DropOutReason, Period, SessionKind, SignatureMethod
from plombiers.cohorts.models import Attendance, AttendanceAmendment, Signature, TrainingSession
from plombiers.cohorts.services import enrolment_drop_out
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.lib.signature import strokes_to_svg
from plombiers.referrals.tests.factories import LearnerFactory

STROKES = [[[10, 10], [50, 40], [90, 20], [140, 60]]]
MONDAY = dt.date(2026, 10, 5)


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC), tick=False):
        yield MONDAY


@pytest.fixture
def cohort(cast):
    return CohortFactory(school=cast.school_a, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18))


@pytest.fixture
def three(cohort, cast):
    """Three learners; Inès has an account and signs on her phone."""
    ines = LearnerFactory(first_name="Inès", last_name="Arnaud", user=cast.learner_a)
    return [
        EnrolmentFactory(cohort=cohort, learner=ines),
        EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Bilal", last_name="Benali")),
        EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Chloé", last_name="Caron")),
    ]


def session_on(cohort, by, date=MONDAY, period=Period.MORNING, **kwargs):
    return svc.session_create(cohort=cohort, by=by, date=date, period=period, **kwargs)


def test_the_calendar_skips_public_holidays_and_marks_internship_weeks(cast, cohort):
    created = svc.schedule_generate(
        cohort=cohort, by=cast.trainer_a, weekdays=[0, 1, 2, 3, 4], internship_weeks=[dt.date(2026, 11, 18)]
    )
    days = {s.date for s in created}
    assert dt.date(2026, 11, 11) not in days, "Armistice"
    assert dt.date(2026, 11, 2) in days and dt.date(2026, 11, 7) not in days, "a Saturday"
    # 15 weeks of 5 days, minus 11 November (a Wednesday); 1 November is a Sunday.
    assert len(days) == 15 * 5 - 1
    assert len(created) == 2 * len(days)
    internship = {s.date for s in created if s.kind == SessionKind.INTERNSHIP}
    assert internship == {dt.date(2026, 11, d) for d in (16, 17, 18, 19, 20)}
    assert {s.duration_minutes for s in created} == {210}
    # A second run creates nothing: the calendar is edited, not regenerated.
    assert svc.schedule_generate(cohort=cohort, by=cast.trainer_a) == []


def test_the_calendar_is_the_school_team_s(cast, cohort):
    for user in (cast.trainer_b, cast.social_worker_a, cast.prescriber):
        with pytest.raises(PermissionDenied):
            svc.schedule_generate(cohort=cohort, by=user)
    assert not TrainingSession.objects.exists()


def test_hours_are_the_sum_of_signed_sheets(cast, cohort, three):
    """A hand-computed case: three half-days of 3 h 30, signed; one late arrival of 45 minutes,
    one excused absence, one unexcused absence; plus an unsigned sheet that does not count."""
    ines, bilal, _chloe = three
    days = [dt.date(2026, 9, 28), dt.date(2026, 9, 29), dt.date(2026, 9, 30), dt.date(2026, 10, 1)]
    plan = {
        days[0]: {ines: (AttendanceStatus.PRESENT, 0), bilal: (AttendanceStatus.PRESENT, 0)},
        days[1]: {ines: (AttendanceStatus.LATE, 45), bilal: (AttendanceStatus.EXCUSED, 0)},
        days[2]: {ines: (AttendanceStatus.PRESENT, 0), bilal: (AttendanceStatus.ABSENT, 0)},
        days[3]: {ines: (AttendanceStatus.PRESENT, 0), bilal: (AttendanceStatus.PRESENT, 0)},  # never locked
    }
    for day, marks in plan.items():
        session = session_on(cohort, cast.trainer_a, date=day)
        with time_machine.travel(dt.datetime.combine(day, dt.time(11), tzinfo=dt.UTC), tick=False):
            rows = [svc.Mark(e.pk, status, late) for e, (status, late) in marks.items()]
            rows += [svc.Mark(three[2].pk, AttendanceStatus.PRESENT)]
            for row in rows:
                if row.status == AttendanceStatus.EXCUSED:
                    row.excuse_reason = "Rendez-vous à la préfecture"
            svc.attendance_mark(session=session, by=cast.trainer_a, marks=rows)
            for row in rows:
                if row.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
                    enrolment = next(e for e in three if e.pk == row.enrolment_id)
                    svc.attendance_sign(
                        session=session, enrolment=enrolment, strokes=STROKES, by=cast.trainer_a
                    )
            if day != days[3]:
                svc.sheet_lock(session=session, by=cast.trainer_a, strokes=STROKES)

    hours = svc.enrolment_hours(ines)
    assert hours.attended == 210 + (210 - 45) + 210 == 585
    assert hours.attended_display == "9 h 45"
    assert (hours.scheduled, hours.late, hours.absent, hours.excused) == (630, 45, 0, 0)
    hours = svc.enrolment_hours(bilal)
    assert (hours.attended, hours.excused, hours.absent, hours.scheduled) == (210, 210, 210, 630)
    assert svc.cohort_hours(cohort)[ines.pk] == svc.enrolment_hours(ines)


def test_a_learner_signs_on_their_phone_with_the_code(cast, cohort, three, today):
    session = session_on(cohort, cast.trainer_a)
    session = svc.signing_code_issue(session=session, by=cast.trainer_a)
    assert len(session.signing_code) == 6
    mark = svc.attendance_sign(
        session=session,
        enrolment=three[0],
        strokes=STROKES,
        by=cast.learner_a,
        method=SignatureMethod.PHONE,
        code=session.signing_code,
    )
    assert mark.status == AttendanceStatus.PRESENT, "signing says one is there"
    assert mark.signature.method == SignatureMethod.PHONE and mark.signature.user == cast.learner_a
    assert mark.signature.svg.startswith("<svg") and mark.signature.signed_at


@pytest.mark.parametrize("case", ["forged", "expired", "someone_else", "no_code"])
def test_a_bad_code_signs_nothing(cast, cohort, three, today, case):
    session = session_on(cohort, cast.trainer_a)
    if case != "no_code":
        session = svc.signing_code_issue(session=session, by=cast.trainer_a)
    code = session.signing_code
    enrolment = three[1] if case == "someone_else" else three[0]
    error = PermissionDenied if case == "someone_else" else ValidationError
    travel = dt.timedelta(minutes=11 if case == "expired" else 0)
    if case == "forged":
        code = f"{(int(code) + 1) % 10**6:06d}"
    moment = dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC) + travel
    with time_machine.travel(moment, tick=False), pytest.raises(error) as raised:
        svc.attendance_sign(
            session=session,
            enrolment=enrolment,
            strokes=STROKES,
            by=cast.learner_a,
            method=SignatureMethod.PHONE,
            code=code,
        )
    if case == "expired":
        assert "expiré" in str(raised.value)
    if case == "forged":
        assert "pas le bon" in str(raised.value)
    assert not Attendance.objects.exists() and not Signature.objects.exists()


def test_the_trainer_signs_last_and_the_sheet_locks(cast, cohort, three, today):
    session = session_on(cohort, cast.trainer_a)
    svc.attendance_mark(
        session=session,
        by=cast.trainer_a,
        marks=[
            svc.Mark(three[0].pk, AttendanceStatus.PRESENT),
            svc.Mark(three[1].pk, AttendanceStatus.LATE, 20),
            svc.Mark(three[2].pk, AttendanceStatus.ABSENT),
        ],
    )
    with pytest.raises(ValidationError, match="Signature manquante pour : Inès"):
        svc.sheet_lock(session=session, by=cast.trainer_a, strokes=STROKES)
    for enrolment in three[:2]:
        svc.attendance_sign(session=session, enrolment=enrolment, strokes=STROKES, by=cast.trainer_a)
    with pytest.raises(ValidationError, match="Absent·e"):
        svc.attendance_sign(session=session, enrolment=three[2], strokes=STROKES, by=cast.trainer_a)
    session = svc.sheet_lock(session=session, by=cast.trainer_a, strokes=STROKES)
    assert session.is_locked and session.trainer_signature.signer_name

    signatures = Signature.objects.count()
    with pytest.raises(ValidationError, match="verrouillée"):
        svc.attendance_sign(session=session, enrolment=three[2], strokes=STROKES, by=cast.trainer_a)
    with pytest.raises(ValidationError, match="verrouillée"):
        svc.attendance_mark(
            session=session, by=cast.trainer_a, marks=[svc.Mark(three[2].pk, AttendanceStatus.PRESENT)]
        )
    assert Signature.objects.count() == signatures
    assert Attendance.objects.get(enrolment=three[2]).status == AttendanceStatus.ABSENT


def test_an_amendment_changes_a_locked_sheet_with_a_reason(cast, cohort, three, today):
    session = session_on(cohort, cast.trainer_a)
    svc.attendance_mark(
        session=session, by=cast.trainer_a, marks=[svc.Mark(e.pk, AttendanceStatus.ABSENT) for e in three]
    )
    svc.sheet_lock(session=session, by=cast.trainer_a, strokes=STROKES)
    with pytest.raises(ValidationError, match="motif"):
        svc.attendance_amend(
            session=session,
            enrolment=three[1],
            by=cast.trainer_a,
            reason=" ",
            status=AttendanceStatus.EXCUSED,
            excuse_reason="x",
        )
    amendment = svc.attendance_amend(
        session=session,
        enrolment=three[1],
        by=cast.trainer_a,
        reason="Certificat médical reçu le lendemain",
        status=AttendanceStatus.EXCUSED,
        excuse_reason="Maladie",
    )
    assert (
        amendment.before["status"] == AttendanceStatus.ABSENT
        and amendment.after["status"] == AttendanceStatus.EXCUSED
    )
    assert AttendanceAmendment.objects.count() == 1
    assert Attendance.objects.get(enrolment=three[1]).status == AttendanceStatus.EXCUSED


def test_a_mark_for_a_learner_not_on_the_sheet_changes_nothing(cast, cohort, three, today):
    other = EnrolmentFactory(cohort=CohortFactory(school=cast.school_a), learner=LearnerFactory())
    session = session_on(cohort, cast.trainer_a)
    with pytest.raises(ValidationError, match="pas sur la feuille"):
        svc.attendance_mark(
            session=session,
            by=cast.trainer_a,
            marks=[
                svc.Mark(three[0].pk, AttendanceStatus.PRESENT),
                svc.Mark(other.pk, AttendanceStatus.PRESENT),
            ],
        )
    with pytest.raises(ValidationError, match="pas sur la feuille"):
        svc.attendance_sign(session=session, enrolment=other, strokes=STROKES, by=cast.trainer_a)
    assert not Attendance.objects.exists()


def test_a_learner_who_left_is_no_longer_on_the_sheet(cast, cohort, three, today):
    enrolment_drop_out(
        enrolment=three[2], by=cast.manager_a, reason=DropOutReason.MOTIVATION, on=dt.date(2026, 10, 2)
    )
    earlier = session_on(cohort, cast.trainer_a, date=dt.date(2026, 10, 1))
    later = session_on(cohort, cast.trainer_a)
    assert three[2] in svc.sheet_enrolments(earlier)
    assert three[2] not in svc.sheet_enrolments(later)


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        (svc.Mark(0, "bof"), "présence inconnue"),
        (svc.Mark(0, AttendanceStatus.LATE, 0), "retard en minutes"),
        (svc.Mark(0, AttendanceStatus.LATE, 210), "retard en minutes"),
        (svc.Mark(0, AttendanceStatus.PRESENT, 5), "retard ne s'indique"),
        (svc.Mark(0, AttendanceStatus.EXCUSED), "motif"),
        (svc.Mark(0, AttendanceStatus.ABSENT, excuse_reason="Malade"), "absence justifiée"),
    ],
)
def test_bad_marks_are_refused_in_french(cast, cohort, three, today, mark, message):
    session = session_on(cohort, cast.trainer_a)
    mark.enrolment_id = three[0].pk
    with pytest.raises(ValidationError, match=message):
        svc.attendance_mark(session=session, by=cast.trainer_a, marks=[mark])
    assert not Attendance.objects.exists()


def test_future_half_days_are_not_marked_or_signed(cast, cohort, three, today):
    session = session_on(cohort, cast.trainer_a, date=MONDAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="à venir"):
        svc.attendance_mark(
            session=session, by=cast.trainer_a, marks=[svc.Mark(three[0].pk, AttendanceStatus.PRESENT)]
        )
    with pytest.raises(ValidationError, match="jour même"):
        svc.signing_code_issue(session=session, by=cast.trainer_a)


def test_an_afternoon_sheet_is_not_signed_or_locked_before_it_starts(cast, cohort, three, today):
    # 10:00 UTC is 12:00 in Paris; the afternoon starts at 13:30.
    session = session_on(cohort, cast.trainer_a, period=Period.AFTERNOON)
    svc.attendance_mark(
        session=session, by=cast.trainer_a, marks=[svc.Mark(e.pk, AttendanceStatus.ABSENT) for e in three[1:]]
    )
    with pytest.raises(ValidationError, match="commence à 13 h 30 : on ne la signe pas avant son début"):
        svc.attendance_sign(session=session, enrolment=three[0], strokes=STROKES, by=cast.trainer_a)
    with pytest.raises(ValidationError, match="avant son début"):
        svc.sheet_lock(session=session, by=cast.trainer_a, strokes=STROKES)
    assert not Signature.objects.exists()
    with time_machine.travel(dt.datetime(2026, 10, 5, 11, 30, tzinfo=dt.UTC), tick=False):  # 13:30 in Paris
        svc.attendance_sign(session=session, enrolment=three[0], strokes=STROKES, by=cast.trainer_a)
        svc.sheet_lock(session=session, by=cast.trainer_a, strokes=STROKES)
    session.refresh_from_db()
    assert session.is_locked


def test_only_the_team_of_the_school_marks(cast, cohort, three, today):
    session = session_on(cohort, cast.trainer_a)
    for user in (cast.trainer_b, cast.social_worker_a, cast.learner_a, cast.outsider):
        with pytest.raises(PermissionDenied):
            svc.attendance_mark(
                session=session, by=user, marks=[svc.Mark(three[0].pk, AttendanceStatus.PRESENT)]
            )


def test_session_times_are_checked(cast, cohort):
    with pytest.raises(ValidationError, match="fin doit suivre"):
        session_on(cohort, cast.trainer_a, start_time=dt.time(12), end_time=dt.time(9))
    with pytest.raises(ValidationError, match="entre le début et la fin"):
        session_on(cohort, cast.trainer_a, date=dt.date(2027, 1, 4))
    session_on(cohort, cast.trainer_a)
    with pytest.raises(ValidationError, match="existe déjà"):
        session_on(cohort, cast.trainer_a)


def test_signature_svg_is_built_from_points_only():
    svg = strokes_to_svg([[[1, 2], [3, 4.25], [5, 6]]])
    assert 'd="M1 2L3 4.2L5 6"' in svg or 'd="M1 2L3 4.25L5 6"' in svg
    for bad in ([], [[[1, 2]]], "<script>", [[["<", 2], [1, 1], [1, 1]]], [[[1000, 1]] * 3], [[[1, 2, 3]]]):
        with pytest.raises(ValueError):
            strokes_to_svg(bad)


@pytest.mark.django_db(transaction=True)
def test_two_devices_marking_one_sheet_lose_no_mark(cast, cohort, three, today):
    """Two tablets mark different learners of the same sheet at the same moment."""
    session = session_on(cohort, cast.trainer_a)
    barrier = threading.Barrier(len(three))
    errors = []

    def mark(enrolment):
        try:
            barrier.wait()
            svc.attendance_mark(
                session=session, by=cast.trainer_a, marks=[svc.Mark(enrolment.pk, AttendanceStatus.PRESENT)]
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=mark, args=(e,)) for e in three]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Attendance.objects.filter(session=session).count() == 3


def test_a_cohort_lasts_a_year_at_most(cast):
    from plombiers.cohorts.services import cohort_create

    with pytest.raises(ValidationError, match="au plus un an"):
        cohort_create(
            school=cast.school_a,
            by=cast.manager_a,
            name="Erreur de saisie",
            start_date=dt.date(2026, 9, 7),
            end_date=dt.date(9999, 12, 18),
        )
