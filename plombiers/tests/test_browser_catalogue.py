"""A young person finds a session in the public catalogue on a phone, applies, and the school's
director sees the referral: axe-core clean at each step, no console error."""

import datetime as dt

from django.utils import timezone

from plombiers.catalogue import services
from plombiers.cohorts.tests.factories import CohortFactory
from plombiers.conftest import assert_accessible, login
from plombiers.referrals.enums import ReferralSource
from plombiers.referrals.models import InformationSession, Referral

PHONE = {"width": 390, "height": 844, "has_touch": True, "is_mobile": True}


def test_a_young_person_applies_from_the_catalogue_on_a_phone(new_page, cast, monkeypatch):
    # The minimum fill time is proven in catalogue/tests; a robot-fast browser skips it here.
    monkeypatch.setattr(services, "MIN_FILL_SECONDS", 0)
    start = timezone.localdate() + dt.timedelta(days=40)
    cohort = CohortFactory(
        school=cast.school_a, name="Fibre rentrée", start_date=start, end_date=start + dt.timedelta(days=100)
    )
    InformationSession.objects.create(
        school=cast.school_a, starts_at=timezone.now() + dt.timedelta(days=7), place="Plateau technique"
    )
    page = new_page(**PHONE)
    page.set_default_navigation_timeout(60_000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto("/formations/")
    assert_accessible(page, "catalogue-liste-telephone")
    page.get_by_role("link", name="École A Chelles").click()
    page.wait_for_url(f"**/formations/{cohort.pk}/")
    assert page.get_by_text("Plateau technique").is_visible()
    assert_accessible(page, "catalogue-session-telephone")
    page.get_by_role("link", name="Je suis intéressé·e").click()
    page.wait_for_url(f"**/formations/{cohort.pk}/candidater/")
    page.get_by_label("Prénom").fill("Yasmine")
    page.locator("#id_last_name").fill("Benali")  # « Nom » is in « Prénom » too
    page.get_by_label("Date de naissance").fill("2006-03-14")
    page.get_by_role("textbox", name="Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Commune où vous habitez").fill("77500")
    page.get_by_label("Votre diplôme le plus élevé").select_option(label="Aucun diplôme (niveau 1 ou 2)")
    page.get_by_label("Ce que vous attendez de la formation").fill("Apprendre un métier.")
    page.get_by_label("J'accepte que l'école me contacte").check()
    assert_accessible(page, "catalogue-candidature-telephone")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.wait_for_url(f"**/formations/{cohort.pk}/candidature-envoyee/")
    assert page.get_by_role("heading", name="Merci, votre candidature est envoyée").is_visible()
    assert_accessible(page, "catalogue-confirmation-telephone")
    assert not errors, errors

    referral = Referral.objects.get()
    assert referral.source == ReferralSource.SELF_REFERRAL and referral.school == cast.school_a
    director = new_page()
    login(director, cast.manager_a.email)
    director.goto("/prescriptions/")
    director.get_by_role("link", name="Yasmine Benali").first.click()
    assert director.get_by_text("Candidature directe vers École A Chelles").is_visible()
