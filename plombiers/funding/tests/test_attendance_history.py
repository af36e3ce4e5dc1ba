"""The hours of funding count the months of history a school imported (`AttendanceHistory`) beside
the signed sheets: the OPCO's hours, the costs, the funders' figures and the BPF, on the hand-computed
`course` (1 825 minutes on its sheets of September and October 2026)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from plombiers.cohorts.models import AttendanceHistory
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.funding import selectors as sel
from plombiers.funding import services as svc
from plombiers.funding.enums import OpcoScheme
from plombiers.funding.models import OpcoFunding
from plombiers.referrals.tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db

NOVEMBER = dt.date(2026, 11, 1)


@pytest.fixture
def history(cast, course):
    """November 2026 imported for Inès (20 h 30 attended, 3 h 30 excused, 1 h 15 not) and for
    Dylan, who joined the cohort's spreadsheet but has no sheet (14 h attended): 1 230 + 840 =
    2 070 minutes attended. And one month of another school, which never counts for school A."""
    dylan = EnrolmentFactory(
        cohort=course.cohort, learner=LearnerFactory(first_name="Dylan", last_name="Dupuis")
    )
    AttendanceHistory.objects.create(
        enrolment=course.ines, month=NOVEMBER, attended_hours=D("20.5"), excused_hours=D("3.5"),
        unexcused_hours=D("1.25"),
    )  # fmt: skip
    AttendanceHistory.objects.create(
        enrolment=dylan, month=NOVEMBER, attended_hours=D("14"), excused_hours=0, unexcused_hours=0
    )
    other = EnrolmentFactory(cohort=CohortFactory(school=cast.school_b), learner=LearnerFactory())
    AttendanceHistory.objects.create(
        enrolment=other, month=NOVEMBER, attended_hours=D("99"), excused_hours=0, unexcused_hours=0
    )
    return dylan


def test_the_opco_claims_the_history_months_beside_the_sheets(cast, course, history, today):
    assert svc.attended_minutes(course.cohort) == 1825 + 2070
    assert svc.attended_minutes(course.cohort, dt.date(2026, 9, 1), dt.date(2026, 10, 31)) == 1825
    assert svc.attended_minutes(course.cohort, NOVEMBER, today) == 2070
    funding = svc.opco_funding_create(
        cohort=course.cohort, by=cast.manager_a, opco=course.opco, scheme=OpcoScheme.POEC,
        hours_agreed="500", hourly_rate="12.50",
    )  # fmt: skip
    assert svc.claimable(funding).minutes == 3895
    assert OpcoFunding.objects.with_attended_minutes().get(pk=funding.pk).attended_minutes == 3895
    invoice = svc.opco_invoice_create(
        funding=funding, by=cast.manager_a, period_start=NOVEMBER, period_end=today
    )
    # 34 h 30 × 12,50 = 431,25
    assert (invoice.attended_minutes, invoice.amount) == (2070, D("431.25"))


def test_costs_funders_figures_and_bpf_count_the_history(cast, course, history, today):
    start, end = sel.year_range(2026)
    assert sel.attended_minutes_by_school([cast.school_a.pk], start, end) == {cast.school_a.pk: 3895}
    assert sel.attended_minutes_by_school([cast.school_a.pk], start, dt.date(2026, 10, 31)) == {
        cast.school_a.pk: 1825
    }
    assert sel.costs_by_school([cast.school_a.pk], 2026)[cast.school_a.pk].training_minutes == 3895
    counts = sel.counts_by_school_year([cast.school_a.pk, cast.school_b.pk])
    assert counts[("minutes", cast.school_a.pk, 2026)] == 3895
    assert counts[("minutes", cast.school_b.pk, 2026)] == 99 * 60
    figures = sel.bpf(cast.school_a, 2026)
    # Inès, Bilal, Chloé on the sheets; Dylan in the history only.
    assert (figures.learners, figures.learner_minutes) == (4, 3895)
    assert sel.bpf(cast.school_a, 2025).learner_minutes == 0
