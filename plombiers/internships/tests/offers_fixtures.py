"""Offers on both sides of the cast: school A's « Fibre A » and school B's « Datacenter B », each
with an open offer and one young person proposed."""

import datetime as dt
from types import SimpleNamespace

import pytest

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.frameworks.models import Framework
from plombiers.internships.models import Application
from plombiers.internships.tests.factories import CompanySiteFactory, ContactFactory, OfferFactory
from plombiers.referrals.tests.factories import LearnerFactory


@pytest.fixture(name="offers")
def offers_fixture(cast, placement):
    framework_b = Framework.objects.get(trade__slug="technicien-data-center")
    cohort_b = CohortFactory(school=cast.school_b, framework=framework_b, status="en_cours")
    enrolment_b = EnrolmentFactory(
        cohort=cohort_b, learner=LearnerFactory(first_name="Bilal", last_name="Roussel")
    )
    offer_a = OfferFactory(
        company=cast.company_a,
        site=placement.site,
        title="Raccordeur·se fibre",
        kind="emploi",
        contract="cdi",
        commune=cast.school_a.commune,
    )
    offer_a.required_skills.set(placement.skills)
    site_b = CompanySiteFactory(company=cast.company_b, name="Salle Roubaix", commune=cast.school_b.commune)
    offer_b = OfferFactory(
        company=cast.company_b, site=site_b, title="Technicien·ne de salle", commune=cast.school_b.commune
    )
    return SimpleNamespace(
        placement=placement,
        offer_a=offer_a,
        offer_b=offer_b,
        site_b=site_b,
        tutor_b=ContactFactory(organisation=cast.company_b, full_name="Chloé Tutrice"),
        application_a=Application.objects.create(offer=offer_a, enrolment=placement.enrolment),
        application_b=Application.objects.create(offer=offer_b, enrolment=enrolment_b),
        enrolment_b=enrolment_b,
        framework_b=framework_b,
        hired_on=dt.date(2026, 12, 1),
    )
