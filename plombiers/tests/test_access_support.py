"""The access rule of DESIGN.md on every support page and endpoint: a young person of another school
answers 404; a trainer never reads a confidential note; a prescriber reads no text at all; every
confidential entry read leaves exactly one audit event."""

import json
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from plombiers.accounts.services import api_token_create
from plombiers.support import services
from plombiers.support.enums import ConsentScope
from plombiers.support.tests.test_views import (
    CONFIDENTIAL,
    HEALTH_SECRET,
    HOUSING,
    OUTCOME,
    TEAM_NOTE,
    reads,
    support_make,
)
from plombiers.tests import access

ROLES = access.ROLES
SEES_LEARNER = access.SUPPORT_FILE
SUPPORT = access.SUPPORT_WRITERS
# Texts each role may read on the page and through the API; the others must not appear.
TEXT_OF = {
    "confidential": CONFIDENTIAL,
    "health": HEALTH_SECRET,
    "housing": HOUSING,
    "team_note": TEAM_NOTE,
    "outcome": OUTCOME,
}
READS = {role: {TEXT_OF[kind] for kind in kinds} for role, kinds in access.SUPPORT_READS.items()}
TEXTS = {CONFIDENTIAL, HEALTH_SECRET, HOUSING, TEAM_NOTE, OUTCOME}


@pytest.fixture
def support(cast, communes):
    made = support_make(cast, communes)
    made.learner.referrals.create(
        school=cast.school_a, prescriber=cast.prescriber, referred_on=timezone.localdate()
    )
    # The young person agreed to share their barriers with the prescriber (finding 2 of the audit
    # is in tests/security/test_identity_match.py).
    services.consent_record(
        learner=made.learner, scope=ConsentScope.SHARE_PRESCRIBER, given=True, by=cast.social_worker_a
    )
    return made


def _api(client, user):
    _token, raw = api_token_create(user=user)
    return lambda path: client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.parametrize("role", ROLES)
def test_support_page(client, cast, support, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("support:learner_support", args=[support.learner.pk]))
    if role not in SEES_LEARNER:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = unescape(response.content.decode())
    for text in TEXTS:
        assert (text in html) == (text in READS[role]), (role, text)
    assert reads().count() == (1 if role == "social_worker_a" else 0)
    # The other school's young person: 404 for everybody but the network staff.
    other = client.get(reverse("support:learner_support", args=[support.other.pk]))
    assert other.status_code == (200 if role == "staff" else 404)


@pytest.mark.parametrize("role", ROLES)
def test_support_api(client, cast, support, role):
    get = _api(client, getattr(cast, role))
    learner = support.learner.pk
    responses = {path: get(f"/learners/{learner}/{path}") for path in ("barriers", "actions", "notes")}
    if role not in SEES_LEARNER:
        assert {r.status_code for r in responses.values()} == {404}, role
        return
    assert responses["barriers"].status_code == 200
    if role == "prescriber":
        assert responses["actions"].status_code == responses["notes"].status_code == 403
        assert all(set(b) == {"category", "level", "lifted"} for b in responses["barriers"].json()["items"])
    else:
        assert responses["actions"].status_code == responses["notes"].status_code == 200
    body = " ".join(json.dumps(r.json(), ensure_ascii=False) for r in responses.values())
    for text in TEXTS:
        assert (text in body) == (text in READS[role]), (role, text)
    assert reads().count() == (1 if role == "social_worker_a" else 0)
    assert get(f"/learners/{support.other.pk}/notes").status_code == (200 if role == "staff" else 404)


@pytest.mark.parametrize("role", ROLES)
def test_caseload_and_audit_list(client, cast, support, role):
    client.force_login(getattr(cast, role))
    caseload = client.get(reverse("support:caseload"))
    assert caseload.status_code == (200 if role in {*SUPPORT, "manager_b"} else 404), role
    learner_url = reverse("support:learner_support", args=[support.learner.pk])
    assert (learner_url in caseload.content.decode()) == (role in SUPPORT), role
    audit = client.get(reverse("support:audit_list"))
    auditors = {*access.NETWORK_STAFF, "manager_a", "manager_b"}
    assert audit.status_code == (200 if role in auditors else 404), role
    if role == "staff_other":  # their own network's audit trail: nothing of school A's learner
        assert not list(audit.context["page"].object_list)


def test_every_confidential_read_is_one_audit_event(client, cast, support):
    from plombiers.support import services

    services.journal_add(
        learner=support.learner,
        by=cast.social_worker_a,
        kind="appel",
        text="Deuxième",
        visibility="confidentiel",
    )
    client.force_login(cast.social_worker_a)
    client.get(reverse("support:learner_support", args=[support.learner.pk]))
    assert reads().count() == 2
    _api(client, cast.social_worker_a)(f"/learners/{support.learner.pk}/notes")
    assert reads().count() == 4
    assert sorted(reads().values_list("object_id", flat=True)) == sorted(
        [str(e.pk) for e in support.learner.journal.filter(visibility="confidentiel")] * 2
    )
