import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from plombiers.frameworks.loader import frameworks_load
from plombiers.frameworks.models import Framework
from plombiers.skills import services as skills
from plombiers.skills.enums import Level
from plombiers.skills.tests.images import JPEG
from plombiers.support import services as support
from plombiers.support.enums import ConsentScope
from plombiers.support.tests.test_views import support_make


@pytest.fixture
def person(cast, communes):
    """The young person of school A (with their account `cast.learner_a`): two barriers, an action,
    a team note and a confidential one, a consent to share with the prescriber, an observed gesture
    with a photo; and a young person of school B."""
    made = support_make(cast, communes)
    learner = made.learner
    learner.user = cast.learner_a
    learner.save(update_fields=["user"])
    learner.referrals.create(
        school=cast.school_a, prescriber=cast.prescriber, referred_on=learner.created_at.date()
    )
    support.consent_record(
        learner=learner, scope=ConsentScope.SHARE_PRESCRIBER, given=True, by=cast.social_worker_a
    )
    frameworks_load()
    enrolment = learner.enrolments.get()
    enrolment.cohort.framework = Framework.objects.get(trade__slug="fibre-optique")
    enrolment.cohort.save(update_fields=["framework"])
    enrolment.cohort.trainers.set([cast.trainer_a])
    skills.observation_record(
        enrolment=enrolment,
        skill=enrolment.cohort.framework.skills.get(code="FO-MES-02"),
        level=Level.ACQUIRED,
        by=cast.trainer_a,
        files=[SimpleUploadedFile("soudure.jpg", JPEG, content_type="image/jpeg")],
    )
    return made
