import datetime as dt

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.documents.tests.conftest import build_framework
from plombiers.frameworks.models import Framework, Skill
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.skills.enums import Level
from plombiers.skills.models import Observation

END = dt.date(2026, 6, 26)


def finished_enrolment(
    school,
    *,
    learner_user=None,
    levels=(Level.ACQUIRED, Level.MASTERED),
    email="jeune@example.org",
    learner=None,
):
    """A learner (a new one, or `learner`) who completed a cohort of `school` with gestures
    observed at these levels."""
    framework = Framework.objects.filter(trade=school.trade).first()
    if framework is None:
        framework, _ = build_framework(school.trade)
    skills = list(Skill.objects.filter(framework=framework).order_by("block__position", "position"))
    cohort = CohortFactory(
        school=school, framework=framework, start_date=dt.date(2026, 3, 2), end_date=END, status="terminee"
    )
    enrolment = EnrolmentFactory(
        cohort=cohort,
        learner=learner or LearnerFactory(user=learner_user, email=email),
        status=EnrolmentStatus.COMPLETED,
        end_date=END,
    )
    for skill, level in zip(skills, levels, strict=False):
        Observation.objects.create(enrolment=enrolment, skill=skill, level=level, observed_on=END)
    return enrolment
