import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from plombiers.funding import services as svc
from plombiers.funding.enums import GrantStatus
from plombiers.funding.models import Grant, OpcoFunding
from plombiers.privacy.models import AuditEvent

from .conftest import RATE, WEEK_1, WEEK_3

PDF = b"%PDF-1.4\n%%EOF\n"

pytestmark = pytest.mark.django_db
D = Decimal


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _grant_body(cast, orgs, **kwargs):
    return {
        "funder": orgs.foundation.pk,
        "school": cast.school_a.pk,
        "purpose": "plateau_technique",
        "amount_requested": "70000.50",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        **kwargs,
    }


def test_grants_are_created_and_listed_with_decimal_strings(client, cast, orgs, today):
    client.force_login(cast.manager_a)
    response = _post(client, "/api/v1/grants", _grant_body(cast, orgs))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount_requested"] == "70000.50" and body["amount_paid"] == "0.00"
    assert body["amount_granted"] is None and body["status"] == "sollicitee"
    grant = Grant.objects.get()
    svc.grant_decide(grant=grant, by=cast.staff, to=GrantStatus.GRANTED)
    svc.grant_payment_record(grant=grant, by=cast.staff, amount="0.10", paid_on=today)
    svc.grant_payment_record(grant=grant, by=cast.staff, amount="0.20", paid_on=today)
    listed = client.get("/api/v1/grants").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["amount_paid"] == "0.30" and item["amount_granted"] == "70000.50"
    assert isinstance(item["amount_paid"], str)
    assert client.get("/api/v1/grants?year=2025").json()["count"] == 0


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"amount_requested": 70000.5}, 422, "virgule flottante"),
        ({"amount_requested": "-5"}, 422, "ne peut pas être négatif"),
        ({"amount_requested": "12.345"}, 422, ""),
        ({"period_end": "2025-01-01"}, 422, "doit suivre son début"),
        ({"funder": 10**9}, 422, "financeur"),
        ({"purpose": "voyage"}, 422, ""),
    ],
)
def test_bad_grants_are_refused_and_nothing_is_written(client, cast, orgs, change, status, message):
    client.force_login(cast.staff)
    response = _post(client, "/api/v1/grants", _grant_body(cast, orgs, **change))
    assert response.status_code == status, response.content
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert not Grant.objects.exists()


def test_overlapping_grant_is_a_422(client, cast, orgs):
    client.force_login(cast.staff)
    assert _post(client, "/api/v1/grants", _grant_body(cast, orgs)).status_code == 201
    response = _post(client, "/api/v1/grants", _grant_body(cast, orgs, period_start="2026-06-01"))
    assert response.status_code == 422 and "chevauchent" in response.json()["detail"]
    network_grant = _post(
        client, "/api/v1/grants", _grant_body(cast, orgs, school=None, purpose="ingenierie")
    )
    assert network_grant.status_code == 201 and network_grant.json()["school"] is None


def test_opco_fundings_claimable_and_budget_and_costs(client, cast, course, orgs, today):
    client.force_login(cast.manager_a)
    body = {
        "cohort": course.cohort.pk,
        "opco": orgs.opco.pk,
        "scheme": "poec",
        "hours_agreed": "500",
        "hourly_rate": str(RATE),
    }
    assert _post(client, "/api/v1/opco-fundings", {**body, "hourly_rate": 12.5}).status_code == 422
    response = _post(client, "/api/v1/opco-fundings", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["hours_attended"] == "30.42" and created["amount_claimable"] == "380.21"
    assert created["hourly_rate"] == "12.50" and created["amount_invoiced"] == "0.00"
    funding = OpcoFunding.objects.get()
    svc.opco_invoice_create(
        funding=funding, by=cast.staff, period_start=WEEK_1, period_end=WEEK_1 + dt.timedelta(days=6)
    )
    listed = client.get(f"/api/v1/opco-fundings?cohort={course.cohort.pk}").json()
    assert listed["count"] == 1 and listed["items"][0]["amount_invoiced"] == "302.08"
    assert _post(client, "/api/v1/opco-fundings", body).status_code == 422

    assert client.get(f"/api/v1/schools/{cast.school_a.pk}/budget?year=2026").status_code == 404
    budget = svc.budget_create(school=cast.school_a, year=2026, by=cast.staff, planned={"salaires": "1000"})
    svc.budget_lines_update(budget=budget, by=cast.staff, values={"salaires": {"actual": "1200.40"}})
    budget_body = client.get(f"/api/v1/schools/{cast.school_a.pk}/budget?year=2026").json()
    salaries = budget_body["lines"][0]
    assert salaries == {
        "category": "salaires",
        "label": "Salaires",
        "planned": "1000.00",
        "actual": "1200.40",
        "variance": "200.40",
    }
    assert budget_body["planned_total"] == "1000.00" and budget_body["actual_total"] == "1200.40"
    costs = client.get(f"/api/v1/schools/{cast.school_a.pk}/costs?year=2026").json()
    assert costs["learners_started"] == 3 and costs["cost_per_learner_started"] == "400.13"
    assert costs["training_hours"] == "30.42"
    assert all(isinstance(s["amount"], str) for s in costs["funding_share"])
    assert client.get(f"/api/v1/schools/{cast.school_a.pk}/costs?year=1800").status_code == 422


def _patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_a_grant_goes_its_whole_way_through_the_api(client, cast, orgs, today, settings, tmp_path):
    """What the grant page does, the API does: edit, decide, pay, expect a report, hand it in,
    deposit the signed agreement — each write audited by the same service."""
    client.force_login(cast.manager_a)
    grant_id = _post(client, "/api/v1/grants", _grant_body(cast, orgs)).json()["id"]
    url = f"/api/v1/grants/{grant_id}"
    edited = _patch(client, url, {"amount_requested": "65000.00", "reference": "DOS-12"})
    assert edited.status_code == 200, edited.content
    assert edited.json()["amount_requested"] == "65000.00" and edited.json()["reference"] == "DOS-12"
    assert _patch(client, url, {"amount_requested": 1.5}).status_code == 422
    assert _patch(client, url, {"period_start": None}).status_code == 422

    decided = _post(client, f"{url}/decision", {"to": "accordee", "amount_granted": "60000.00"})
    assert decided.status_code == 200 and decided.json()["status"] == "accordee"
    assert decided.json()["amount_granted"] == "60000.00" and decided.json()["decided_on"] == "2026-11-10"
    refused_edit = _patch(client, url, {"amount_requested": "1.00"})
    assert refused_edit.status_code == 409 and "sollicitée" in refused_edit.json()["detail"]
    assert _patch(client, url, {"conditions": "Bilan à mi-parcours"}).json()["conditions"] == (
        "Bilan à mi-parcours"
    )

    paid = _post(client, f"{url}/payments", {"amount": "20000.00", "paid_on": "2026-11-02"})
    assert paid.status_code == 201 and paid.json()["amount"] == "20000.00"
    too_much = _post(client, f"{url}/payments", {"amount": "40000.01", "paid_on": "2026-11-02"})
    assert too_much.status_code == 422 and "dépasserait" in json.dumps(too_much.json(), ensure_ascii=False)

    report = _post(client, f"{url}/reports", {"title": "Bilan final", "due_on": "2027-01-31"})
    assert report.status_code == 201 and report.json()["done"] is False
    report_id = report.json()["id"]
    done = _post(client, f"/api/v1/grant-reports/{report_id}/done", {})
    assert done.status_code == 200 and done.json()["done_on"] == "2026-11-10"
    assert _post(client, f"/api/v1/grant-reports/{report_id}/done", {}).status_code == 422

    settings.MEDIA_ROOT = tmp_path
    not_pdf = client.post(f"{url}/agreement", {"agreement": SimpleUploadedFile("c.pdf", b"hello")})
    assert not_pdf.status_code == 422
    uploaded = client.post(f"{url}/agreement", {"agreement": SimpleUploadedFile("c.pdf", PDF)})
    assert uploaded.status_code == 200 and uploaded.json()["agreement"] is True

    detail = client.get(url).json()
    assert detail["status"] == "versee" and detail["amount_paid"] == "20000.00"
    assert [p["amount"] for p in detail["payments"]] == ["20000.00"]
    assert [(r["title"], r["done"]) for r in detail["reports"]] == [("Bilan final", True)]
    actions = set(AuditEvent.objects.filter(actor=cast.manager_a).values_list("action", flat=True))
    assert {
        "grant.update",
        "grant.accordee",
        "grant.payment",
        "grant.report_done",
        "grant.agreement",
    } <= actions


def test_the_funder_reads_a_grant_but_changes_nothing(client, cast, orgs, today):
    grant = svc.grant_create(
        by=cast.staff,
        funder=orgs.foundation,
        school=cast.school_a,
        purpose="plateau_technique",
        amount_requested="1000.00",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    client.force_login(cast.funder)
    url = f"/api/v1/grants/{grant.pk}"
    assert client.get(url).status_code == 200
    assert _patch(client, url, {"reference": "X"}).status_code == 403
    assert _post(client, f"{url}/decision", {"to": "accordee"}).status_code == 403
    grant.refresh_from_db()
    assert grant.reference == "" and grant.status == GrantStatus.REQUESTED


def test_opco_invoices_through_the_api(client, cast, course, orgs, today):
    funding = svc.opco_funding_create(
        cohort=course.cohort,
        by=cast.staff,
        opco=orgs.opco,
        scheme="poec",
        hours_agreed="500",
        hourly_rate=RATE,
    )
    client.force_login(cast.manager_a)
    url = f"/api/v1/opco-fundings/{funding.pk}/invoices"
    week = {"period_start": str(WEEK_1), "period_end": str(WEEK_1 + dt.timedelta(days=6))}
    created = _post(client, url, week)
    assert created.status_code == 201, created.content
    assert created.json()["amount"] == "302.08" and created.json()["status"] == "a_emettre"
    assert _post(client, url, week).status_code == 422  # the same period twice
    unsigned = {"period_start": str(WEEK_3), "period_end": str(WEEK_3 + dt.timedelta(days=6))}
    assert _post(client, url, unsigned).status_code == 422
    invoice_id = created.json()["id"]
    transition = f"/api/v1/opco-invoices/{invoice_id}/transition"
    assert _post(client, transition, {"to": "payee"}).status_code == 409  # not issued yet
    issued = _post(client, transition, {"to": "emise", "number": "F-2026-001"})
    assert issued.status_code == 200 and issued.json()["issued_on"] == "2026-11-10"
    assert [i["number"] for i in client.get(url).json()] == ["F-2026-001"]
