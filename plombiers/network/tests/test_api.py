import pytest

from plombiers.accounts.services import api_token_create
from plombiers.network.tests.factories import SchoolFactory


@pytest.fixture
def staff_headers(cast, client):
    _token, raw = api_token_create(user=cast.staff)
    headers = {"Authorization": f"Bearer {raw}"}
    # The first call stamps the token's last use (then at most once a minute): keep it out of counts.
    client.get("/api/v1/schools?limit=1", headers=headers)
    return headers


def test_school_items_carry_the_promised_fields(client, cast, staff_headers):
    body = client.get("/api/v1/schools", headers=staff_headers).json()
    assert body["count"] == 2
    item = next(i for i in body["items"] if i["id"] == cast.school_a.pk)
    assert item["name"] == "École A Chelles"
    assert item["slug"] == cast.school_a.slug
    assert item["trade"] == "Fibre optique"
    assert item["commune"] == {"name": "Chelles", "insee_code": "77108"}
    assert item["status"] == "ouverte"
    assert item["opened_on"] == "2020-09-01"
    assert item["region"] == "Île-de-France"


def test_schools_are_paginated_and_filtered(client, cast, staff_headers):
    page = client.get("/api/v1/schools?limit=1&offset=1", headers=staff_headers).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    assert page["items"][0]["name"] == "École B Roubaix"
    by_trade = client.get("/api/v1/schools?trade=technicien-data-center", headers=staff_headers).json()
    assert [i["name"] for i in by_trade["items"]] == ["École B Roubaix"]
    by_region = client.get("/api/v1/schools?region=11", headers=staff_headers).json()
    assert [i["name"] for i in by_region["items"]] == ["École A Chelles"]


def test_school_detail(client, cast, staff_headers):
    body = client.get(f"/api/v1/schools/{cast.school_b.pk}", headers=staff_headers).json()
    assert body["trade"] == "Technicien·ne data center"
    assert body["default_cohort_capacity"] == 12


def test_communes_search(client, cast, staff_headers):
    body = client.get("/api/v1/communes?q=77500", headers=staff_headers).json()
    assert body["count"] == 1
    chelles = body["items"][0]
    assert chelles["insee_code"] == "77108"
    assert chelles["postal_codes"] == ["77500"]
    assert chelles["departement"] == "77"
    assert chelles["latitude"] == pytest.approx(48.884, abs=0.01)


def test_organisations_filter_by_kind(client, cast, staff_headers):
    body = client.get("/api/v1/organisations?kind=funder", headers=staff_headers).json()
    assert [i["name"] for i in body["items"]] == ["Fondation A"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?limit=-1", 422),
        ("?limit=abc", 422),
        ("?limit=100000", 422),
        ("?status=inconnu", 422),
        ("?offset=-5", 422),
        ("?offset=1165352238094123400167424", 422),
    ],
)
def test_bad_query_parameters_get_a_4xx_json_error(client, cast, staff_headers, query, status):
    response = client.get(f"/api/v1/schools{query}", headers=staff_headers)
    assert response.status_code == status
    assert response.json()["detail"] == "Requête invalide."


def test_unknown_object_is_a_json_404(client, cast, staff_headers):
    response = client.get("/api/v1/schools/987654", headers=staff_headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "Introuvable."}


@pytest.mark.parametrize("extra", [0, 30])
def test_school_list_query_count_is_constant(client, cast, staff_headers, django_assert_num_queries, extra):
    for _ in range(extra):
        SchoolFactory(network=cast.network, commune=cast.school_a.commune)
    # token lookup, count, page of schools with trade, commune, département, région
    with django_assert_num_queries(3):
        response = client.get("/api/v1/schools?limit=100", headers=staff_headers)
    assert response.json()["count"] == 2 + extra


@pytest.mark.parametrize("extra", [0, 30])
def test_organisation_list_query_count_is_constant(
    client, cast, staff_headers, django_assert_num_queries, extra
):
    from plombiers.network.tests.factories import OrganisationFactory

    for i in range(extra):
        OrganisationFactory(network=cast.network, name=f"Org {i}")
    # token lookup, count, page of organisations with commune
    with django_assert_num_queries(3):
        response = client.get("/api/v1/organisations?limit=100", headers=staff_headers)
    assert response.json()["count"] == 4 + extra


def test_openapi_document(client, cast):
    body = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/schools", "/api/v1/organisations", "/api/v1/communes", "/api/v1/auth/token"} <= set(
        body["paths"]
    )


def test_staff_creates_a_school_and_others_get_4xx(client, cast, staff_headers):
    body = {
        "name": "École de Meaux",
        "trade": "fibre-optique",
        "commune": "77108",
        "address": "1 rue de la Gare",
    }
    created = client.post("/api/v1/schools", body, content_type="application/json", headers=staff_headers)
    assert created.status_code == 201, created.content
    school = created.json()
    assert school["status"] == "projet"
    assert school["commune"] == {"name": "Chelles", "insee_code": "77108"}
    assert school["default_cohort_capacity"] == 8  # the trade's
    unknown = client.post(
        "/api/v1/schools",
        {**body, "commune": "00000"},
        content_type="application/json",
        headers=staff_headers,
    )
    assert unknown.status_code == 422
    assert "Commune inconnue" in unknown.json()["detail"]
    trade = client.post(
        "/api/v1/schools",
        {**body, "trade": "plomberie"},
        content_type="application/json",
        headers=staff_headers,
    )
    assert trade.status_code == 422
    _token, raw = api_token_create(user=cast.manager_a)
    manager = client.post(
        "/api/v1/schools", body, content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )
    assert manager.status_code == 403
    # A project holder of no visible network is 404.
    other = client.post(
        "/api/v1/schools",
        {**body, "project_holder": 10**9},
        content_type="application/json",
        headers=staff_headers,
    )
    assert other.status_code == 404
