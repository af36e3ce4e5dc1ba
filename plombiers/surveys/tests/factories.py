import datetime as dt

import factory
from django.utils import timezone

from plombiers.surveys.enums import Audience
from plombiers.surveys.models import SurveyAnswer, SurveyInvitation
from plombiers.surveys.questionnaires import questionnaire


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    """A learner's invitation by default: pass `enrolment`."""

    class Meta:
        model = SurveyInvitation

    cohort = factory.LazyAttribute(lambda o: o.enrolment.cohort)
    school = factory.LazyAttribute(lambda o: o.cohort.school)
    audience = Audience.LEARNER
    questionnaire_version = factory.LazyAttribute(lambda o: questionnaire(o.audience).version)
    addressee = factory.LazyAttribute(
        lambda o: o.enrolment.learner.first_name if o.enrolment else "Fondation"
    )
    nonce = factory.Sequence(lambda n: f"nonce{n}")
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + dt.timedelta(days=30))


def answer(invitation, *, answered_at=None, **values):
    """Record answers straight away (`overall=4, recommend=1, comment="…"`), for aggregation tests."""
    rows = [
        SurveyAnswer(
            invitation=invitation, question=code, **({"text": v} if isinstance(v, str) else {"value": v})
        )
        for code, v in values.items()
    ]
    SurveyAnswer.objects.bulk_create(rows)
    invitation.answered_at = answered_at or timezone.now()
    invitation.save(update_fields=["answered_at"])
    return invitation
