"""The access rule of DESIGN.md, proved for every role on every page and endpoint of the network.

An object a user may not see answers 404 — the same as an object that does
not exist — on pages and in the API alike.
"""

import pytest
from django.urls import reverse

from plombiers.accounts.services import api_token_create
from plombiers.tests import access

ROLES = access.ROLES

# Which of the cast's objects each role may see / edit.
SEES_SCHOOLS = access.SEES_SCHOOLS
EDITS_SCHOOLS = access.EDITS_SCHOOLS
SEES_ORGANISATIONS = access.SEES_ORGANISATIONS
EDITS_ORGANISATIONS = access.EDITS_ORGANISATIONS
SCHOOLS = ["school_a", "school_b"]
ORGANISATIONS = ["company_a", "company_b", "prescriber_org", "funder_org"]


def _expected(allowed: dict, role: str, name: str) -> int:
    return 200 if name in allowed.get(role, set()) else 404


@pytest.mark.parametrize("role", ROLES)
def test_school_pages(client, cast, role):
    client.force_login(getattr(cast, role))
    for name in SCHOOLS:
        school = getattr(cast, name)
        detail = client.get(reverse("network:school_detail", args=[school.slug]))
        edit = client.get(reverse("network:school_edit", args=[school.slug]))
        post = client.post(reverse("network:school_edit", args=[school.slug]), {"name": "Piratée"})
        assert detail.status_code == _expected(SEES_SCHOOLS, role, name), (role, name)
        assert edit.status_code == _expected(EDITS_SCHOOLS, role, name), (role, name)
        assert post.status_code in ({200} if name in EDITS_SCHOOLS.get(role, set()) else {404}), (role, name)
    listed = client.get(reverse("network:school_list")).content.decode()
    for name in SCHOOLS:
        assert (getattr(cast, name).name in listed) == (name in SEES_SCHOOLS[role]), (role, name)
    assert not type(cast.school_a).objects.filter(name="Piratée").exists()


@pytest.mark.parametrize("role", ROLES)
def test_organisation_pages(client, cast, role):
    client.force_login(getattr(cast, role))
    for name in ORGANISATIONS:
        organisation = getattr(cast, name)
        detail = client.get(reverse("network:organisation_detail", args=[organisation.pk]))
        edit = client.get(reverse("network:organisation_edit", args=[organisation.pk]))
        assert detail.status_code == _expected(SEES_ORGANISATIONS, role, name), (role, name)
        assert edit.status_code == _expected(EDITS_ORGANISATIONS, role, name), (role, name)
    listed = client.get(reverse("network:organisation_list")).content.decode()
    for name in ORGANISATIONS:
        assert (getattr(cast, name).name in listed) == (name in SEES_ORGANISATIONS[role]), (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_home_shows_only_visible_schools(client, cast, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    for name in SCHOOLS:
        assert (getattr(cast, name).name in response.content.decode()) == (name in SEES_SCHOOLS[role])


@pytest.mark.parametrize("role", ROLES)
def test_creation_pages(client, cast, role):
    client.force_login(getattr(cast, role))
    school_create = client.get(reverse("network:school_create"))
    organisation_create = client.get(reverse("network:organisation_create"))
    assert school_create.status_code == (200 if role in access.NETWORK_STAFF else 403)
    managers = access.NETWORK_STAFF | {"manager_a", "manager_b"}
    assert organisation_create.status_code == (200 if role in managers else 403)
    if role == "staff_other":  # their own network's schools only, to hold or partner with
        for response in (school_create, organisation_create):
            assert cast.school_a.name not in response.content.decode()
            assert cast.prescriber_org.name not in response.content.decode()


def test_a_manager_cannot_add_a_partner_to_another_school(client, cast):
    client.force_login(cast.manager_a)
    url = reverse("network:organisation_create") + f"?ecole={cast.school_b.slug}"
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_api(client, cast, role):
    _token, raw = api_token_create(user=getattr(cast, role))
    headers = {"Authorization": f"Bearer {raw}"}
    for name in SCHOOLS:
        response = client.get(f"/api/v1/schools/{getattr(cast, name).pk}", headers=headers)
        assert response.status_code == _expected(SEES_SCHOOLS, role, name), (role, name)
    for name in ORGANISATIONS:
        response = client.get(f"/api/v1/organisations/{getattr(cast, name).pk}", headers=headers)
        assert response.status_code == _expected(SEES_ORGANISATIONS, role, name), (role, name)
    schools = {item["id"] for item in client.get("/api/v1/schools", headers=headers).json()["items"]}
    assert schools == {getattr(cast, name).pk for name in SEES_SCHOOLS[role]}
    organisations = {
        item["id"] for item in client.get("/api/v1/organisations", headers=headers).json()["items"]
    }
    assert organisations == {getattr(cast, name).pk for name in SEES_ORGANISATIONS[role]}


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/ecoles/",
        "/ecoles/nouvelle/",
        "/organisations/",
        "/organisations/nouvelle/",
        "/communes/suggestions?commune=chel",
    ],
)
def test_anonymous_visitors_are_sent_to_login(client, cast, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


@pytest.mark.parametrize(
    "url", ["/api/v1/schools", "/api/v1/organisations", "/api/v1/communes?q=chel", "/api/v1/schools/1"]
)
def test_anonymous_api_calls_get_401(client, cast, url):
    response = client.get(url)
    assert response.status_code == 401
    assert "Authentification requise" in response.json()["detail"]


def test_a_deactivated_account_sees_nothing_and_a_superuser_everything(cast):
    from plombiers.accounts.models import User
    from plombiers.network.models import Organisation, School

    cast.staff.is_active = False
    cast.staff.save(update_fields=["is_active"])
    assert not School.objects.visible_to(cast.staff).exists()
    assert not Organisation.objects.editable_by(cast.staff).exists()
    root = User.objects.create_superuser(email="root@test.example", password="x" * 12)
    assert School.objects.visible_to(root).count() == School.objects.count() == 2
