"""The months of attendance history (`AttendanceHistory`) beside the signed sheets: the sums of
`with_hours` and `with_minutes`, and the cohort's page, which shows them apart, read-only, in the
same number of queries."""

import datetime as dt
from decimal import Decimal as D

import pytest

from plombiers.accounts.services import api_token_create
from plombiers.cohorts.enums import AttendanceStatus, EnrolmentStatus, Period
from plombiers.cohorts.models import AttendanceHistory, Enrolment
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.documents.tests.conftest import half_day
from plombiers.referrals.tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(cast):
    """Inès: October 2026 imported (70 h 30 attended, 3 h 30 excused, 7 h not: 81 h scheduled),
    then one signed half-day of 3 h 30 in November, late 20 min (190 min attended). Bilal: the
    half-day only, absent."""
    cohort = CohortFactory(
        school=cast.school_a,
        name="Fibre 2026",
        start_date=dt.date(2026, 9, 7),
        end_date=dt.date(2026, 12, 18),
    )
    ines = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Inès", last_name="Arnaud"))
    bilal = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Bilal", last_name="Benali"))
    AttendanceHistory.objects.create(
        enrolment=ines, month=dt.date(2026, 10, 1), attended_hours=D("70.5"), excused_hours=D("3.5"),
        unexcused_hours=D("7"),
    )  # fmt: skip
    half_day(
        cohort, cast.trainer_a, dt.date(2026, 11, 2), Period.MORNING,
        {ines: (AttendanceStatus.LATE, 20), bilal: (AttendanceStatus.ABSENT, 0)},
    )  # fmt: skip
    return cohort, ines, bilal


def test_the_sums_keep_the_sheets_and_the_history_apart_and_add_them_up(course):
    cohort, ines, bilal = course
    row = Enrolment.objects.with_hours().get(pk=ines.pk)
    assert (row.attended_minutes, row.scheduled_minutes) == (190, 210)
    assert (row.history_attended_minutes, row.history_excused_minutes, row.history_absent_minutes) == (
        4230,
        210,
        420,
    )
    rows = {e.pk: e for e in Enrolment.objects.filter(cohort=cohort).with_minutes()}
    assert (rows[ines.pk].total_attended_minutes, rows[ines.pk].total_scheduled_minutes) == (
        190 + 4230,
        210 + 4860,
    )
    assert (rows[bilal.pk].total_attended_minutes, rows[bilal.pk].total_scheduled_minutes) == (0, 210)
    november = Enrolment.objects.filter(pk=ines.pk).with_minutes(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert november.get().total_attended_minutes == 190
    october = Enrolment.objects.filter(pk=ines.pk).with_minutes(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert october.get().total_attended_minutes == 4230


def test_the_cohort_page_shows_the_history_apart_read_only(client, cast, course, django_assert_num_queries):
    cohort, _ines, _bilal = course
    client.force_login(cast.manager_a)
    with django_assert_num_queries(7):  # as without history (`test_cohort_page_query_count_is_constant`)
        html = client.get(cohort.get_absolute_url()).content.decode()
    assert '<th scope="col">Historique importé</th>' in html
    assert "70 h 30 suivies, 3 h 30 d&#x27;absence justifiée, 7 h d&#x27;absence injustifiée" in html
    assert "3 h 10" in html  # the sheet's 190 minutes, not mixed with the history
    # Another school's team does not see the cohort.
    client.force_login(cast.manager_b)
    assert client.get(cohort.get_absolute_url()).status_code == 404


def test_the_api_gives_the_history_apart_from_the_sheets(client, cast, course):
    _cohort, ines, _bilal = course
    _token, raw = api_token_create(user=cast.manager_a)
    body = client.get(
        f"/api/v1/enrolments/{ines.pk}/hours", headers={"Authorization": f"Bearer {raw}"}
    ).json()
    assert (body["attended_minutes"], body["scheduled_minutes"]) == (190, 210)
    assert body["history"] == {
        "months": ["2026-10-01"],
        "attended_minutes": 4230,
        "excused_minutes": 210,
        "absent_minutes": 420,
    }
    _token, raw = api_token_create(user=cast.manager_b)
    other = client.get(f"/api/v1/enrolments/{ines.pk}/hours", headers={"Authorization": f"Bearer {raw}"})
    assert other.status_code == 404


def test_without_history_the_column_is_not_there(client, cast):
    cohort = CohortFactory(school=cast.school_a)
    EnrolmentFactory(cohort=cohort, learner=LearnerFactory(), status=EnrolmentStatus.ACTIVE)
    client.force_login(cast.manager_a)
    assert "Historique importé" not in client.get(cohort.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_cohort_page_with_history_in_a_browser(new_page, cast, course, tmp_path):
    """The column on a desktop and a phone (a scrolling table), axe-core clean."""
    from plombiers.conftest import assert_accessible, login

    cohort = course[0]
    for width, height in ((1280, 800), (390, 844)):
        page = new_page(width, height)
        login(page, cast.manager_a.email)
        page.goto(cohort.get_absolute_url())
        assert page.get_by_role("columnheader", name="Historique importé").is_visible()
        assert_accessible(page, f"promotion-historique-{width}")
