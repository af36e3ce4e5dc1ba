"""The access rule of DESIGN.md on every page and endpoint of the skills.

Whoever may not see a cohort's matrix, an enrolment's progress or an evidence file gets 404 — the same
as for an object that does not exist. Whoever sees it but may not record (a social worker) gets 403.
The prescriber reads a learner's progress in summary only, and never an evidence file.
"""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from plombiers.accounts.services import api_token_create
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.frameworks.loader import frameworks_load
from plombiers.frameworks.models import Framework
from plombiers.referrals.tests.factories import LearnerFactory, referred_by
from plombiers.skills import services
from plombiers.skills.enums import Level
from plombiers.skills.models import Evidence, Observation
from plombiers.skills.tests.images import JPEG
from plombiers.tests import access

ROLES = access.ROLES
SCHOOL_SIDE = access.SKILLS_TEAM_A
OBSERVERS = access.SKILLS_OBSERVERS
DETAILS = SCHOOL_SIDE | {"learner_a"}
PROGRESS = DETAILS | {"prescriber"}
# Frameworks are the trades' (shared by every network, as the trades): the school side of any network.
FRAMEWORKS = SCHOOL_SIDE | {"manager_b", "trainer_b", "staff_other"}


@pytest.fixture
def objects(cast):
    frameworks_load()
    fibre = Framework.objects.get(trade__slug="fibre-optique")
    cohort = CohortFactory(school=cast.school_a, framework=fibre, status="en_cours")
    learner = LearnerFactory(user=cast.learner_a)
    enrolment = EnrolmentFactory(cohort=cohort, learner=learner)
    referred_by(cast.prescriber, learner, cast.school_a)
    skill = fibre.skills.get(code="FO-SEC-01")
    services.observation_record(
        enrolment=enrolment,
        skill=skill,
        level=Level.ACQUIRED,
        by=cast.trainer_a,
        comment="Commentaire interne",
        files=[SimpleUploadedFile("epi.jpg", JPEG)],
    )
    return SimpleNamespace(
        cohort=cohort, enrolment=enrolment, skill=skill, framework=fibre, evidence=Evidence.objects.get()
    )


def _expected(role, allowed, forbidden=frozenset()):
    if role in allowed:
        return 200
    return 403 if role in forbidden else 404


def _observation_data(objects):
    return {
        "enrolment": objects.enrolment.pk,
        "skill": objects.skill.pk,
        "level": "maitrise",
        "observed_on": timezone.localdate().isoformat(),
        "context": "plateau",
    }


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    cohort = objects.cohort
    observe = reverse("skills:observation_create", args=[cohort.pk])
    group = reverse("skills:observation_group", args=[cohort.pk])
    cases = [
        (reverse("skills:cohort_matrix", args=[cohort.pk]), _expected(role, SCHOOL_SIDE)),
        (
            f"{observe}?enrolment={objects.enrolment.pk}&skill={objects.skill.pk}",
            _expected(role, OBSERVERS, SCHOOL_SIDE),
        ),
        (group, _expected(role, OBSERVERS, SCHOOL_SIDE)),
        (reverse("skills:enrolment_progress", args=[objects.enrolment.pk]), _expected(role, PROGRESS)),
        (reverse("skills:framework_list"), _expected(role, FRAMEWORKS)),
        (objects.framework.get_absolute_url(), _expected(role, FRAMEWORKS)),
    ]
    for url, status in cases:
        assert client.get(url).status_code == status, url
    response = client.get(objects.evidence.get_absolute_url())
    assert response.status_code == _expected(role, DETAILS)
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == JPEG
    progress = client.get(reverse("skills:enrolment_progress", args=[objects.enrolment.pk]))
    assert (b"Commentaire interne" in progress.content) == (role in DETAILS)


@pytest.mark.parametrize("role", ROLES)
def test_refused_writes_write_nothing(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    cohort = objects.cohort
    data = _observation_data(objects)
    response = client.post(reverse("skills:observation_create", args=[cohort.pk]), data)
    expected = _expected(role, OBSERVERS, SCHOOL_SIDE)
    assert response.status_code == (302 if expected == 200 else expected)
    group = {**data, "skill": objects.skill.pk, "enrolments": [objects.enrolment.pk]}
    response = client.post(reverse("skills:observation_group", args=[cohort.pk]), group)
    assert response.status_code == (302 if expected == 200 else expected)
    assert Observation.objects.filter(level="maitrise").count() == (2 if role in OBSERVERS else 0)


@pytest.mark.parametrize("role", ROLES)
def test_api(client, cast, objects, role):
    _token, raw = api_token_create(user=getattr(cast, role))
    headers = {"Authorization": f"Bearer {raw}"}
    enrolment = objects.enrolment
    response = client.post(
        "/api/v1/observations",
        {"enrolment": enrolment.pk, "skill": "FO-SEC-02", "level": "en_cours"},
        content_type="application/json",
        headers=headers,
    )
    visible = role in PROGRESS | {"staff"}
    assert response.status_code == (201 if role in OBSERVERS else 403 if visible else 404)
    assert Observation.objects.filter(skill__code="FO-SEC-02").count() == (1 if role in OBSERVERS else 0)
    progress = client.get(f"/api/v1/enrolments/{enrolment.pk}/progress", headers=headers)
    assert progress.status_code == _expected(role, PROGRESS)
    if progress.status_code == 200:
        assert progress.json()["summary_only"] == (role not in DETAILS)
    listed = client.get(f"/api/v1/observations?enrolment={enrolment.pk}", headers=headers).json()
    assert (listed["count"] > 0) == (role in DETAILS)
    assert client.get("/api/v1/frameworks", headers=headers).json()["count"] == (
        Framework.objects.count() if role in FRAMEWORKS else 0
    )
