import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from plombiers.cohorts.tests.factories import CohortFactory
from plombiers.funding import services as svc
from plombiers.funding.enums import GrantPurpose, GrantStatus
from plombiers.funding.models import BudgetLine, Grant, GrantPayment, OpcoFunding

from .conftest import RATE, WEEK_1

pytestmark = pytest.mark.django_db

#: Queries of each page and endpoint, the same for 1 and for 6 rows of each kind.
PINNED = {
    # session, user + memberships; grant sums by year, funder, school (each with its payments);
    # the funders and schools named; the by-funder page count
    "overview": 11,
    # + budgets, grants and OPCO pages (count + rows), 6 cost aggregations, 2 income sums
    "school_funding": 17,
    "grant_detail": 6,
    "cohort_opco": 6,
    "budget": 6,
    "bpf": 8,
    "api_grants": 4,
    "api_opco": 4,
    "api_budget": 6,
    "api_costs": 12,
    # session, user + memberships; organisations; grants (count + rows); funded schools; started,
    # completed, positive exits and minutes by school × year (the secrecy's table)
    "funder_space": 11,
}


def _grants(cast, orgs, n, start_year=2010):
    for i in range(n):
        grant = svc.grant_create(
            by=cast.staff,
            funder=orgs.foundation,
            school=cast.school_a,
            purpose=GrantPurpose.PLATFORM,
            amount_requested="70000",
            period_start=dt.date(start_year + i, 1, 1),
            period_end=dt.date(start_year + i, 12, 31),
        )
        svc.grant_decide(grant=grant, by=cast.staff, to=GrantStatus.GRANTED)
        svc.grant_payment_record(
            grant=grant, by=cast.staff, amount="1000", paid_on=dt.date(start_year + i, 6, 1)
        )
        svc.grant_report_add(grant=grant, by=cast.staff, title="Bilan", due_on=dt.date(start_year + i, 12, 1))
        svc.budget_create(school=cast.school_a, year=start_year + i, by=cast.staff)
    for i in range(n):
        cohort = CohortFactory(
            school=cast.school_a, start_date=dt.date(2020 + i, 1, 6), end_date=dt.date(2020 + i, 4, 30)
        )
        svc.opco_funding_create(
            cohort=cohort, by=cast.staff, opco=orgs.opco, scheme="poec", hours_agreed="100", hourly_rate="10"
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _urls(cast, course):
    grant = Grant.objects.order_by("pk").first()
    slug = cast.school_a.slug
    return {
        "overview": reverse("funding:overview"),
        "school_funding": reverse("funding:school_funding", args=[slug]) + "?annee=2026",
        "grant_detail": reverse("funding:grant_detail", args=[grant.pk]),
        "cohort_opco": reverse("funding:cohort_opco", args=[course.cohort.pk]),
        "budget": reverse("funding:budget", args=[slug, 2026]),
        "bpf": reverse("funding:bpf", args=[slug, 2026]),
        "api_grants": "/api/v1/grants",
        "api_opco": "/api/v1/opco-fundings",
        "api_budget": f"/api/v1/schools/{cast.school_a.pk}/budget?year=2026",
        "api_costs": f"/api/v1/schools/{cast.school_a.pk}/costs?year=2026",
    }


def test_query_counts_are_pinned(client, cast, orgs, course, today):
    svc.budget_create(school=cast.school_a, year=2026, by=cast.staff)
    funding = svc.opco_funding_create(
        cohort=course.cohort,
        by=cast.staff,
        opco=orgs.opco,
        scheme="poec",
        hours_agreed="100",
        hourly_rate=RATE,
    )
    svc.opco_invoice_create(
        funding=funding, by=cast.staff, period_start=WEEK_1, period_end=WEEK_1 + dt.timedelta(days=6)
    )
    _grants(cast, orgs, 1)
    small, large = {}, {}
    client.force_login(cast.staff)
    for name, url in _urls(cast, course).items():
        small[name] = _count(client, url)
    client.force_login(cast.funder)
    small["funder_space"] = _count(client, reverse("funding:funder_space"))
    _grants(cast, orgs, 5, start_year=2011)
    client.force_login(cast.staff)
    for name, url in _urls(cast, course).items():
        large[name] = _count(client, url)
    client.force_login(cast.funder)
    large["funder_space"] = _count(client, reverse("funding:funder_space"))
    assert small == large == PINNED


def test_record_a_payment_on_the_page(client, cast, orgs, today):
    _grants(cast, orgs, 1)
    grant = Grant.objects.get()
    client.force_login(cast.manager_a)
    url = reverse("funding:payment_create", args=[grant.pk])
    response = client.post(url, {"amount": "69 000,01", "paid_on": "2026-11-01"})
    assert response.status_code == 400
    assert "dépasserait le montant accordé" in response.content.decode()
    response = client.post(url, {"amount": "-5", "paid_on": "2026-11-01"})
    assert response.status_code == 400 and "ne peut pas être négatif" in response.content.decode()
    assert GrantPayment.objects.count() == 1
    response = client.post(url, {"amount": "69 000,00", "paid_on": "2026-11-01"})
    assert response.status_code == 302
    assert Grant.objects.with_paid().get().paid == Decimal("70000.00")


def test_budget_page_and_csv_import(client, cast, today):
    budget = svc.budget_create(school=cast.school_a, year=2026, by=cast.staff)
    client.force_login(cast.manager_a)
    url = reverse("funding:budget_import", args=[cast.school_a.slug, 2026])
    bad = "Poste;Réalisé\nSalaires;1000\nConsommables;douze\n".encode("cp1252")
    response = client.post(url, {"file": SimpleUploadedFile("budget.csv", bad, content_type="text/csv")})
    assert response.status_code == 400
    assert "Ligne 3 : montant « douze » illisible" in response.content.decode()
    assert set(BudgetLine.objects.values_list("actual", flat=True)) == {None}
    good = "\ufeffPoste;Prévu;Réalisé\nSalaires;1 000,00;1 100,50\n".encode()
    response = client.post(url, {"file": SimpleUploadedFile("budget.csv", good, content_type="text/csv")})
    assert response.status_code == 302
    page = client.get(budget.get_absolute_url()).content.decode()
    assert "+100,50\u00a0€" in page and "(dépassement)" in page
    create = reverse("funding:budget_create", args=[cast.school_a.slug])
    response = client.post(create, {"year": "2026"}, follow=True)
    assert "a déjà un budget pour 2026" in response.content.decode()


def test_bpf_export_is_an_xlsx_with_numbers(client, cast, course, orgs, today):
    funding = svc.opco_funding_create(
        cohort=course.cohort,
        by=cast.staff,
        opco=orgs.opco,
        scheme="poec",
        hours_agreed="100",
        hourly_rate=RATE,
    )
    invoice = svc.opco_invoice_create(
        funding=funding, by=cast.staff, period_start=WEEK_1, period_end=WEEK_1 + dt.timedelta(days=6)
    )
    svc.opco_invoice_transition(invoice=invoice, by=cast.staff, to="emise", number="F1")
    client.force_login(cast.staff)
    response = client.get(reverse("funding:bpf_export", args=[cast.school_a.slug, 2026]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert values["Opérateurs de compétences (OPCO)"] == 302.08
    assert values["Nombre de stagiaires"] == 3
    assert values["Heures-stagiaires (feuilles signées)"] == 30.42


def test_opco_page_creates_funding_and_invoice(client, cast, course, orgs, today):
    client.force_login(cast.manager_a)
    url = reverse("funding:opco_funding_create", args=[course.cohort.pk])
    response = client.post(
        url, {"opco": orgs.opco.pk, "scheme": "poec", "hours_agreed": "100", "hourly_rate": "-2"}
    )
    assert response.status_code == 400 and not OpcoFunding.objects.exists()
    response = client.post(
        url, {"opco": orgs.opco.pk, "scheme": "poec", "hours_agreed": "100", "hourly_rate": "12,50"}
    )
    assert response.status_code == 302
    page = client.get(reverse("funding:cohort_opco", args=[course.cohort.pk])).content.decode()
    assert "380,21\u00a0€" in page
    response = client.post(
        reverse("funding:invoice_create", args=[course.cohort.pk]),
        {"period_start": "2026-10-12", "period_end": "2026-10-18"},
    )
    assert response.status_code == 400 and "pas encore signées" in response.content.decode()


def test_edit_a_grant_on_the_page(client, cast, orgs, today):
    grant = svc.grant_create(
        by=cast.staff,
        funder=orgs.foundation,
        school=cast.school_a,
        purpose=GrantPurpose.PLATFORM,
        amount_requested="1000.00",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    client.force_login(cast.manager_a)
    url = reverse("funding:grant_edit", args=[grant.pk])
    assert (
        reverse("funding:grant_edit", args=[grant.pk])
        in client.get(grant.get_absolute_url()).content.decode()
    )
    form = {"amount_requested": "1 500,00", "period_start": "2026-01-01", "period_end": "2026-12-31"}
    bad = client.post(url, {**form, "period_end": "2025-12-31"})
    assert bad.status_code == 400 and "doit suivre son début" in bad.content.decode()
    assert client.post(url, {**form, "reference": "DOS-7"}).status_code == 302
    grant.refresh_from_db()
    assert (grant.amount_requested, grant.reference) == (Decimal("1500.00"), "DOS-7")

    svc.grant_decide(grant=grant, by=cast.staff, to=GrantStatus.GRANTED)
    page = client.get(url).content.decode()
    assert "Ne change plus une fois la décision prise" in page
    # A decided grant's terms are disabled fields: what is posted for them is ignored.
    assert (
        client.post(url, {**form, "amount_requested": "9", "conditions": "Bilan en juin"}).status_code == 302
    )
    grant.refresh_from_db()
    assert (grant.amount_requested, grant.conditions) == (Decimal("1500.00"), "Bilan en juin")
