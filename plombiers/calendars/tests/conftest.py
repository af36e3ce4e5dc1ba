import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine

from plombiers.cohorts import attendance
from plombiers.cohorts.enums import CohortStatus, Period
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.internships.tests.factories import CompanySiteFactory, ContactFactory, InternshipFactory
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.support import services as support
from plombiers.support.enums import ActionStatus, BarrierLevel, EntryKind

MONDAY = dt.date(2026, 10, 5)
OUTCOME = "Dossier FSL déposé, réponse attendue"
NOTE = "Retards le lundi matin : bus supprimé"
HEALTH = "Suivi au CMP"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://plombiers.example"


@pytest.fixture(autouse=True)
def today():
    # 09:00 in Paris (summer time) on Monday 5 October 2026.
    with time_machine.travel(dt.datetime(2026, 10, 5, 7, 0, tzinfo=dt.UTC), tick=False):
        yield MONDAY


@pytest.fixture
def planning(cast, communes):
    """Inès (learner_a) in a cohort of school A, trained by trainer_a: a half-day in summer time
    and one in winter time, an internship, an open support action (with an outcome and a note the
    feed never shows); a cohort of school B."""
    school = cast.school_a
    school.address = "12 rue des Artisans"
    school.save(update_fields=["address"])
    cohort = CohortFactory(
        school=school,
        name="Promotion fibre",
        status=CohortStatus.ONGOING,
        start_date=MONDAY - dt.timedelta(days=14),
        end_date=dt.date(2027, 1, 29),
    )
    cohort.trainers.add(cast.trainer_a)
    ines = LearnerFactory(school=school, first_name="Inès", user=cast.learner_a, commune=communes["77108"])
    enrolment = EnrolmentFactory(cohort=cohort, learner=ines, entry_date=cohort.start_date)
    summer = attendance.session_create(
        cohort=cohort,
        by=cast.trainer_a,
        date=MONDAY + dt.timedelta(days=1),
        period=Period.MORNING,
        start_time=dt.time(9, 0),
        end_time=dt.time(12, 30),
    )
    winter = attendance.session_create(
        cohort=cohort,
        by=cast.trainer_a,
        date=dt.date(2026, 12, 7),
        period=Period.AFTERNOON,
        start_time=dt.time(13, 30),
        end_time=dt.time(17, 0),
    )
    site = CompanySiteFactory(company=cast.company_a, commune=communes["77108"], address="3 allée des Fibres")
    internship = InternshipFactory(
        enrolment=enrolment,
        site=site,
        tutor=ContactFactory(organisation=cast.company_a),
        start_date=dt.date(2026, 11, 16),
        end_date=dt.date(2026, 11, 27),
    )
    barrier = support.barrier_set(
        learner=ines, category="logement", level=BarrierLevel.WATCH, summary=HEALTH, by=cast.social_worker_a
    )
    action = support.action_create(
        barrier=barrier,
        description="Demande FSL",
        due_on=MONDAY + dt.timedelta(days=3),
        by=cast.social_worker_a,
    )
    support.action_update(
        action=action, status=ActionStatus.ONGOING, outcome=OUTCOME, by=cast.social_worker_a
    )
    support.journal_add(learner=ines, by=cast.social_worker_a, kind=EntryKind.CALL, text=NOTE)
    cohort_b = CohortFactory(school=cast.school_b, name="Promotion data", status=CohortStatus.ONGOING)
    cohort_b.trainers.add(cast.trainer_b)
    return SimpleNamespace(
        cohort=cohort,
        cohort_b=cohort_b,
        learner=ines,
        enrolment=enrolment,
        summer=summer,
        winter=winter,
        internship=internship,
        action=action,
    )
