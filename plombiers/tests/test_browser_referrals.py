"""A referral in a real browser: a prescriber refers on a phone, the school decides on a tablet,
the prescriber sees the decision. axe-core reports no violation on any page visited."""

import datetime as dt
import re

from playwright.sync_api import expect

from plombiers.conftest import assert_accessible, login
from plombiers.referrals.models import Referral

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


def test_a_prescriber_refers_and_the_school_decides(new_page, cast):
    # The prescriber, on a phone.
    phone = new_page(**PHONE)
    login(phone, cast.prescriber.email)
    phone.goto("/prescriptions/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Mes prescriptions")
    assert_accessible(phone, "prescriptions-prescripteur-vide")
    phone.get_by_role("link", name="Nouvelle prescription").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Nouvelle prescription")
    assert_accessible(phone, "prescription-formulaire")

    phone.get_by_label(re.compile("^École")).select_option(label="École A Chelles")
    phone.get_by_label(re.compile("^Prénom")).fill("Inès")
    phone.get_by_label(re.compile("^Nom")).fill("Lefèvre-Durand")
    phone.get_by_label(re.compile("^Date de naissance")).fill("2007-03-14")
    commune = phone.get_by_label("Commune de résidence")
    commune.press_sequentially("77500", delay=30)
    expect(phone.locator("#commune-suggestions option")).to_have_count(1)
    commune.fill(phone.locator("#commune-suggestions option").first.get_attribute("value"))
    phone.get_by_label("Habite un quartier prioritaire (QPV)").check()
    phone.get_by_label(re.compile("^Diplôme le plus élevé")).select_option(
        label="Aucun diplôme (niveau 1 ou 2)"
    )
    phone.get_by_label("Motivation et situation").fill("Veut travailler dehors, très motivée.")
    phone.get_by_role("button", name="Envoyer la prescription").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Inès Lefèvre-Durand")
    expect(phone.get_by_role("status")).to_contain_text("a été envoyée à École A Chelles")
    expect(phone.get_by_role("main")).to_contain_text("Éligible")
    expect(phone.get_by_role("main")).to_contain_text("L'école va étudier la candidature.")
    assert_accessible(phone, "prescription-envoyee")
    referral = Referral.objects.get()
    assert referral.learner.commune.insee_code == "77108"

    # The school's manager, on a tablet.
    tablet = new_page(**TABLET)
    login(tablet, cast.manager_a.email)
    tablet.get_by_role("link", name="Prescriptions").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Prescriptions reçues")
    expect(tablet.locator("#resultats")).to_contain_text("QPV")
    assert_accessible(tablet, "prescriptions-recues")
    tablet.get_by_role("link", name="Colonnes par étape").click()
    expect(tablet.get_by_role("heading", name=re.compile("^Nouvelles"))).to_be_visible()
    assert_accessible(tablet, "prescriptions-colonnes")
    tablet.get_by_role("link", name="Inès Lefèvre-Durand").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Inès Lefèvre-Durand")
    assert_accessible(tablet, "fiche-candidat")

    # The decision, with the keyboard.
    redirect = tablet.get_by_label("Réorientée")
    redirect.focus()
    tablet.keyboard.press("Space")
    expect(redirect).to_be_checked()
    tablet.get_by_label("Motif", exact=True).select_option(label="Un autre dispositif est plus adapté")
    tablet.get_by_label("Précisions sur le motif").fill("La Garantie jeunes convient mieux")
    tablet.get_by_label("Communiquer le motif au prescripteur").check()
    tablet.get_by_role("button", name="Enregistrer").press("Enter")
    expect(tablet.get_by_role("status")).to_contain_text("Étape enregistrée : Réorientée")
    expect(tablet.locator("#historique")).to_contain_text("Nouvelle → Réorientée")
    assert_accessible(tablet, "fiche-candidat-decision")

    # The prescriber sees the decision and the shared reason.
    phone.reload()
    expect(phone.get_by_role("main")).to_contain_text("Réorienté·e vers une solution plus adaptée.")
    expect(phone.get_by_role("main")).to_contain_text("La Garantie jeunes convient mieux")
    assert_accessible(phone, "prescription-decision-vue-par-le-prescripteur")


def test_a_form_error_is_announced_and_nothing_is_saved(new_page, cast):
    page = new_page(**PHONE)
    login(page, cast.prescriber.email)
    page.goto("/prescriptions/nouvelle/")
    page.get_by_label(re.compile("^Prénom")).fill("Inès")
    page.get_by_label(re.compile("^Date de naissance")).fill("2090-01-01")
    page.get_by_role("button", name="Envoyer la prescription").click()
    expect(page.get_by_role("alert")).to_contain_text("rien n'a été enregistré")
    expect(page.get_by_text("La date de naissance ne peut pas être dans le futur.")).to_be_visible()
    expect(page.get_by_label(re.compile("^Date de naissance"))).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "prescription-erreurs")
    assert not Referral.objects.exists()


def test_school_staff_pages_are_accessible(new_page, cast):
    from plombiers.referrals import services
    from plombiers.referrals.enums import Diploma

    referral = services.referral_create(
        by=cast.prescriber,
        school=cast.school_a,
        learner_data={"first_name": "Yanis", "last_name": "Benali", "birth_date": dt.date(2006, 1, 2),
                      "highest_diploma": Diploma.LEVEL_4, "has_rqth": True},
    ).referral  # fmt: skip
    page = new_page(**TABLET)
    login(page, cast.trainer_a.email)
    page.goto("/informations-collectives/nouvelle/")
    assert_accessible(page, "information-collective-formulaire")
    page.get_by_label(re.compile("^Date et heure")).fill("2026-05-12T09:30")
    page.get_by_label(re.compile("^Lieu")).fill("Plateau technique")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Information collective du 12/05/2026")
    page.get_by_label(re.compile("^Yanis Benali")).check()
    page.get_by_role("button", name="Inviter").click()
    expect(page.get_by_role("status")).to_contain_text("1 candidat·e invité·e")
    assert_accessible(page, "information-collective")
    page.goto("/informations-collectives/")
    assert_accessible(page, "informations-collectives")
    page.goto("/jeunes/")
    assert_accessible(page, "jeunes")
    page.goto(referral.learner.get_absolute_url())
    expect(page.get_by_role("main")).to_contain_text("RQTH")
    assert_accessible(page, "jeune")
