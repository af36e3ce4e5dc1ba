"""Twelve tablets marking attendance at once (issue 18): never « database is locked ».

SQLite has one writer at a time: the settings put it in WAL mode (readers never wait for the
writer), give each connection a busy timeout (a writer waits for the lock instead of failing) and
begin every transaction IMMEDIATE (a transaction takes the write lock at its start: a deferred one
that read first and then wanted to write could fail at once, which no timeout retries). The test
runs on the suite's engine: on a SQLite file by default, on PostgreSQL with DATABASE_URL.
"""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from plombiers.cohorts import attendance as svc
from plombiers.cohorts.enums import AttendanceStatus, Period
from plombiers.cohorts.models import Attendance
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.referrals.tests.factories import LearnerFactory

TABLETS = 12
SHEETS = 4
LEARNERS = 12
STATUSES = [AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.PRESENT]


def test_the_sqlite_settings_apply_to_every_connection(db):
    """The PRAGMAs of `init_command` and the IMMEDIATE transactions, read back from a connection."""
    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"  # nothing of this applies there
        return
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == 20_000
        assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert connection.transaction_mode == "IMMEDIATE"


@pytest.mark.django_db(transaction=True)
def test_twelve_tablets_mark_attendance_at_once_without_a_lock_error(cast):
    today = timezone.localdate()
    sheets = []
    for number in range(SHEETS):
        cohort = CohortFactory(
            school=cast.school_a,
            name=f"Promotion {number}",
            start_date=today - dt.timedelta(days=30),
            end_date=today + dt.timedelta(days=60),
        )
        enrolments = [
            EnrolmentFactory(cohort=cohort, learner=LearnerFactory(school=cast.school_a))
            for _ in range(LEARNERS)
        ]
        session = svc.session_create(cohort=cohort, by=cast.trainer_a, date=today, period=Period.MORNING)
        sheets.append((session, enrolments))
    barrier = threading.Barrier(TABLETS)
    errors, answers = [], []

    def tablet(number: int) -> None:
        """Tablet `number` marks its learners of its sheet (a third of them), three times each."""
        session, enrolments = sheets[number % SHEETS]
        mine = enrolments[number // SHEETS :: TABLETS // SHEETS]
        client = Client()
        try:
            client.force_login(cast.trainer_a)
            url = reverse("cohorts:attendance_mark", args=[session.pk])
            barrier.wait()
            for status in STATUSES:
                for enrolment in mine:
                    response = client.post(url, {"enrolment": enrolment.pk, "status": status})
                    answers.append(response.status_code)
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=tablet, args=(n,)) for n in range(TABLETS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], errors[:3]
    assert answers == [302] * (SHEETS * LEARNERS * len(STATUSES))
    marks = Attendance.objects.filter(session__in=[s for s, _ in sheets])
    assert marks.count() == SHEETS * LEARNERS, "every mark stored"
    assert set(marks.values_list("status", flat=True)) == {STATUSES[-1]}, "the last one of each tablet"
