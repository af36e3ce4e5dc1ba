"""Each role's day in a real browser: from `/`, the daily tasks in at most two taps, at the role's
device size, axe-core clean on the home, no console error."""

import datetime as dt

import pytest
from django.utils import timezone

from plombiers.cohorts.enums import CohortStatus
from plombiers.cohorts.models import TrainingSession
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import assert_accessible, login
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory, referred_by

PHONE = {"width": 390, "height": 844, "has_touch": True, "is_mobile": True}
TABLET = {"width": 1024, "height": 768, "has_touch": True}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def day(cast):
    today = timezone.localdate()
    cohort = CohortFactory(
        school=cast.school_a,
        name="Promotion fibre",
        status=CohortStatus.ONGOING,
        start_date=today - dt.timedelta(days=14),
        end_date=today + dt.timedelta(days=60),
    )
    cohort.trainers.add(cast.trainer_a)
    ines = LearnerFactory(first_name="Inès", last_name="Arnaud", user=cast.learner_a)
    enrolment = EnrolmentFactory(cohort=cohort, learner=ines)
    EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Bilal", last_name="Benali"))
    referred_by(cast.prescriber, ines, cast.school_a)
    enrolment.waiting_referral = ReferralFactory(
        school=cast.school_a, prescriber=cast.prescriber, status="nouvelle"
    )
    for date in (today, today + dt.timedelta(days=1)):
        TrainingSession.objects.create(
            cohort=cohort,
            date=date,
            period="matin",
            start_time=dt.time(0, 1),
            end_time=dt.time(23, 59),
            duration_minutes=210,
        )
    return enrolment


def open_home(new_page, email, size, name):
    page = new_page(**size)
    # A bound, not a measure: the first page of a cold live server on a busy machine is slow.
    page.set_default_navigation_timeout(60_000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    login(page, email)
    page.goto("/")
    page.wait_for_load_state("networkidle")
    assert_accessible(page, name)
    # The home's own console: the pages it leads to answer for theirs (their browser tests).
    assert not errors, errors
    return page


def reach(page, link_name, url_part):
    """One tap on the home (its content, not the menu), from the home."""
    page.goto("/")
    page.locator("#contenu").get_by_role("link", name=link_name).first.click()
    page.wait_for_url(lambda url: url_part in url)
    page.wait_for_load_state("networkidle")


def test_the_young_persons_day_on_a_phone(new_page, cast, day):
    page = open_home(new_page, cast.learner_a.email, PHONE, "accueil-jeune")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    reach(page, "Signer ma présence", "/emargement/")
    reach(page, "Mon planning", "/calendrier/")
    reach(page, "Mes progrès", "/progression/")
    reach(page, "Mon attestation", "/attestations/")
    reach(page, "Mon suivi", "/mon-suivi/")


def test_the_trainers_day_on_a_tablet(new_page, cast, day):
    page = open_home(new_page, cast.trainer_a.email, TABLET, "accueil-formatrice")
    reach(page, "Promotion fibre — matin", "/demi-journees/")
    reach(page, "Grille de compétences", "/competences/")
    reach(page, "alerte", "/alertes/")


def test_the_prescribers_day_on_a_phone(new_page, cast, day):
    page = open_home(new_page, cast.prescriber.email, PHONE, "accueil-prescripteur")
    reach(page, "Orienter un·e jeune", "/prescriptions/nouvelle/")
    reach(page, "Nouvelle", "/prescriptions/")
    # The latest decision on each referral, under its status: one tap to the referral.
    referral = day.waiting_referral
    reach(page, str(referral.learner), referral.get_absolute_url())


@pytest.mark.parametrize(
    ("who", "link", "url_part"),
    [
        ("manager_a", "sortie", "/sorties/a-renseigner/"),
        ("manager_a", "à délivrer", "/attestations/a-delivrer/"),
        ("manager_a", "OPCO à émettre", "/factures-opco/a-emettre/"),
        ("social_worker_a", "suivi", "/suivis/"),
        ("social_worker_a", "pas vu", "/accompagnement/?non_vus=1"),
        ("staff", "Tableau de bord d'impact", "/impact/"),
        ("staff", "sous l'objectif", "sous_objectif=1"),
        ("staff", "heure", "/impact/reseau/"),
        ("funder", "Mes financements", "/financements/"),
        ("funder", "Les chiffres par année", "/financements/financeur/"),
    ],
)
def test_the_desk_roles_day(new_page, cast, day, who, link, url_part):
    user = getattr(cast, who)
    page = open_home(new_page, user.email, DESKTOP, f"accueil-{who}")
    reach(page, link, url_part)
