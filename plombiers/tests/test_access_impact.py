"""The access rule of DESIGN.md on every impact page and endpoint.

Dashboards: network staff see the network and every school; a school's team sees its own school and
cohorts (another school: 404); a funder sees the schools it funds, in aggregate only; prescribers,
learners and outsiders get 404 everywhere. A funder never reaches a learner's name: no link to the
learners' lists on its pages, and those lists are 404 for it whatever the parameters.
"""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from plombiers.accounts.services import api_token_create
from plombiers.impact.tests import world as world_module
from plombiers.referrals.models import Learner
from plombiers.tests import access

pytestmark = pytest.mark.django_db

ROLES = access.ROLES
# Which dashboards each role opens (200); every other one is 404.
SEES = access.IMPACT_DASHBOARDS
LISTS = set(access.SCHOOL_TEAM)


def _sees(role: str, name: str) -> bool:
    """`network` is the user's own network (no id in the address): the network staff of another
    network open theirs, where none of the cast's schools is; `cast_network`, the cast's by its id."""
    if name == "network" and role in access.NETWORK_STAFF:
        return True
    return (name.removeprefix("cast_") if name == "cast_network" else name) in SEES.get(role, set())


@pytest.fixture
def world(cast):
    return world_module.build(cast)


def _urls(cast, world):
    return {
        "network": reverse("impact:network"),
        "cast_network": reverse("impact:network_detail", args=[cast.network.pk]),
        "school_a": reverse("impact:school", args=[cast.school_a.slug]),
        "school_b": reverse("impact:school", args=[cast.school_b.slug]),
        "cohort_a": reverse("impact:cohort", args=[world.a1.pk]),
        "cohort_b": reverse("impact:cohort", args=[world.b1.pk]),
        "funder": reverse("impact:funder", args=[cast.funder_org.pk]),
    }


@pytest.mark.parametrize("role", ROLES)
def test_dashboards(client, cast, world, role):
    client.force_login(getattr(cast, role))
    for name, url in _urls(cast, world).items():
        expected = 200 if _sees(role, name) else 404
        response = client.get(url)
        assert response.status_code == expected, (role, name)
        assert client.get(url, {"format": "csv"}).status_code == expected, (role, name, "csv")
        if role == "staff_other" and expected == 200:
            for school in (cast.school_a, cast.school_b):
                assert school.name not in response.content.decode(), (name, school)
    home = client.get(reverse("impact:home")).status_code
    assert home == (200 if role in SEES or role in access.NETWORK_STAFF else 404)


@pytest.mark.parametrize("role", ROLES)
def test_learner_lists(client, cast, world, role):
    client.force_login(getattr(cast, role))
    url = reverse("impact:learners")
    cases = {
        "network": {"scope": "network"},
        "cast_network": {"scope": "network", "id": cast.network.pk},
        "school_a": {"scope": "school", "id": cast.school_a.slug},
        "school_b": {"scope": "school", "id": cast.school_b.slug},
        "cohort_a": {"scope": "cohort", "id": world.a1.pk},
        "funder": {"scope": "funder", "id": cast.funder_org.pk},
    }
    for name, params in cases.items():
        response = client.get(url, {**params, "measure": "started"})
        allowed = (role in LISTS or role in access.NETWORK_STAFF) and _sees(role, name)
        assert response.status_code == (200 if allowed else 404), (role, name)
        if role == "staff_other" and allowed:
            assert not list(response.context["page"].object_list), name


def _mentions(text: str, name: str) -> bool:
    """The name as a whole word: « Martin » is not in « Martinique »."""
    return re.search(rf"\b{re.escape(name)}\b", text) is not None


def test_the_funder_never_reaches_a_learner_name(client, cast, world):
    client.force_login(cast.funder)
    names = list(Learner.objects.values_list("last_name", flat=True))
    pages = [
        reverse("impact:home"),
        reverse("impact:funder", args=[cast.funder_org.pk]),
        reverse("impact:school", args=[cast.school_a.slug]),
        reverse("impact:school", args=[cast.school_a.slug]) + "?group_by=prescriber",
        reverse("impact:funder", args=[cast.funder_org.pk]) + "?group_by=cohort",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "/impact/apprenants/" not in html, url
        assert "/jeunes/" not in html, url
        for name in names:
            assert not _mentions(html, name), (url, name)
    for fmt in ("csv", "xlsx"):
        body = client.get(pages[0], {"format": fmt, "table": "groupes"}).content
        if fmt == "xlsx":
            sheets = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets
            text = "\n".join(
                str(cell) for sheet in sheets for row in sheet.iter_rows(values_only=True) for cell in row
            )
        else:
            text = body.decode("utf-8-sig")
        assert text.strip()
        for name in names:
            assert not _mentions(text, name), (fmt, name)
    pdf = client.get(reverse("impact:report", args=[cast.school_a.slug, 2025]))
    assert pdf.status_code == 200
    # The API: the same aggregates, and no list.
    _token, raw = api_token_create(user=cast.funder)
    headers = {"Authorization": f"Bearer {raw}"}
    for group in ("school", "cohort", "prescriber", "year"):
        body = client.get(f"/api/v1/impact?scope=funder&group_by={group}", headers=headers).content.decode()
        for name in names:
            assert not _mentions(body, name), (group, name)
    assert (
        client.get(f"/api/v1/impact?scope=school&id={cast.school_b.slug}", headers=headers).status_code == 404
    )
    assert client.get("/api/v1/impact?scope=network", headers=headers).status_code == 404


def test_public_pages(client, cast, world):
    assert client.get(reverse("impact:method")).status_code == 200
    assert client.get(reverse("impact:opendata")).status_code == 200
    assert client.get("/api/v1/impact/opendata").status_code == 200
    assert client.get(reverse("impact:home")).status_code == 302  # to the login page
    assert (
        client.get(reverse("impact:learners"), {"scope": "network", "measure": "started"}).status_code == 302
    )
