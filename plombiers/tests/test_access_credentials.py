"""The access rule of DESIGN.md on every attestation page and endpoint.

Whoever may not see an attestation (another school, a funder, an outsider) gets 404, as for one
that does not exist. The young person and their prescriber read their own; the team reads its
school's; only the school manager (and network staff) issue and revoke (403 for the others who see
it). Refused requests write nothing. The verification side is public."""

import json
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from plombiers.accounts.services import api_token_create
from plombiers.credentials import services
from plombiers.credentials.models import Attestation
from plombiers.credentials.tests.factories import finished_enrolment
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.tests.factories import referred_by
from plombiers.tests import access

ROLES = access.ROLES
SEES = access.LEARNER_FILE
MANAGES = access.MANAGERS


@pytest.fixture
def objects(cast):
    a = finished_enrolment(cast.school_a, learner_user=cast.learner_a)
    b = finished_enrolment(cast.school_b)
    referred_by(cast.prescriber, a.learner, cast.school_a)
    # A second, finished but not yet attested enrolment in each school: what "issue" acts on.
    pending = {
        "a": finished_enrolment(cast.school_a, email=""),
        "b": finished_enrolment(cast.school_b, email=""),
    }
    return SimpleNamespace(
        attestation={
            "a": services.attestation_issue(a, by=cast.manager_a),
            "b": services.attestation_issue(b, by=cast.manager_b),
        },
        pending=pending,
    )


def _read(role, school):
    return 200 if school in SEES.get(role, set()) else 404


def _act(role, school, ok=200):
    if school in MANAGES.get(role, set()):
        return ok
    return 403 if school in SEES.get(role, set()) else 404


TEAM = {"trainer_a": {"a"}, "social_worker_a": {"a"}, "trainer_b": {"b"}}


def _issue(role, school, ok=200):
    """Issuing acts on an enrolment: its team sees it (403 but for the manager), the young person
    and prescriber of another learner do not (404)."""
    if school in MANAGES.get(role, set()):
        return ok
    return 403 if school in TEAM.get(role, set()) else 404


def _nothing_written():
    assert Attestation.objects.count() == 2
    assert not Attestation.objects.filter(revoked_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="attestation.revoke").exists()


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    listed = set(client.get(reverse("credentials:attestation_list")).context["page"].object_list)
    assert listed == {objects.attestation[s] for s in SEES.get(role, set())}, role
    for school in "ab":
        attestation = objects.attestation[school]
        pages = {
            reverse("credentials:attestation_detail", args=[attestation.public_id]): _read(role, school),
            reverse("credentials:attestation_pdf", args=[attestation.public_id]): _read(role, school),
            reverse("credentials:attestation_badge_png", args=[attestation.public_id]): _read(role, school),
            reverse("credentials:attestation_badge_svg", args=[attestation.public_id]): _read(role, school),
            reverse("credentials:attestation_issue", args=[objects.pending[school].pk]): _issue(role, school),
        }
        for url, status in pages.items():
            assert client.get(url).status_code == status, (role, url)
    # One download each of the PDF, the PNG badge and the SVG badge.
    assert AuditEvent.objects.filter(action="attestation.download").count() == 3 * len(SEES.get(role, set()))


@pytest.mark.parametrize("role", [r for r in ROLES if r != "staff"])
def test_writes_are_refused_and_write_nothing(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    for school in "ab":
        if school in MANAGES.get(role, set()):
            continue
        attestation = objects.attestation[school]
        revoke = reverse("credentials:attestation_revoke", args=[attestation.public_id])
        assert client.post(revoke, {"reason": "Piratage"}).status_code == _act(role, school), (role, school)
        issue = reverse("credentials:attestation_issue", args=[objects.pending[school].pk])
        assert client.post(issue).status_code == _issue(role, school), (role, school)
    _nothing_written()


def _headers(user):
    _token, raw = api_token_create(user=user)
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "outsider"])
def test_api(client, cast, objects, role):
    headers = _headers(getattr(cast, role))
    listed = client.get("/api/v1/attestations", headers=headers).json()
    assert {item["id"] for item in listed["items"]} == {
        str(objects.attestation[s].public_id) for s in SEES.get(role, set())
    }
    for school in "ab":
        attestation = objects.attestation[school]
        url = f"/api/v1/attestations/{attestation.public_id}"
        assert client.get(url, headers=headers).status_code == _read(role, school), role
        if school in MANAGES.get(role, set()):
            continue
        response = client.post(
            f"{url}/revoke", {"reason": "x"}, content_type="application/json", headers=headers
        )
        assert response.status_code == _act(role, school), (role, school)
        response = client.post(
            f"/api/v1/enrolments/{objects.pending[school].pk}/attestation", headers=headers
        )
        assert response.status_code == _issue(role, school), (role, school)
    _nothing_written()


def test_anonymous_visitors(client, cast, objects):
    attestation = objects.attestation["a"]
    for url in (
        reverse("credentials:attestation_list"),
        reverse("credentials:attestation_detail", args=[attestation.public_id]),
        reverse("credentials:attestation_pdf", args=[attestation.public_id]),
        reverse("credentials:attestation_badge_png", args=[attestation.public_id]),
        reverse("credentials:attestation_badge_svg", args=[attestation.public_id]),
    ):
        assert client.get(url).status_code == 302, url
    assert client.get("/api/v1/attestations").status_code == 401
    # The public side needs no account, and shows only initials.
    page = client.get(reverse("credentials:verify_page", args=[attestation.public_id]))
    assert page.status_code == 200
    learner = attestation.enrolment.learner
    assert not re.search(rf"\b{re.escape(learner.last_name)}\b", page.content.decode())  # whole words
    assert client.get(reverse("credentials:credential_json", args=[attestation.public_id])).status_code == 200
    verdict = client.post(
        "/api/v1/verify", json.loads(attestation.credential), content_type="application/json"
    )
    assert verdict.json()["status"] == "authentique"
