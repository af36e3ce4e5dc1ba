import datetime as dt
from types import SimpleNamespace

import pytest

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.frameworks.loader import frameworks_load
from plombiers.frameworks.models import Framework
from plombiers.internships.tests.factories import CompanySiteFactory, ContactFactory
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory, PartnershipFactory
from plombiers.referrals.tests.factories import LearnerFactory


@pytest.fixture
def placement(cast):
    """School A's ongoing fibre cohort (7 Sep – 18 Dec 2026) with Inès, its partner company
    « Fibre A » with a site in Chelles and a tutor, and a Mission Locale for PMSMPs."""
    frameworks_load()
    framework = Framework.objects.get(trade__slug="fibre-optique")
    cohort = CohortFactory(
        school=cast.school_a,
        framework=framework,
        status="en_cours",
        start_date=dt.date(2026, 9, 7),
        end_date=dt.date(2026, 12, 18),
    )
    learner = LearnerFactory(first_name="Inès", last_name="Arnaud", user=cast.learner_a)
    enrolment = EnrolmentFactory(cohort=cohort, learner=learner)
    site = CompanySiteFactory(company=cast.company_a, name="Agence de Chelles", commune=cast.school_a.commune)
    tutor = ContactFactory(organisation=cast.company_a, full_name="Marc Tuteur", email="marc@fibre-a.example")
    mission_locale = OrganisationFactory(
        network=cast.network, kind=OrganisationKind.PRESCRIBER, name="Mission Locale de Chelles"
    )
    PartnershipFactory(school=cast.school_a, organisation=mission_locale)
    return SimpleNamespace(
        cohort=cohort,
        enrolment=enrolment,
        learner=learner,
        site=site,
        tutor=tutor,
        mission_locale=mission_locale,
        skills=list(framework.blocks.first().skills.all()[:3]),
    )
