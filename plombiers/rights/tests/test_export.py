import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from plombiers.accounts.enums import Role
from plombiers.accounts.services import api_token_create
from plombiers.accounts.tests.factories import MembershipFactory, UserFactory
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.models import Learner
from plombiers.rights.export import CONFIDENTIAL_WITHHELD, NOT_EXPORTED, SECTIONS
from plombiers.support.tests.test_views import CONFIDENTIAL, HEALTH_SECRET, TEAM_NOTE

LEARNER_DEPTH = 3  # Evidence → Observation → Enrolment → Learner
USER_DEPTH = 1  # a row that names an account; one step further, every model reaches a staff account


def _forward(model):
    return [
        f.related_model for f in model._meta.get_fields() if f.is_relation and f.concrete and f.related_model
    ]


def _reaches(model, target, depth) -> bool:
    if depth == 0:
        return False
    return any(m is target or _reaches(m, target, depth - 1) for m in _forward(model))


def models_about_a_person() -> set[str]:
    """Every model with a path of foreign keys (FK, one-to-one, many-to-many) to a learner, or that
    names an account (the young person's own among others)."""
    user = get_user_model()
    return {
        m._meta.label
        for m in apps.get_models()
        if m is Learner or m is user or _reaches(m, Learner, LEARNER_DEPTH) or _reaches(m, user, USER_DEPTH)
    }


def test_every_model_about_a_person_is_exported_or_excluded_with_a_reason():
    exported = {s.model for s in SECTIONS}
    missing = models_about_a_person() - exported - set(NOT_EXPORTED)
    assert not missing, f"À ajouter à SECTIONS (ou à NOT_EXPORTED, avec la raison) : {sorted(missing)}"
    assert not exported & set(NOT_EXPORTED)
    assert set(NOT_EXPORTED) <= models_about_a_person(), "an exclusion that no longer applies"
    assert all(reason.strip() for reason in NOT_EXPORTED.values())


def _open(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return archive, json.loads(archive.read("donnees.json"))


def test_the_young_person_downloads_everything_but_the_confidential_text(client, cast, person):
    client.force_login(cast.learner_a)
    page = client.get(reverse("rights:my_data"))
    assert page.status_code == 200 and reverse("rights:my_export") in page.content.decode()
    archive, data = _open(client.get(reverse("rights:my_export")))
    sections = data["sections"]
    assert set(sections) == {s.key for s in SECTIONS}
    assert sections["identite"]["enregistrements"][0]["first_name"] == "Inès"
    texts = {e["text"] for e in sections["journal"]["enregistrements"]}
    assert (
        texts == {TEAM_NOTE, CONFIDENTIAL_WITHHELD}
        and CONFIDENTIAL not in archive.read("donnees.json").decode()
    )
    assert {b["summary"] for b in sections["freins"]["enregistrements"]} >= {HEALTH_SECRET}
    assert len(sections["consentements"]["enregistrements"]) == 1
    assert len(sections["preuves"]["enregistrements"]) == 1
    assert len(sections["compte"]["enregistrements"]) == 1
    assert "password" not in sections["compte"]["enregistrements"][0]
    assert any(name.startswith("fichiers/preuves/") and name.endswith(".jpg") for name in archive.namelist())
    assert archive.read("resume.pdf").startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="privacy.export", actor=cast.learner_a).count() == 1


def test_the_social_worker_exports_the_confidential_notes_and_the_read_is_audited(client, cast, person):
    client.force_login(cast.social_worker_a)
    detail = client.get(reverse("referrals:learner_detail", args=[person.learner.pk])).content.decode()
    assert reverse("rights:learner_data", args=[person.learner.pk]) in detail
    assert client.get(reverse("rights:learner_data", args=[person.learner.pk])).status_code == 200
    _archive, data = _open(client.get(reverse("rights:learner_export", args=[person.learner.pk])))
    assert {e["text"] for e in data["sections"]["journal"]["enregistrements"]} == {TEAM_NOTE, CONFIDENTIAL}
    assert (
        AuditEvent.objects.filter(
            action="support.journal.read_confidential", actor=cast.social_worker_a
        ).count()
        == 1
    )
    event = AuditEvent.objects.get(action="privacy.export")
    assert event.details["counts"]["journal"] == 2 and "Inès" not in json.dumps(event.details)
    client.force_login(cast.learner_a)
    _archive, mine = _open(client.get(reverse("rights:my_export")))
    reads = [
        r
        for r in mine["sections"]["journal_audit"]["enregistrements"]
        if r["action"] == "support.journal.read_confidential"
    ]
    worker = cast.social_worker_a
    assert [r["actor_name"] for r in reads] == [f"{worker.first_name} {worker.last_name}"]


def _api(client, user, path):
    _token, raw = api_token_create(user=user)
    return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager_a", 200),
        ("social_worker_a", 200),
        ("staff", 200),
        ("trainer_a", 403),
        ("prescriber", 403),
        ("manager_b", 404),
        ("trainer_b", 404),
        ("funder", 404),
        ("outsider", 404),
    ],
)
def test_api_export_by_role(client, cast, person, role, status):
    response = _api(client, getattr(cast, role), f"/learners/{person.learner.pk}/export")
    assert response.status_code == status
    if status == 200:
        _open(response)
        assert AuditEvent.objects.filter(action="privacy.export", actor=getattr(cast, role)).exists()
    else:
        assert response.json()["detail"]
        assert not AuditEvent.objects.filter(action="privacy.export").exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager_a", 200),
        ("social_worker_a", 200),
        ("trainer_a", 403),
        ("prescriber", 403),
        ("manager_b", 404),
        ("outsider", 404),
    ],
)
def test_staff_pages_by_role(client, cast, person, role, status):
    client.force_login(getattr(cast, role))
    for name in ("rights:learner_data", "rights:learner_export"):
        assert client.get(reverse(name, args=[person.learner.pk])).status_code == status


@pytest.mark.parametrize("role", ["staff", "manager_a", "trainer_a", "prescriber", "outsider"])
def test_my_data_is_only_for_a_young_person_with_a_record(client, cast, person, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("rights:my_data")).status_code == 404
    assert client.get(reverse("rights:my_export")).status_code == 404


def test_a_young_person_gets_only_their_own_data(client, cast, person):
    other = person.other  # a young person of school B, with an account of their own
    other.user = UserFactory(email="jeune.b@test.example")
    other.save(update_fields=["user"])
    MembershipFactory(user=other.user, role=Role.LEARNER, school=cast.school_b)
    client.force_login(other.user)
    archive, data = _open(client.get(reverse("rights:my_export")))
    assert [r["id"] for r in data["sections"]["identite"]["enregistrements"]] == [other.pk]
    content = archive.read("donnees.json").decode()
    assert "Benali" not in content and TEAM_NOTE not in content and HEALTH_SECRET not in content
    assert (
        not data["sections"]["preuves"]["enregistrements"]
        and not data["sections"]["journal_audit"]["enregistrements"]
    )
