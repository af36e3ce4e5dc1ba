"""Attendance histories for the alert tests, written through the attendance services."""

import datetime as dt

import time_machine

from plombiers.alerts.models import Alert
from plombiers.cohorts import attendance as svc
from plombiers.cohorts.enums import AttendanceStatus, Period
from plombiers.cohorts.models import TrainingSession

MORNING, AFTERNOON = Period.MORNING, Period.AFTERNOON


def half_day(cohort, by, day: dt.date, period: str = MORNING) -> TrainingSession:
    return TrainingSession.objects.filter(
        cohort=cohort, date=day, period=period
    ).first() or svc.session_create(cohort=cohort, by=by, date=day, period=period)


def mark(by, session: TrainingSession, statuses: dict) -> None:
    """Mark a half-day as the trainer would that day: {enrolment: status}."""
    marks = []
    for enrolment, status in statuses.items():
        row = svc.Mark(enrolment.pk, status)
        if status == AttendanceStatus.LATE:
            row.late_minutes = 20
        if status == AttendanceStatus.EXCUSED:
            row.excuse_reason = "Rendez-vous médical"
        marks.append(row)
    with time_machine.travel(dt.datetime.combine(session.date, dt.time(18), tzinfo=dt.UTC), tick=False):
        svc.attendance_mark(session=session, by=by, marks=marks)


def history(cohort, by, enrolment, plan: list[tuple[dt.date, str, str]], others=()) -> None:
    """[(day, period, status)] for one young person; the others of `others` are present."""
    for day, period, status in plan:
        session = half_day(cohort, by, day, period)
        mark(by, session, {enrolment: status, **dict.fromkeys(others, AttendanceStatus.PRESENT)})


def alert_make(enrolment, rule="absences", on: dt.date = dt.date(2026, 10, 14), **kwargs):
    """An alert as the computation writes it, without the attendance history behind it."""
    defaults = {
        "reason": "2 absences non justifiées sur les 5 dernières demi-journées (12/10 matin, 13/10 après-midi)",
        "facts": {"keys": [f"attendance:{enrolment.pk}"]},
    }
    return Alert.objects.create(
        enrolment=enrolment,
        school_id=enrolment.cohort.school_id,
        rule=rule,
        raised_on=on,
        **{**defaults, **kwargs},
    )
