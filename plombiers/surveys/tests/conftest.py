import datetime as dt
from types import SimpleNamespace

import pytest

from plombiers.cohorts.enums import CohortStatus, DropOutReason, EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.referrals.tests.factories import LearnerFactory


@pytest.fixture
def cohort(cast):
    """A cohort of school A that ended on 19/12/2025: three completed it, one dropped out."""
    cohort = CohortFactory(
        school=cast.school_a,
        name="Promotion automne 2025",
        start_date=dt.date(2025, 9, 8),
        end_date=dt.date(2025, 12, 19),
        status=CohortStatus.FINISHED,
    )
    names = [
        ("Inès", "Benali", "ines@jeune.example"),
        ("Yanis", "Morel", ""),
        ("Léa", "Martin", "lea@jeune.example"),
    ]
    completed = [
        EnrolmentFactory(
            cohort=cohort,
            learner=LearnerFactory(first_name=first, last_name=last, email=email),
            status=EnrolmentStatus.COMPLETED,
            end_date=cohort.end_date,
        )
        for first, last, email in names
    ]
    dropped = EnrolmentFactory(
        cohort=cohort,
        learner=LearnerFactory(first_name="Hugo", last_name="Petit", email="hugo@jeune.example"),
        status=EnrolmentStatus.DROPPED_OUT,
        end_date=dt.date(2025, 10, 3),
        drop_out_reason=DropOutReason.MOTIVATION,
    )
    return SimpleNamespace(cohort=cohort, completed=completed, dropped=dropped)
