"""Every workflow of the internships tested pair by pair, as the referral's is: every (from, to)
pair of statuses, the allowed ones succeed and all the others refuse and change nothing.

The expected moves are written here, from the business rules (docs), not read from
`enums.TRANSITIONS`: a move added to the table by mistake must fail a test."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from plombiers.internships import services as svc
from plombiers.internships.enums import ApplicationStatus, InternshipStatus
from plombiers.internships.models import Application, Internship
from plombiers.internships.tests.factories import OfferFactory

S, A = InternshipStatus, ApplicationStatus

#: Internships: a draft is sent for signature; « signée » is reached only by the last party's
#: signature (never by hand); a signed convention starts; anything not finished may be interrupted.
INTERNSHIP_MOVES = {
    (S.DRAFT, S.TO_SIGN),
    (S.DRAFT, S.INTERRUPTED),
    (S.TO_SIGN, S.DRAFT),
    (S.TO_SIGN, S.INTERRUPTED),
    (S.SIGNED, S.ONGOING),
    (S.SIGNED, S.INTERRUPTED),
    (S.ONGOING, S.FINISHED),
    (S.ONGOING, S.INTERRUPTED),
}
APPLICATION_MOVES = {
    (A.PROPOSED, A.INTERVIEW),
    (A.PROPOSED, A.HIRED),
    (A.PROPOSED, A.NOT_HIRED),
    (A.INTERVIEW, A.HIRED),
    (A.INTERVIEW, A.NOT_HIRED),
}


@pytest.fixture
def internship(cast, placement):
    """A draft internship that began a week ago (so that « en cours » is not refused for its date)."""
    created = svc.internship_create(
        by=cast.trainer_a,
        enrolment=placement.enrolment,
        site=placement.site,
        tutor=placement.tutor,
        start_date=dt.date(2026, 11, 16),
        end_date=dt.date(2026, 11, 27),
        objectives=placement.skills,
    )
    start = timezone.localdate() - dt.timedelta(days=7)
    Internship.objects.filter(pk=created.pk).update(start_date=start, end_date=start + dt.timedelta(days=14))
    return created


@pytest.mark.parametrize(("source", "target"), list(itertools.product(S.values, S.values)))
def test_internship_moves_pair_by_pair(cast, internship, source, target):
    """Catches the planted « à signer » → « en cours » (a convention not signed by every party,
    started), and any other move added to or removed from the table."""
    Internship.objects.filter(pk=internship.pk).update(status=source)
    if (source, target) in INTERNSHIP_MOVES:
        svc.internship_transition(internship=internship, to=target, by=cast.trainer_a, reason="Motif.")
        assert Internship.objects.get(pk=internship.pk).status == target
    else:
        with pytest.raises(ValidationError):
            svc.internship_transition(internship=internship, to=target, by=cast.trainer_a, reason="Motif.")
        assert Internship.objects.get(pk=internship.pk).status == source


@pytest.mark.parametrize(("source", "target"), list(itertools.product(A.values, A.values)))
def test_application_moves_pair_by_pair(cast, placement, source, target):
    offer = OfferFactory(
        company=cast.company_a, site=placement.site, title="Raccordeur·se", commune=cast.school_a.commune
    )
    hired_on = dt.date(2026, 12, 1) if source == A.HIRED else None
    application = Application.objects.create(
        offer=offer, enrolment=placement.enrolment, status=source, hired_on=hired_on
    )
    if (source, target) in APPLICATION_MOVES:
        svc.application_transition(application=application, to=target, by=cast.trainer_a)
        assert Application.objects.get(pk=application.pk).status == target
    else:
        with pytest.raises(ValidationError):
            svc.application_transition(application=application, to=target, by=cast.trainer_a)
        assert Application.objects.get(pk=application.pk).status == source
