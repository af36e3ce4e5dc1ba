import pytest
from django.db import IntegrityError, transaction

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.outcomes.enums import CATEGORY_OF, ExitCategory, ExitType, is_positive
from plombiers.outcomes.models import Exit
from plombiers.outcomes.tests.factories import ExitFactory, FollowUpFactory
from plombiers.referrals.tests.factories import LearnerFactory


def test_every_situation_maps_to_exactly_one_category():
    assert set(CATEGORY_OF) == set(ExitType.values)
    assert set(CATEGORY_OF.values()) == set(ExitCategory.values)


@pytest.mark.parametrize(
    ("exit_type", "category"),
    [
        (ExitType.CDI, ExitCategory.DURABLE_JOB),
        (ExitType.CDD_LONG, ExitCategory.DURABLE_JOB),
        (ExitType.BUSINESS_CREATION, ExitCategory.DURABLE_JOB),
        (ExitType.CDD_SHORT, ExitCategory.TRANSITION_JOB),
        (ExitType.TEMPING_SHORT, ExitCategory.TRANSITION_JOB),
        (ExitType.SUBSIDISED, ExitCategory.TRANSITION_JOB),
        (ExitType.APPRENTICESHIP, ExitCategory.POSITIVE),
        (ExitType.SIAE, ExitCategory.POSITIVE),
        (ExitType.PRE_QUALIFYING_TRAINING, ExitCategory.POSITIVE),
        (ExitType.JOB_SEEKING, ExitCategory.OTHER),
        (ExitType.NO_NEWS, ExitCategory.OTHER),
        (ExitType.MOVED, ExitCategory.NEUTRALISED),
        (ExitType.INCARCERATION, ExitCategory.NEUTRALISED),
    ],
)
def test_the_official_definitions(exit_type, category):
    assert CATEGORY_OF[exit_type] == category
    assert is_positive(category) == (
        category in (ExitCategory.DURABLE_JOB, ExitCategory.TRANSITION_JOB, ExitCategory.POSITIVE)
    )


@pytest.fixture
def enrolment(cast):
    cohort = CohortFactory(school=cast.school_a)
    return EnrolmentFactory(
        cohort=cohort, learner=LearnerFactory(), status=EnrolmentStatus.COMPLETED, end_date=cohort.end_date
    )


def test_the_category_is_derived_from_the_type_on_save(enrolment):
    exit = ExitFactory(enrolment=enrolment, exit_type=ExitType.CDD_SHORT)
    assert Exit.objects.get().category == ExitCategory.TRANSITION_JOB
    follow_up = FollowUpFactory(exit=exit, situation_type=ExitType.APPRENTICESHIP, status="renseigne")
    follow_up.refresh_from_db()
    assert follow_up.category == ExitCategory.POSITIVE


def test_the_database_refuses_a_category_that_contradicts_the_type(enrolment):
    exit = ExitFactory(enrolment=enrolment, exit_type=ExitType.JOB_SEEKING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exit.objects.filter(pk=exit.pk).update(category=ExitCategory.DURABLE_JOB)
