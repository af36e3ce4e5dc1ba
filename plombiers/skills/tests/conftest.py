import pytest

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.frameworks.loader import frameworks_load
from plombiers.frameworks.models import Framework
from plombiers.referrals.tests.factories import LearnerFactory


@pytest.fixture
def frameworks(db):
    frameworks_load()
    return {f.trade.slug: f for f in Framework.objects.select_related("trade")}


@pytest.fixture
def training(cast, frameworks):
    """An ongoing fibre cohort of school A on the shipped framework, with three learners."""
    cohort = CohortFactory(school=cast.school_a, framework=frameworks["fibre-optique"], status="en_cours")
    cohort.trainers.set([cast.trainer_a])
    enrolments = [EnrolmentFactory(cohort=cohort, learner=LearnerFactory()) for _ in range(3)]
    return cohort, enrolments
