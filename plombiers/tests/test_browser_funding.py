"""The funding journey of a network staff member in a real browser, on a desktop and on a tablet:
the network overview, a school's funding page, a grant, a payment recorded (one refused first), then
the school's budget and the import of its actuals from a CSV (a malformed one refused first).
axe-core on every page visited."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from plombiers.conftest import assert_accessible, login
from plombiers.funding import services as svc
from plombiers.funding.enums import GrantPurpose, GrantStatus
from plombiers.funding.models import BudgetLine, GrantPayment
from plombiers.lib.text import de

DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180, "has_touch": True}
GOOD_CSV = "Poste;Prévu;Réalisé\nSalaires;180 000,00;182 450,00\nConsommables;6 000;5 820,40\n".encode(
    "cp1252"
)
BAD_CSV = b"Poste;R\xc3\xa9alis\xc3\xa9\nSalaires;182450\nLoyer;900\n"


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("size", ["desktop", "tablet"])
def test_network_staff_funding_journey(new_page, cast, size, tmp_path):
    viewport = DESKTOP if size == "desktop" else TABLET
    year = timezone.localdate().year
    grant = svc.grant_create(
        by=cast.staff,
        funder=cast.funder_org,
        school=cast.school_a,
        purpose=GrantPurpose.PLATFORM,
        amount_requested="72000",
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
    )
    svc.grant_decide(grant=grant, by=cast.staff, to=GrantStatus.GRANTED)
    svc.grant_payment_record(grant=grant, by=cast.staff, amount="40000", paid_on=dt.date(year, 1, 2))
    svc.budget_create(school=cast.school_a, year=year, by=cast.staff, planned={"salaires": "180000"})
    page = new_page(**viewport)
    login(page, cast.staff.email)

    page.goto("/financements/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Financements")
    assert_accessible(page, f"financements-reseau-{size}")
    fits(page, viewport["width"])
    page.get_by_role("link", name=cast.school_a.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Financements {de(cast.school_a.name)}")
    assert_accessible(page, f"financements-ecole-{size}")
    fits(page, viewport["width"])

    page.get_by_role("link", name=cast.funder_org.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(cast.funder_org.name)
    expect(page.get_by_text("Versée en partie")).to_be_visible()
    assert_accessible(page, f"financement-subvention-{size}")
    # Above what is left: refused, in French, nothing written.
    page.get_by_label("Montant versé").fill("32 000,01")
    page.get_by_role("button", name="Enregistrer le versement").click()
    expect(page.get_by_text("Ce versement dépasserait le montant accordé")).to_be_visible()
    assert GrantPayment.objects.count() == 1
    assert_accessible(page, f"financement-versement-refuse-{size}")
    page.get_by_label("Montant versé").fill("32 000,00")
    page.get_by_role("button", name="Enregistrer le versement").click()
    expect(page.get_by_role("status").or_(page.locator(".alert-success"))).to_contain_text(
        "Le versement est enregistré"
    )
    expect(page.get_by_text("Statut : Versée", exact=True)).to_be_visible()
    assert GrantPayment.objects.count() == 2

    page.get_by_role("link", name=cast.school_a.name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Financements {de(cast.school_a.name)}")
    page.get_by_role("link", name=f"Budget {year}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Budget {year} {de(cast.school_a.name)}")
    assert_accessible(page, f"financement-budget-{size}")
    fits(page, viewport["width"])
    bad = tmp_path / "budget-faux.csv"
    bad.write_bytes(BAD_CSV)
    page.get_by_label("Fichier CSV (séparateur « ; »)").set_input_files(str(bad))
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_text("Ligne 3 : poste « Loyer » inconnu")).to_be_visible()
    assert set(BudgetLine.objects.values_list("actual", flat=True)) == {None}
    assert_accessible(page, f"financement-budget-import-refuse-{size}")
    good = tmp_path / "budget.csv"
    good.write_bytes(GOOD_CSV)
    page.get_by_label("Fichier CSV (séparateur « ; »)").set_input_files(str(good))
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_text("2 lignes importées")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("+2\u202f450,00\u00a0€")
    assert_accessible(page, f"financement-budget-importe-{size}")
