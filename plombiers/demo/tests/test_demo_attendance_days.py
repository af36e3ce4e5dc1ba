"""Whatever the day the demo is built, Chelles' current cohort has a sheet today and tomorrow.

Apart from test_demo_attendance.py, whose tests share one build (`built_once`): each of these builds
its own, at another date.
"""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from plombiers.cohorts.enums import CohortStatus, SessionKind
from plombiers.cohorts.models import Attendance, Cohort, TrainingSession
from plombiers.demo.attendance import AttendanceBuilder
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.network import Builder
from plombiers.frameworks.loader import frameworks_load


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC),  # a Sunday (and Monday is a workday)
        dt.datetime(2026, 12, 9, 9, 0, tzinfo=dt.UTC),  # a Wednesday
    ],
    ids=["sunday", "wednesday"],
)
def test_whatever_the_day_chelles_current_cohort_has_a_sheet_today_and_tomorrow(communes, now):
    with time_machine.travel(now, tick=False):
        demo = Builder().build()
        frameworks_load()
        intake = IntakeBuilder()
        intake.save(intake.plan(demo, intake.prescribers(demo), only={"chelles"}))
        AttendanceBuilder().build(demo, only={"chelles"})
        today = timezone.localdate()
        cohort = Cohort.objects.get(school=demo.schools["chelles"], status=CohortStatus.ONGOING)
        for day in (today, today + dt.timedelta(days=1)):
            sessions = TrainingSession.objects.filter(cohort=cohort, date=day)
            assert sessions.count() == 2, day
            assert all(s.locked_at is None and s.kind != SessionKind.INTERNSHIP for s in sessions)
            assert not Attendance.objects.filter(session__in=sessions).exists()
