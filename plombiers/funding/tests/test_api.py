import datetime as dt
import json
from decimal import Decimal

import pytest

from plombiers.funding import services as svc
from plombiers.funding.enums import GrantStatus
from plombiers.funding.models import Grant, OpcoFunding

from .conftest import RATE, WEEK_1

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
