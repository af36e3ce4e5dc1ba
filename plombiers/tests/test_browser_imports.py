"""A spreadsheet imported in a real browser: the school's manager drops a CSV, reads the columns
recognised and the first lines, checks the file, imports it, and sees what it created. axe-core on
every step."""

from playwright.sync_api import expect

from plombiers.conftest import assert_accessible, login
from plombiers.imports.tests.files import csv_bytes, people
from plombiers.referrals.models import Learner


def test_the_manager_imports_a_spreadsheet_of_young_people(new_page, cast, tmp_path):
    path = tmp_path / "jeunes.csv"
    path.write_bytes(csv_bytes(people(3), encoding="cp1252"))
    page = new_page()
    login(page, cast.manager_a.email)
    page.get_by_role("button", name="Réseau").click()
    page.get_by_role("link", name="Imports de tableurs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports de tableurs")
    assert_accessible(page, "imports-liste")
    page.get_by_label("Contenu du fichier").select_option("learners")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Déposer et voir les colonnes").click()

    expect(page.get_by_role("heading", name="Les premières lignes")).to_be_visible()
    expect(page.get_by_label("Date de naissance (obligatoire)")).to_have_value("Date de naissance")
    assert_accessible(page, "imports-colonnes")
    page.get_by_role("button", name="Vérifier le fichier (rien n'est écrit)").click()

    expect(page.get_by_text("3 ligne(s) à créer, 0 déjà présente(s).")).to_be_visible()
    assert_accessible(page, "imports-verification")
    page.get_by_role("button", name="Importer 3 ligne(s)").click()
    expect(page.get_by_text("3 ligne(s) créée(s), 0 déjà présente(s).")).to_be_visible()
    assert_accessible(page, "imports-resultat")
    assert Learner.objects.filter(school=cast.school_a).count() == 3
