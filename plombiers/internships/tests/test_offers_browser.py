"""A trainer publishes an offer and follows Inès's application to « retenu » on a tablet, every
page checked by axe-core."""

import datetime as dt

from playwright.sync_api import expect

from plombiers.conftest import assert_accessible, login
from plombiers.internships.models import Application, Offer

TABLET = {"width": 1024, "height": 768}


def test_trainer_creates_an_offer_and_moves_an_application_to_hired(new_page, cast, placement):
    page = new_page(**TABLET)
    login(page, cast.trainer_a.email)

    page.goto("/offres/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Offres des entreprises partenaires")
    expect(page.get_by_role("status")).to_contain_text("Aucune offre ne correspond")
    assert_accessible(page, "offres-vide")

    page.get_by_role("link", name="Nouvelle offre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle offre")
    assert_accessible(page, "offre-nouvelle")
    page.locator("main").get_by_label("Entreprise").select_option(label="Fibre A")
    page.get_by_label("Site").select_option(label="Fibre A — Agence de Chelles")
    page.get_by_label("Intitulé").fill("Raccordeur·se fibre en CDD")
    page.get_by_label("Type").select_option(label="Emploi")
    page.get_by_label("Code ROME").fill("F16O5")
    page.get_by_label("Contrat", exact=True).select_option(label="CDD")
    page.get_by_label("Commune du poste").fill(cast.school_a.commune.label)
    skill = placement.skills[0]
    page.locator("summary", has_text=skill.block.title).click()
    page.get_by_label(f"{skill.code} — {skill.title}").check()
    page.get_by_role("button", name="Enregistrer l'offre").click()
    expect(page.get_by_role("alert").first).to_contain_text("rien n'a été enregistré")
    expect(page.get_by_text("Le code ROME s'écrit avec une lettre de A à N")).to_be_visible()
    expect(page.get_by_text("Un CDD a une durée : indiquez-la en mois.")).to_be_visible()
    assert_accessible(page, "offre-erreurs")
    assert not Offer.objects.exists()

    page.get_by_label("Code ROME").fill("F1605")
    page.get_by_label("Durée du contrat (mois)").fill("6")
    page.get_by_role("button", name="Enregistrer l'offre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raccordeur·se fibre en CDD")
    expect(page.get_by_role("status")).to_contain_text("a été publiée")
    expect(page.get_by_role("main")).to_contain_text("CDD de 6 mois")
    expect(page.get_by_role("region", name="Compétences demandées")).to_contain_text(skill.title)
    assert_accessible(page, "offre-publiee")

    # Propose Inès, then her interview, then the hire.
    page.get_by_label("Jeune à proposer").select_option(value=str(placement.enrolment.pk))
    page.get_by_role("button", name="Proposer").click()
    expect(page.get_by_role("status")).to_contain_text("est proposé·e pour cette offre")
    application = page.get_by_role("region", name="Inès Arnaud")
    expect(application).to_contain_text("Proposé·e")
    assert_accessible(page, "candidature-proposee")
    application.get_by_label("Nouveau statut").select_option(label="Entretien")
    application.get_by_label("Note").fill("Entretien avec Marc le 3 décembre")
    application.get_by_role("button", name="Enregistrer la candidature d'Inès Arnaud").click()
    expect(page.get_by_role("status")).to_contain_text("« Entretien »")

    application = page.get_by_role("region", name="Inès Arnaud")
    application.get_by_label("Nouveau statut").select_option(label="Retenu·e")
    application.get_by_role("button", name="Enregistrer la candidature d'Inès Arnaud").click()
    expect(page.get_by_text("Indiquez la date d'embauche.")).to_be_visible()
    assert_accessible(page, "candidature-erreur")
    application = page.get_by_role("region", name="Inès Arnaud")
    application.get_by_label("Nouveau statut").select_option(label="Retenu·e")
    application.get_by_label("Date d'embauche").fill("2027-01-04")
    application.get_by_role("button", name="Enregistrer la candidature d'Inès Arnaud").click()
    expect(page.get_by_role("status")).to_contain_text("« Retenu·e »")
    expect(page.get_by_role("region", name="Inès Arnaud")).to_contain_text("embauche le 04/01/2027")
    assert_accessible(page, "candidature-retenue")
    hired = Application.objects.get(enrolment=placement.enrolment)
    assert (hired.status, hired.hired_on) == ("retenu", dt.date(2027, 1, 4))

    # The company's page counts the hire; the school's list shows it.
    page.get_by_role("link", name="Fibre A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fibre A")
    expect(page.locator("#nb-embauches")).to_have_text("1")
    expect(page.get_by_role("region", name="Embauches")).to_contain_text("Inès Arnaud")
    assert_accessible(page, "entreprise-relation")
    page.goto("/candidatures/")
    expect(page.get_by_role("main")).to_contain_text("Raccordeur·se fibre en CDD")
    assert_accessible(page, "candidatures")
