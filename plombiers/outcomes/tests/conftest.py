import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.internships.tests.factories import CompanySiteFactory, ContactFactory
from plombiers.referrals.tests.factories import LearnerFactory, referred_by

#: The day the tests live on: the cohort ended on 18/12/2026, a little more than a month ago.
TODAY = dt.date(2027, 1, 25)
END = dt.date(2026, 12, 18)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2027, 1, 25, 9, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


def ended(school, *, status=EnrolmentStatus.COMPLETED, learner=None, cohort=None):
    cohort = cohort or CohortFactory(school=school, start_date=dt.date(2026, 9, 7), end_date=END)
    extra = {"drop_out_reason": "motivation"} if status == EnrolmentStatus.DROPPED_OUT else {}
    return EnrolmentFactory(
        cohort=cohort,
        learner=learner or LearnerFactory(),
        status=status,
        end_date=END if status != EnrolmentStatus.ACTIVE else None,
        **extra,
    )


@pytest.fixture
def world(cast):
    """At school A: a learner (with an account) who completed the cohort, referred by the
    prescriber, whose internship was at company A; at school B, another one."""
    learner = LearnerFactory(
        first_name="Inès", last_name="Arnaud", user=cast.learner_a, email="ines@example.org"
    )
    enrolment = ended(cast.school_a, learner=learner)
    referred_by(cast.prescriber, learner, cast.school_a)
    site = CompanySiteFactory(company=cast.company_a, name="Agence de Chelles", commune=cast.school_a.commune)
    tutor = ContactFactory(organisation=cast.company_a)
    enrolment_b = ended(cast.school_b)
    return SimpleNamespace(
        enrolment=enrolment, learner=learner, site=site, tutor=tutor, enrolment_b=enrolment_b
    )
