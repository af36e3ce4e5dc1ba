"""The matching pages in a real browser: the offers for a young person and the young people for
an offer, on a tablet, checked by axe-core."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from plombiers.conftest import assert_accessible, login
from plombiers.internships.tests.matching_fixtures import case_fixture, frozen_fixture  # noqa: F401

pytestmark = pytest.mark.usefixtures("frozen")


def test_a_trainer_reads_the_matches_and_proposes_a_young_person(cast, case, new_page):
    page = new_page(width=1024, height=768, has_touch=True)
    login(page, cast.trainer_a.email)
    page.goto(reverse("internships:learner_offers", args=[case.enrolment.pk]))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("km")
    assert_accessible(page, "rapprochement-offres-du-jeune")
    page.get_by_role("button", name="Proposer").first.click()
    expect(page.locator("main")).to_contain_text("proposé")
    assert_accessible(page, "rapprochement-proposition")
    page.goto(reverse("internships:offer_learners", args=[case.offers.paris.pk]))
    expect(page.locator("main")).to_contain_text(case.learner.last_name)
    assert_accessible(page, "rapprochement-jeunes-de-l-offre")
