"""The attendance rate counts the months of history a school imported (`AttendanceHistory`) beside
the signed sheets, by hand on `world.py` (390 minutes attended out of 840 on A1's signed sheets),
live and from the rollup alike."""

import dataclasses
import datetime as dt
from decimal import Decimal as D

import pytest

from plombiers.cohorts.models import AttendanceHistory
from plombiers.impact import rollup
from plombiers.impact import selectors as sel
from plombiers.impact.access import resolve_scope
from plombiers.referrals.models import Learner

pytestmark = pytest.mark.django_db


def rate(scope):
    figure = sel.indicators(scope).rows[0].figures["attendance_rate"]
    return figure.numerator, figure.denominator


@pytest.fixture
def history(world):
    """February 2025 imported for the third young person of A1 (no sheet): 20 h 30 attended
    (1 230 min), 3 h 30 excused (210) and 1 h 15 unexcused (75): 1 515 minutes scheduled."""
    third = world.a1_enrolments[2]
    AttendanceHistory.objects.create(
        enrolment=third, month=dt.date(2025, 2, 1), attended_hours=D("20.5"), excused_hours=D("3.5"),
        unexcused_hours=D("1.25"),
    )  # fmt: skip
    return third


def test_the_attendance_rate_counts_the_history_beside_the_sheets(cast, world, history):
    network = resolve_scope(cast.staff, "network")
    assert rate(network) == (390 + 1230, 840 + 1515)
    assert rate(resolve_scope(cast.trainer_a, "cohort", world.a1.pk)) == (1620, 2355)
    # School B has neither sheets nor history.
    assert rate(resolve_scope(cast.manager_b, "school", cast.school_b.slug)) == (0, 0)
    # The learners behind the figures: present on a sheet (the second never was) or in the history.
    first, second, third = (e.learner for e in world.a1_enrolments[:3])

    def behind(measure):
        return set(Learner.objects.filter(pk__in=sel.measure_learners(network, sel.Filters(), measure)))

    assert behind("attended_minutes") == {first, third}
    assert behind("scheduled_minutes") == {first, second, third}


def test_the_rollup_counts_the_history_as_the_records_do(cast, world, history, settings):
    live = resolve_scope(cast.staff, "network")
    expected = rate(live)
    rollup.refresh()
    settings.IMPACT_ROLLUP_FROM_SCHOOLS = 1
    consolidated = dataclasses.replace(live)
    assert consolidated.rollup is not None
    assert rate(consolidated) == expected == (1620, 2355)
