import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from plombiers.accounts.services import api_token_create
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.referrals.tests.factories import LearnerFactory, referred_by
from plombiers.skills import services
from plombiers.skills.enums import Level
from plombiers.skills.models import Observation
from plombiers.skills.tests.images import JPEG


def headers_for(client, user):
    _token, raw = api_token_create(user=user)
    headers = {"Authorization": f"Bearer {raw}"}
    # The first call stamps the token's last use (then at most once a minute): keep it out of counts.
    client.get("/api/v1/frameworks?limit=1", headers=headers)
    return headers


def test_frameworks_list_and_detail_with_blocks_and_skills(client, cast, frameworks):
    headers = headers_for(client, cast.trainer_a)
    body = client.get("/api/v1/frameworks", headers=headers).json()
    assert body["count"] == 3
    assert {f["trade"] for f in body["items"]} == {"fibre-optique", "technicien-data-center", "irve"}
    fibre = frameworks["fibre-optique"]
    detail = client.get(f"/api/v1/frameworks/{fibre.pk}", headers=headers).json()
    skills = [s for block in detail["blocks"] for s in block["skills"]]
    assert len(skills) == fibre.skills.count()
    first = next(s for s in skills if s["code"] == "FO-SEC-01")
    assert first["safety_critical"] is True and first["criteria"] and first["rome_codes"] == ["F1605"]
    funder = headers_for(client, cast.funder)
    assert client.get("/api/v1/frameworks", headers=funder).json()["count"] == 0
    assert client.get(f"/api/v1/frameworks/{fibre.pk}", headers=funder).status_code == 404


def test_trainer_records_an_observation_by_skill_code(client, cast, training):
    cohort, (first, *_) = training
    headers = headers_for(client, cast.trainer_a)
    response = client.post(
        "/api/v1/observations",
        {"enrolment": first.pk, "skill": "FO-RAC-02", "level": "acquis", "comment": "Bonne soudure"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["skill_code"] == "FO-RAC-02" and body["level"] == "acquis"
    assert body["observed_on"] == timezone.localdate().isoformat() and body["evidence"] == []
    skill = cohort.framework.skills.get(code="FO-SEC-01")
    response = client.post(
        "/api/v1/observations",
        {"enrolment": first.pk, "skill": skill.pk, "level": "en_cours", "is_positioning": True},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201 and response.json()["is_positioning"] is True


@pytest.mark.parametrize(
    ("payload", "status", "detail"),
    [
        ({"skill": "DC-INCONNU-99", "level": "acquis"}, 422, "pas dans le référentiel"),
        ({"skill": "FO-RAC-02", "level": "acquis", "observed_on": "2099-01-01"}, 422, "futur"),
        ({"skill": "FO-RAC-02", "level": "acquis", "observed_on": "2001-01-01"}, 422, "précède l'entrée"),
    ],
)
def test_observation_errors_are_french_json(client, cast, training, payload, status, detail):
    _cohort, (first, *_) = training
    headers = headers_for(client, cast.trainer_a)
    response = client.post(
        "/api/v1/observations",
        {"enrolment": first.pk, **payload},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == status
    assert detail in response.json()["detail"]
    assert not Observation.objects.exists()


def test_observation_list_filters_and_hides_everything_from_the_prescriber(client, cast, training):
    cohort, (first, second, _) = training
    referred_by(cast.prescriber, first.learner, cast.school_a)
    skill = cohort.framework.skills.first()
    services.observation_record(enrolment=first, skill=skill, level=Level.ACQUIRED, by=cast.trainer_a)
    services.observation_record(enrolment=second, skill=skill, level=Level.IN_PROGRESS, by=cast.trainer_a)
    headers = headers_for(client, cast.trainer_a)
    body = client.get(f"/api/v1/observations?enrolment={first.pk}", headers=headers).json()
    assert body["count"] == 1 and body["items"][0]["level"] == "acquis"
    assert client.get(f"/api/v1/observations?cohort={cohort.pk}", headers=headers).json()["count"] == 2
    for user in (cast.prescriber, cast.trainer_b, cast.funder):
        assert client.get("/api/v1/observations", headers=headers_for(client, user)).json()["count"] == 0


@pytest.mark.parametrize("rows", [2, 120])
def test_observation_list_query_count_is_constant(
    client, cast, training, django_assert_num_queries, settings, rows
):
    cohort, enrolments = training
    skills = list(cohort.framework.skills.all())
    for i in range(rows):
        files = [SimpleUploadedFile("photo.jpg", JPEG)] if i % 10 == 0 else []
        services.observation_record(
            enrolment=enrolments[i % 3],
            skill=skills[i % len(skills)],
            level=Level.IN_PROGRESS,
            by=cast.trainer_a,
            observed_on=timezone.localdate() - dt.timedelta(days=i % 30),
            files=files,
        )
    headers = headers_for(client, cast.trainer_a)
    # token lookup, count, page of observations with their skills, their evidence
    with django_assert_num_queries(4):
        response = client.get("/api/v1/observations?limit=500", headers=headers)
    assert response.json()["count"] == rows


def test_progress_per_block_and_skill_and_summary_for_the_prescriber(client, cast, training):
    cohort, (first, *_) = training
    referred_by(cast.prescriber, first.learner, cast.school_a)
    skill = cohort.framework.skills.get(code="FO-SEC-01")
    services.observation_record(
        enrolment=first, skill=skill, level=Level.IN_PROGRESS, by=cast.trainer_a, is_positioning=True
    )
    services.observation_record(enrolment=first, skill=skill, level=Level.MASTERED, by=cast.trainer_a)
    body = client.get(
        f"/api/v1/enrolments/{first.pk}/progress", headers=headers_for(client, cast.trainer_a)
    ).json()
    assert body["acquired"] == 1 and body["total"] == cohort.framework.skills.count()
    block = next(b for b in body["blocks"] if b["code"] == "SEC")
    assert (
        block["acquired"] == 1 and block["total"] == cohort.framework.skills.filter(block__code="SEC").count()
    )
    row = next(s for s in body["skills"] if s["code"] == "FO-SEC-01")
    assert (row["level"], row["positioning_level"]) == ("maitrise", "en_cours")
    summary = client.get(
        f"/api/v1/enrolments/{first.pk}/progress", headers=headers_for(client, cast.prescriber)
    ).json()
    assert summary["summary_only"] is True and summary["skills"] == [] and summary["acquired"] == 1
    other = EnrolmentFactory(cohort=CohortFactory(school=cast.school_b), learner=LearnerFactory())
    response = client.get(
        f"/api/v1/enrolments/{other.pk}/progress", headers=headers_for(client, cast.trainer_a)
    )
    assert response.status_code == 404
