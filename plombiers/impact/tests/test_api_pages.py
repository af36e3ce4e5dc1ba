"""`GET /api/v1/impact` by pages (issue 23): `limit` and `offset` on a table, as the API's lists;
without them the whole table, as before. A page never shows what the whole table would hide."""

import pytest

from plombiers.accounts.enums import Role
from plombiers.accounts.services import api_token_create
from plombiers.accounts.tests.factories import MembershipFactory, UserFactory
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/impact"


def headers_for(user):
    _token, raw = api_token_create(user=user)
    return {"Authorization": f"Bearer {raw}"}


def labels(body):
    return [row["label"] for row in body["rows"]]


def test_pages_of_the_table_by_school_add_up_to_the_whole_table(client, cast, world):
    headers = headers_for(cast.staff)
    whole = client.get(f"{URL}?scope=network&group_by=school", headers=headers).json()
    assert labels(whole) == ["École A Chelles", "École B Roubaix"] and whole["count"] == 2
    pages = [
        client.get(f"{URL}?scope=network&group_by=school&limit=1&offset={offset}", headers=headers).json()
        for offset in (0, 1, 2)
    ]
    assert [labels(page) for page in pages] == [["École A Chelles"], ["École B Roubaix"], []]
    assert {page["count"] for page in pages} == {2}
    assert pages[0]["rows"] + pages[1]["rows"] == whole["rows"], "the same figures, page by page"
    assert all(page["total"] == whole["total"] for page in pages), "the total is the whole table's"
    # Only an offset: the lists' default page (100 rows).
    body = client.get(f"{URL}?scope=network&group_by=school&offset=1", headers=headers).json()
    assert labels(body) == ["École B Roubaix"]
    # Without a table: no rows, as before.
    assert client.get(f"{URL}?scope=network", headers=headers).json()["count"] == 0


def test_a_funder_pages_through_its_own_schools_only(client, cast, world):
    """The funder of school A and another funder, of school B: each one's pages hold its school,
    with the same figures (and the same hidden ones) as its whole table; the other's scope is 404."""
    other_org = OrganisationFactory(network=cast.network, kind=OrganisationKind.FUNDER, name="Fondation B")
    PartnershipFactory(school=cast.school_b, organisation=other_org)
    other = UserFactory(email="financeur.b@test.example")
    MembershipFactory(user=other, role=Role.FUNDER, organisation=other_org)
    for user, school, foreign in [
        (cast.funder, "École A Chelles", other_org),
        (other, "École B Roubaix", cast.funder_org),
    ]:
        headers = headers_for(user)
        whole = client.get(f"{URL}?scope=funder&group_by=school", headers=headers).json()
        first = client.get(f"{URL}?scope=funder&group_by=school&limit=1", headers=headers).json()
        beyond = client.get(f"{URL}?scope=funder&group_by=school&limit=5&offset=1", headers=headers).json()
        assert labels(first) == [school] and first["rows"] == whole["rows"] and first["count"] == 1
        assert beyond["rows"] == [] and beyond["count"] == 1
        assert not any(row["label"] != school for row in whole["rows"])
        paged = f"{URL}?scope=funder&id={foreign.pk}&group_by=school&limit=1"
        assert client.get(paged, headers=headers).status_code == 404


def test_a_school_pages_through_its_own_figures_only(client, cast, world):
    headers = headers_for(cast.manager_a)
    whole = client.get(f"{URL}?group_by=cohort", headers=headers).json()
    assert whole["scope"]["label"] == "École A Chelles" and whole["count"] == len(whole["rows"]) >= 2
    pages = [
        client.get(f"{URL}?group_by=cohort&limit=1&offset={offset}", headers=headers).json()
        for offset in range(whole["count"] + 1)
    ]
    assert [row for page in pages for row in page["rows"]] == whole["rows"]
    assert not any("B1" in row["label"] for page in pages for row in page["rows"])
    other = f"{URL}?scope=school&id={cast.school_b.slug}&group_by=cohort&limit=1"
    assert client.get(other, headers=headers).status_code == 404
    assert client.get(f"{URL}?scope=network&group_by=school&limit=1", headers=headers).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "group_by=school&limit=0",
        "group_by=school&limit=501",
        "group_by=school&limit=abc",
        "group_by=school&offset=-1",
        "group_by=school&offset=1000000000001",
        "group_by=school&offset=1.5",
    ],
)
def test_a_bad_page_is_a_422_in_french(client, cast, world, query):
    response = client.get(f"{URL}?scope=network&{query}", headers=headers_for(cast.staff))
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Requête invalide." and body["errors"]


@pytest.mark.parametrize("query", ["limit=10", "offset=0", "limit=1&offset=1"])
def test_pages_without_a_table_are_refused(client, cast, world, query):
    response = client.get(f"{URL}?scope=network&{query}", headers=headers_for(cast.staff))
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Les pages (limit, offset) sont celles d'un tableau : précisez group_by."
    }


def test_the_paged_body_fits_its_schema_and_the_pages_are_documented(client, cast, world):
    from plombiers.impact.api import ImpactOut

    headers = headers_for(cast.staff)
    body = client.get(f"{URL}?scope=network&group_by=school&limit=1&offset=1", headers=headers).json()
    assert ImpactOut.model_validate(body).model_dump(mode="json") == body
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/impact"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert {"limit", "offset"} <= set(parameters)
    assert parameters["limit"]["schema"]["anyOf"][0] == {"maximum": 500, "minimum": 1, "type": "integer"}
    assert "count" in schema["components"]["schemas"]["ImpactOut"]["required"]


def test_a_page_of_exact_figures_is_read_alone_from_the_rollup(client, cast, world):
    """Consolidated figures for the network's staff: a page of the table by school is sorted and
    cut by the database (`LIMIT` in the statement), with the same rows, total and count as the
    whole table; a page past the end still says how many rows there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from plombiers.impact import rollup

    rollup.refresh()
    headers = headers_for(cast.staff)
    whole = client.get(f"{URL}?scope=network&group_by=school", headers=headers).json()
    assert whole["consolidated_at"] and whole["count"] == 2
    with CaptureQueriesContext(connection) as queries:
        pages = [
            client.get(f"{URL}?scope=network&group_by=school&limit=1&offset={offset}", headers=headers).json()
            for offset in (0, 1, 5)
        ]
    assert [labels(page) for page in pages] == [["École A Chelles"], ["École B Roubaix"], []]
    assert [page["count"] for page in pages] == [2, 2, 2]
    assert pages[0]["rows"] + pages[1]["rows"] == whole["rows"]
    assert all(page["total"] == whole["total"] for page in pages)
    assert (
        sum("LIMIT" in q["sql"] and "impact_schoolrollup" in q["sql"] for q in queries.captured_queries) == 4
    )
