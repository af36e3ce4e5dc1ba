"""The foundation in a real browser (Debian's Chromium through Playwright), checked by axe-core."""

import re

import pytest
from playwright.sync_api import expect

from plombiers.conftest import assert_accessible, login
from plombiers.demo.network import Builder
from plombiers.network.models import School

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(communes):
    return Builder().build()


# e-mail → something only that role's home says
HOMES = {
    "reseau@plombiers.example": "Les écoles du réseau",
    "direction@plombiers.example": "Votre école",
    "formation@plombiers.example": "Votre école",
    "accompagnement@plombiers.example": "Votre école",
    "formation.roubaix@plombiers.example": "Plombiers Roubaix",
    "prescription@plombiers.example": "Les écoles vers lesquelles vous orientez",
    "financeur@plombiers.example": "Les écoles que vous financez",
    "jeune@plombiers.example": "Plombiers Chelles",  # her own space: her school, « tu »
}


@pytest.mark.parametrize("email", list(HOMES))
def test_each_demo_account_logs_in_to_its_home(new_page, demo, email):
    page = new_page(**TABLET)
    login(page, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")
    expect(page.get_by_role("main")).to_contain_text(HOMES[email])
    if email == "formation.roubaix@plombiers.example":
        expect(page.get_by_role("main")).not_to_contain_text("Plombiers Chelles")
    assert_accessible(page, f"accueil-{email.split('@')[0]}")


def test_network_staff_pages_are_accessible_at_every_size(new_page, demo):
    chelles = School.objects.get(slug="plombiers-chelles")
    organisation = chelles.partners.filter(kind="company").first()
    pages = {
        "ecoles": "/ecoles/",
        "ecole": chelles.get_absolute_url(),
        "ecole-modifier": f"/ecoles/{chelles.slug}/modifier/",
        "ecole-nouvelle": "/ecoles/nouvelle/",
        "organisations": "/organisations/",
        "organisation": organisation.get_absolute_url(),
        "organisation-modifier": f"/organisations/{organisation.pk}/modifier/",
        "organisation-nouvelle": "/organisations/nouvelle/",
    }
    for size_name, size in {
        "bureau": {"width": 1280, "height": 900},
        "tablette": TABLET,
        "telephone": PHONE,
    }.items():
        page = new_page(**size)
        login(page, "reseau@plombiers.example")
        assert_accessible(page, f"{size_name}-accueil")
        for name, url in pages.items():
            response = page.goto(url)
            assert response.status == 200, url
            assert_accessible(page, f"{size_name}-{name}")


def test_login_error_is_french_and_accessible(new_page, demo):
    page = new_page(**PHONE)
    page.goto("/comptes/login/")
    assert_accessible(page, "connexion")
    page.get_by_label("Adresse e-mail").fill("reseau@plombiers.example")
    page.get_by_label("Mot de passe").fill("mauvais-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("mot de passe")
    assert_accessible(page, "connexion-erreur")


def test_keyboard_skip_link_and_visible_focus(new_page, demo):
    page = new_page(**TABLET)
    login(page, "direction@plombiers.example")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the skip link shows when focused"
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_filter_schools_with_htmx_then_create_one_with_commune_autocomplete(new_page, demo):
    page = new_page(**TABLET)
    login(page, "reseau@plombiers.example")
    page.goto("/ecoles/")
    page.get_by_label("Métier").select_option(label="Technicien·ne data center")
    expect(page.locator("#resultats tbody tr")).to_have_count(3)
    expect(page).to_have_url(re.compile(r"trade="))
    expect(page.locator("#resultats")).not_to_contain_text("Plombiers Chelles")

    page.get_by_role("link", name="Nouvelle école").click()
    page.get_by_label("Nom").fill("Plombiers Meaux")
    page.get_by_label("Métier").select_option(label="Fibre optique")
    page.get_by_label("Statut").select_option(label="En projet")
    commune = page.get_by_label("Commune")
    commune.press_sequentially("77500", delay=30)
    expect(page.locator("#commune-suggestions option")).to_have_count(1)
    value = page.locator("#commune-suggestions option").first.get_attribute("value")
    assert value == "Chelles (77500) — 77108"
    commune.fill(value)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plombiers Meaux")
    expect(page.get_by_role("status")).to_contain_text("a été créée")
    assert_accessible(page, "ecole-creee")
    assert School.objects.get(name="Plombiers Meaux").commune.insee_code == "77108"


def test_form_errors_are_announced_and_nothing_is_saved(new_page, demo):
    page = new_page(**PHONE)
    login(page, "direction@plombiers.example")
    page.goto("/organisations/nouvelle/")
    page.get_by_label("Type").select_option(label="Entreprise partenaire")
    page.get_by_label("Nom").fill("Fibres du Val")
    page.get_by_label("SIRET").fill("12345678901234")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("rien n'a été enregistré")
    expect(page.get_by_text("Ce numéro SIRET n'est pas valide")).to_be_visible()
    siret = page.get_by_label("SIRET")
    expect(siret).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "organisation-erreur")


def test_account_pages_are_french_and_accessible(new_page, demo):
    page = new_page(**PHONE)
    page.goto("/comptes/password/reset/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("mot de passe", ignore_case=True)
    assert_accessible(page, "mot-de-passe-oublie")
    page.get_by_label(re.compile("courriel|e-mail", re.IGNORECASE)).fill("formation@plombiers.example")
    page.get_by_role("button").filter(has_text=re.compile("réinitialiser", re.IGNORECASE)).click()
    page.wait_for_url("**/password/reset/done/")
    assert_accessible(page, "mot-de-passe-envoye")
    login(page, "formation@plombiers.example")
    page.goto("/comptes/password/change/")
    assert_accessible(page, "changer-mot-de-passe")
    page.goto("/comptes/2fa/")
    assert_accessible(page, "double-authentification")


@pytest.mark.parametrize(
    "role", ["staff", "manager_a", "trainer_a", "social_worker_a", "prescriber", "funder", "learner_a"]
)
def test_the_menu_holds_on_one_line_on_a_tablet_for_every_role(cast, new_page, role):
    """Landscape (1024 px) and portrait (820 px) tablets: every entry of the role's menu on one
    line, and nothing wider than the screen."""
    user = getattr(cast, role)
    user.first_name = "Marie-Alexandrine"  # a long first name: the worst case of the account menu
    user.save(update_fields=["first_name"])
    page = new_page(**TABLET)
    login(page, user.email)
    for width in (1024, 820):
        page.set_viewport_size({"width": width, "height": 900})
        items = page.locator("#menu-principal .nav-link")
        expect(items.first).to_be_visible()
        tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}
        assert len(tops) == 1, (width, tops)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
