"""A school manager runs a cohort in a real browser at tablet size, every page checked by axe-core."""

import re

from playwright.sync_api import expect

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment
from plombiers.conftest import assert_accessible, login
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory

TABLET = {"width": 1024, "height": 768}


def test_manager_creates_a_cohort_admits_waitlists_and_records_a_drop_out(new_page, cast):
    inès = ReferralFactory(
        school=cast.school_a, learner=LearnerFactory(first_name="Inès", last_name="Benali")
    )
    yanis = ReferralFactory(
        school=cast.school_a, learner=LearnerFactory(first_name="Yanis", last_name="Morel")
    )
    page = new_page(**TABLET)
    login(page, cast.manager_a.email)

    page.get_by_role("link", name="Promotions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Promotions")
    assert_accessible(page, "promotions-vide")

    # Create a cohort of one seat: the end date defaults to fifteen weeks later.
    page.get_by_role("link", name="Nouvelle promotion").click()
    assert_accessible(page, "promotion-nouvelle")
    page.get_by_label("Nom de la promotion").fill("Promotion printemps 2027")
    page.get_by_label("Date de début").fill("2027-03-01")
    page.get_by_label("Places").fill("1")
    page.get_by_label(cast.trainer_a.get_full_name()).check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Promotion printemps 2027")
    expect(page.get_by_role("status")).to_contain_text("a été créée")
    expect(page.locator("#places-libres")).to_have_text("1 place libre sur 1")
    expect(page.get_by_role("main")).to_contain_text("14/06/2027")
    assert_accessible(page, "promotion-creee")
    cohort = Cohort.objects.get(name="Promotion printemps 2027")
    cohort_url = page.url

    # Admit Inès through the admission page: the seat is taken.
    page.goto(f"/prescriptions/{inès.pk}/admission/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Admettre Inès Benali")
    expect(page.get_by_role("main")).to_contain_text("1 place libre sur 1")
    assert_accessible(page, "admission")
    page.get_by_label(re.compile("Promotion printemps 2027")).check()
    page.get_by_role("button", name="Admettre", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "Inès Benali est admis·e dans « Promotion printemps 2027 »"
    )
    expect(page.locator("#places-libres")).to_have_text("Complète : 0 place libre sur 1")
    assert_accessible(page, "promotion-complete")

    # Yanis comes next: the cohort is full, he goes to the waiting list.
    page.goto(f"/prescriptions/{yanis.pk}/admission/")
    expect(page.get_by_role("main")).to_contain_text("Complète : 0 place libre sur 1 : liste d'attente")
    page.get_by_label(re.compile("Promotion printemps 2027")).check()
    page.get_by_role("button", name="Admettre", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("liste d'attente (rang 1)")
    expect(page.get_by_role("region", name="Liste d'attente")).to_contain_text("Yanis Morel")
    assert_accessible(page, "promotion-liste-attente")

    # Inès finds a job: the drop-out frees the seat and names Yanis.
    page.get_by_role("link", name="Abandon d'Inès Benali").click()
    assert_accessible(page, "abandon")
    page.get_by_role("button", name="Enregistrer l'abandon").click()
    expect(page.get_by_role("alert")).to_contain_text("rien n'a été enregistré")
    expect(page.get_by_text("Le motif d'abandon est obligatoire.")).to_be_visible()
    assert_accessible(page, "abandon-erreur")
    page.get_by_label("Motif de l'abandon").select_option(label="A trouvé un emploi")
    page.get_by_label("Date de l'abandon").fill("2027-03-01")
    page.get_by_role("button", name="Enregistrer l'abandon").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Prochain·e sur la liste d'attente : Yanis Morel (rang 1)"
    )
    expect(page.locator("#places-libres")).to_have_text("1 place libre sur 1")
    assert_accessible(page, "abandon-enregistre")

    # The call to action admits Yanis, from the keyboard.
    action = page.get_by_role("button", name="Une place est libre : admettre Yanis Morel (rang 1)")
    action.focus()
    expect(action).to_be_focused()
    assert action.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Yanis Morel est admis·e")
    expect(page.locator("#places-libres")).to_have_text("Complète : 0 place libre sur 1")
    assert page.url == cohort_url

    assert Enrolment.objects.get(referral=inès).status == EnrolmentStatus.DROPPED_OUT
    assert Enrolment.objects.get(referral=yanis).status == EnrolmentStatus.ACTIVE
    yanis.refresh_from_db()
    assert yanis.status == ReferralStatus.ADMITTED
    assert not cohort.waitlist.exists()
