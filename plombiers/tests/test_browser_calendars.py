"""« Mon agenda » on a phone (issue 22): create the address, copy it with the button, axe-clean,
no console error."""

import pytest

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import assert_accessible, login
from plombiers.referrals.tests.factories import LearnerFactory

PHONE = {"width": 390, "height": 844, "has_touch": True, "is_mobile": True}


@pytest.fixture
def enrolled(cast):
    cohort = CohortFactory(school=cast.school_a, name="Promotion fibre")
    EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Inès", user=cast.learner_a))


def test_my_agenda_on_a_phone(new_page, cast, enrolled):
    page = new_page(**PHONE, permissions=["clipboard-read", "clipboard-write"])
    page.set_default_navigation_timeout(60_000)  # a bound: a cold live server on a busy machine
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    login(page, cast.learner_a.email)
    page.goto("/mon-espace/")
    page.locator("#contenu").get_by_role("link", name="Mon agenda sur mon téléphone").click()
    page.wait_for_url(lambda url: "/mon-agenda/" in url)
    page.get_by_role("button", name="Créer mon adresse").click()
    field = page.get_by_label("Adresse (https)")
    address = field.input_value()
    assert "/agenda/agd_" in address and address.endswith(".ics")
    page.get_by_role("button", name="Copier l'adresse").first.click()
    page.locator("#copie-statut").filter(has_text="Adresse copiée.").wait_for()
    assert page.evaluate("async () => navigator.clipboard.readText()") == address
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "mon-agenda")
    assert not errors, errors
