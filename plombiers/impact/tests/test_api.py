"""The impact API: the same figures and the same access rule as the dashboards."""

import pytest

from plombiers.accounts.services import api_token_create
from plombiers.impact import opendata as od
from plombiers.outcomes.enums import POSITIVE_CATEGORIES, ExitCategory
from plombiers.outcomes.models import Exit

pytestmark = pytest.mark.django_db


def headers_for(client, user):
    _token, raw = api_token_create(user=user)
    headers = {"Authorization": f"Bearer {raw}"}
    client.get("/api/v1/impact", headers=headers)  # stamps the token's last use
    return headers


def test_network_positive_exit_rate_is_a_fraction(client, cast, world):
    body = client.get("/api/v1/impact?scope=network", headers=headers_for(client, cast.staff)).json()
    rate = body["total"]["indicators"]["positive_exit_rate"]
    assert rate == {
        "label": "Taux de sorties positives",
        "kind": "rate",
        "value": 0.7647,
        "numerator": 13,
        "denominator": 17,
        "suppressed": False,  # network staff read exact figures
    }
    # An independent recomputation from the exits themselves.
    exits = list(Exit.objects.values_list("category", flat=True))
    counted = [c for c in exits if c != ExitCategory.NEUTRALISED]
    assert rate["numerator"] == sum(c in POSITIVE_CATEGORIES for c in counted)
    assert rate["denominator"] == len(counted)
    assert body["target"] == 0.7
    assert body["rows"] == []


def test_group_by_and_year(client, cast, world):
    headers = headers_for(client, cast.staff)
    body = client.get("/api/v1/impact?scope=network&group_by=year&year=2025", headers=headers).json()
    assert body["filters"] == {"year": 2025}
    assert body["total"]["indicators"]["positive_exit_rate"]["value"] == 0.6667
    assert [r["key"] for r in body["rows"]] == [2025]
    body = client.get("/api/v1/impact?scope=network&group_by=school", headers=headers).json()
    assert [(r["label"], r["indicators"]["started"]["value"]) for r in body["rows"]] == [
        ("École A Chelles", 18),
        ("École B Roubaix", 4),
    ]


def test_scopes_and_refusals(client, cast, world):
    manager = headers_for(client, cast.manager_a)
    assert client.get("/api/v1/impact", headers=manager).json()["scope"]["kind"] == "school"
    ok = client.get(f"/api/v1/impact?scope=school&id={cast.school_a.slug}", headers=manager)
    assert ok.status_code == 200
    assert (
        client.get(f"/api/v1/impact?scope=school&id={cast.school_b.slug}", headers=manager).status_code == 404
    )
    assert client.get("/api/v1/impact?scope=network", headers=manager).status_code == 404
    assert client.get(f"/api/v1/impact?scope=cohort&id={world.b1.pk}", headers=manager).status_code == 404
    funder = headers_for(client, cast.funder)
    body = client.get("/api/v1/impact?scope=funder&group_by=school", headers=funder).json()
    assert [r["label"] for r in body["rows"]] == ["École A Chelles"]
    assert (
        client.get(f"/api/v1/impact?scope=school&id={cast.school_b.slug}", headers=funder).status_code == 404
    )
    for user in (cast.prescriber, cast.learner_a, cast.outsider):
        assert client.get("/api/v1/impact", headers=headers_for(client, user)).status_code == 404
    assert client.get("/api/v1/impact").status_code == 401


@pytest.mark.parametrize(
    "query", ["scope=galaxy", "group_by=planet", "year=abc", "year=99999", "school=0", "id=" + "x" * 200]
)
def test_bad_input_is_422(client, cast, query):
    response = client.get(f"/api/v1/impact?{query}", headers=headers_for(client, cast.staff))
    assert response.status_code == 422
    assert "detail" in response.json()


def test_query_count_of_the_endpoint(client, cast, world, django_assert_num_queries):
    headers = headers_for(client, cast.staff)
    # Token with its user (1), memberships (1), the network (1), the last rollup run with the number
    # of its schools (1: no run, the records), then 7 sources, each grouped by year and school at
    # once, the total and the table summed from it (the schools are a subquery).
    with django_assert_num_queries(11):
        client.get("/api/v1/impact?scope=network&group_by=school", headers=headers)


def test_open_data_is_public_and_protected(client, cast, world):
    body = client.get("/api/v1/impact/opendata").json()
    assert body["columns"] == od.HEADER
    assert body["count"] == len(body["items"])
    for item in body["items"]:
        for column in od.HEADER[3:]:
            assert item[column] in (od.PRIMARY, od.SECONDARY) or item[column] == 0 or item[column] >= 5
    assert not any("Chelles" in str(v) for item in body["items"] for v in item.values())


@pytest.mark.parametrize(
    "query", ["scope=network&group_by=school", "scope=network&group_by=funder&year=2025", "", "scope=network"]
)
def test_the_body_fits_its_documented_schema(client, cast, world, query):
    from plombiers.impact.api import ImpactOut

    body = client.get(f"/api/v1/impact?{query}", headers=headers_for(client, cast.staff)).json()
    assert ImpactOut.model_validate(body).model_dump(mode="json") == body
    schema = client.get("/api/v1/openapi.json").json()
    assert "ImpactOut" in schema["components"]["schemas"]
