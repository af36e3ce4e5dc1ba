"""A young person with a full record, for the purge and erasure tests."""

import datetime as dt

import pytest
from django.utils import timezone

from plombiers.cohorts.enums import SignatureMethod
from plombiers.cohorts.models import Attendance, Signature, TrainingSession
from plombiers.credentials import services as credentials
from plombiers.credentials.tests.factories import finished_enrolment
from plombiers.referrals.tests.factories import LearnerFactory, referred_by
from plombiers.support.models import Barrier, BarrierCategory, JournalEntry


@pytest.fixture
def person(cast):
    """A young person of school A with an account, a journal, a barrier, a signed half-day and an
    attestation."""
    cast.learner_a.first_name, cast.learner_a.last_name = "Maëlys", "Quérand"
    cast.learner_a.save()
    learner = LearnerFactory(
        school=cast.school_a,
        first_name="Maëlys",
        last_name="Quérand",
        email="maelys.querand@example.org",
        phone="06 12 34 56 78",
        france_travail_id="1234567A",
        user=cast.learner_a,
    )
    referred_by(cast.prescriber, learner, cast.school_a, motivation="Maëlys Quérand cherche un métier")
    enrolment = finished_enrolment(cast.school_a, learner=learner, email=learner.email)
    JournalEntry.objects.create(
        learner=learner, school=cast.school_a, text="Entretien avec Maëlys", author=cast.social_worker_a
    )
    category = BarrierCategory.objects.order_by("pk").first()
    Barrier.objects.create(learner=learner, category=category, level="bloquant", summary="Logement précaire")
    session = TrainingSession.objects.create(
        cohort=enrolment.cohort,
        date=enrolment.cohort.start_date,
        period="matin",
        start_time=dt.time(9),
        end_time=dt.time(12, 30),
        duration_minutes=210,
    )
    signature = Signature.objects.create(
        svg="<svg>trait</svg>",
        signer_name="Maëlys Quérand",
        method=SignatureMethod.PHONE,
        signed_at=timezone.now(),
    )
    Attendance.objects.create(session=session, enrolment=enrolment, status="present", signature=signature)
    attestation = credentials.attestation_issue(enrolment, by=cast.manager_a)
    return learner, attestation
