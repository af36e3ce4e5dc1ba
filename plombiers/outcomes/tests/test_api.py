import datetime as dt

import pytest
import time_machine

from plombiers.accounts.services import api_token_create
from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.outcomes import services
from plombiers.outcomes.enums import ExitType
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.privacy.models import AuditEvent

from .conftest import ended

JSON = "application/json"


def headers_for(client, user):
    _token, raw = api_token_create(user=user)
    headers = {"Authorization": f"Bearer {raw}"}
    client.get("/api/v1/exits?limit=1", headers=headers)  # the token's last use stamped: out of counts
    return headers


def record(enrolment, by, **fields):
    fields.setdefault("exit_type", ExitType.CDI)
    return services.exit_record(enrolment, by=by, **fields)


def test_post_an_exit_then_read_it(client, cast, world):
    headers = headers_for(client, cast.social_worker_a)
    response = client.post(
        f"/api/v1/enrolments/{world.enrolment.pk}/exit",
        {"type": "cdd_moins_6_mois", "employer": cast.company_a.pk, "rome_code": "I1307", "weekly_hours": 35},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["type"] == "cdd_moins_6_mois" and body["category"] == "emploi_transition"
    assert body["learner"] == world.learner.pk and body["school"] == cast.school_a.pk
    assert body["employer"] == cast.company_a.pk and body["employer_name"] == "Fibre A"
    assert body["hired_by_internship_host"] is False
    assert [f["horizon"] for f in body["follow_ups"]] == [1, 3, 6, 12]
    exit_id = body["id"]
    assert client.get(f"/api/v1/exits/{exit_id}", headers=headers).json()["exit_date"] == "2026-12-18"
    listed = client.get("/api/v1/exits", headers=headers).json()
    assert listed["count"] == 1
    assert listed["items"][0]["type"] == "cdd_moins_6_mois"
    assert listed["items"][0]["category"] == "emploi_transition"


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "stage"},
        {},
        {"type": "cdi", "weekly_hours": "beaucoup"},
        {"type": "cdi", "exit_date": "18/12/2026"},
        {"type": "cdi", "employer": 0},
        {"type": "cdi", "comment": "\x00"},
    ],
)
def test_a_body_that_does_not_fit_is_a_422(client, cast, world, payload):
    headers = headers_for(client, cast.manager_a)
    response = client.post(
        f"/api/v1/enrolments/{world.enrolment.pk}/exit", payload, content_type=JSON, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Requête invalide."
    assert not Exit.objects.exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"type": "recherche_emploi", "employer": "A"}, "Un employeur ne s'indique que pour un emploi"),
        ({"type": "cdi", "rome_code": "Z1"}, "Un code ROME s'écrit d'une lettre et quatre chiffres"),
        ({"type": "cdi", "weekly_hours": 70}, "Indiquez entre 1 et 60 heures par semaine."),
        ({"type": "cdi", "employer": "B"}, "Cet employeur n'est pas une entreprise partenaire."),
    ],
)
def test_a_refusal_of_the_service_is_a_422_in_french(client, cast, world, payload, message):
    payload = {**payload}
    if "employer" in payload:
        payload["employer"] = {"A": cast.company_a.pk, "B": cast.company_b.pk}[payload["employer"]]
    headers = headers_for(client, cast.manager_a)
    response = client.post(
        f"/api/v1/enrolments/{world.enrolment.pk}/exit", payload, content_type=JSON, headers=headers
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert not Exit.objects.exists()


def test_an_active_enrolment_and_a_second_exit_are_422(client, cast, world):
    headers = headers_for(client, cast.manager_a)
    active = ended(cast.school_a, status=EnrolmentStatus.ACTIVE)
    response = client.post(
        f"/api/v1/enrolments/{active.pk}/exit", {"type": "cdi"}, content_type=JSON, headers=headers
    )
    assert response.status_code == 422 and "n'est pas terminé" in response.json()["detail"]
    record(world.enrolment, cast.manager_a)
    response = client.post(
        f"/api/v1/enrolments/{world.enrolment.pk}/exit", {"type": "cdi"}, content_type=JSON, headers=headers
    )
    assert response.status_code == 422 and "déjà renseignée" in response.json()["detail"]


def test_another_school_is_404_and_a_trainer_403(client, cast, world):
    exit_b = record(world.enrolment_b, cast.manager_b)
    headers = headers_for(client, cast.manager_a)
    assert client.get(f"/api/v1/exits/{exit_b.pk}", headers=headers).status_code == 404
    url = f"/api/v1/enrolments/{world.enrolment_b.pk}/exit"
    assert client.post(url, {"type": "cdi"}, content_type=JSON, headers=headers).status_code == 404
    follow_up = exit_b.follow_ups.get(horizon=1)
    response = client.put(
        f"/api/v1/follow-ups/{follow_up.pk}", {"type": "cdi"}, content_type=JSON, headers=headers
    )
    assert response.status_code == 404
    assert client.get("/api/v1/exits", headers=headers).json()["count"] == 0
    trainer = headers_for(client, cast.trainer_a)
    response = client.post(
        f"/api/v1/enrolments/{world.enrolment.pk}/exit", {"type": "cdi"}, content_type=JSON, headers=trainer
    )
    assert response.status_code == 403
    assert not Exit.objects.filter(enrolment=world.enrolment).exists()


def test_follow_ups_filtered_and_reported(client, cast, world, today):
    exit = record(world.enrolment, cast.social_worker_a)
    headers = headers_for(client, cast.social_worker_a)
    body = client.get(
        f"/api/v1/follow-ups?status=a_faire&due_before={today.isoformat()}", headers=headers
    ).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["horizon"], item["due_on"], item["type"], item["category"]) == (1, "2027-01-18", None, None)
    assert client.get("/api/v1/follow-ups?status=a_faire", headers=headers).json()["count"] == 4
    response = client.put(
        f"/api/v1/follow-ups/{item['id']}",
        {"type": "apprentissage", "employer_name": "Orange"},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["category"], response.json()["source"]) == (
        "renseigne",
        "sortie_positive",
        "accompagnement",
    )
    assert client.get("/api/v1/follow-ups?status=renseigne", headers=headers).json()["count"] == 1
    assert client.get("/api/v1/follow-ups?due_before=pas-une-date", headers=headers).status_code == 422
    six = exit.follow_ups.get(horizon=6)
    response = client.put(f"/api/v1/follow-ups/{six.pk}", {"type": "cdi"}, content_type=JSON, headers=headers)
    assert response.status_code == 422 and "à partir du" in response.json()["detail"]


def test_the_prescriber_and_the_learner_report_a_follow_up_once(client, cast, world):
    exit = record(world.enrolment, cast.social_worker_a)
    one, three = exit.follow_ups.get(horizon=1), exit.follow_ups.get(horizon=3)
    learner = headers_for(client, cast.learner_a)
    assert client.get("/api/v1/exits", headers=learner).json()["count"] == 1  # their own
    response = client.put(f"/api/v1/follow-ups/{one.pk}", {"type": "cdi"}, content_type=JSON, headers=learner)
    assert response.status_code == 200 and response.json()["source"] == "jeune"
    prescriber = headers_for(client, cast.prescriber)
    response = client.put(
        f"/api/v1/follow-ups/{one.pk}", {"type": "inactif"}, content_type=JSON, headers=prescriber
    )
    assert response.status_code == 422 and "une seule réponse" in response.json()["detail"]
    FollowUp.objects.filter(pk=three.pk).update(due_on=one.due_on)
    response = client.put(
        f"/api/v1/follow-ups/{three.pk}", {"type": "inactif"}, content_type=JSON, headers=prescriber
    )
    assert response.status_code == 200 and response.json()["source"] == "prescripteur"


def test_the_funder_sees_no_exit(client, cast, world):
    exit = record(world.enrolment, cast.social_worker_a)
    headers = headers_for(client, cast.funder)
    assert client.get("/api/v1/exits", headers=headers).json() == {"items": [], "count": 0}
    assert client.get(f"/api/v1/exits/{exit.pk}", headers=headers).status_code == 404
    assert client.get("/api/v1/follow-ups", headers=headers).json()["count"] == 0


@pytest.mark.parametrize("rows", [1, 6])
def test_the_lists_query_counts_are_pinned(client, cast, django_assert_num_queries, rows):
    for _ in range(rows):
        record(ended(cast.school_a), cast.social_worker_a)
    headers = headers_for(client, cast.manager_a)
    # the token with its user; count, page (the scope is a subquery: no membership read).
    with django_assert_num_queries(3):
        assert client.get("/api/v1/exits", headers=headers).json()["count"] == rows
    with django_assert_num_queries(3):
        assert client.get("/api/v1/follow-ups", headers=headers).json()["count"] == 4 * rows


def test_the_paths_of_the_issue_post_exits_and_followups(client, cast, world):
    """`POST /exits` (enrolment in the body) and `GET/POST /followups` do what their twins do."""
    headers = headers_for(client, cast.social_worker_a)
    response = client.post(
        "/api/v1/exits",
        {"enrolment": world.enrolment.pk, "type": "cdd_moins_6_mois"},
        content_type=JSON,
        headers=headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["type"], body["category"]) == ("cdd_moins_6_mois", "emploi_transition")
    listed = client.get(f"/api/v1/followups?exit={body['id']}", headers=headers).json()
    assert [item["horizon"] for item in listed["items"]] == [1, 3, 6, 12]
    with time_machine.travel(dt.datetime(2027, 1, 20, 10, tzinfo=dt.UTC), tick=False):
        response = client.post(
            "/api/v1/followups",
            {"exit": body["id"], "horizon": 1, "type": "cdi", "employer_name": "Fibre A"},
            content_type=JSON,
            headers=headers,
        )
    assert response.status_code == 200, response.content
    assert (response.json()["type"], response.json()["category"]) == ("cdi", "emploi_durable")
    again = client.post(
        "/api/v1/exits", {"enrolment": world.enrolment.pk, "type": "cdi"}, content_type=JSON, headers=headers
    )
    assert again.status_code == 422
    missing = {"exit": 10**9, "horizon": 1, "type": "cdi"}
    assert client.post("/api/v1/followups", missing, content_type=JSON, headers=headers).status_code == 404


def test_correct_an_exit(client, cast, world):
    exit = record(world.enrolment, cast.social_worker_a, exit_type=ExitType.JOB_SEEKING)
    headers = headers_for(client, cast.manager_a)
    url = f"/api/v1/exits/{exit.pk}"
    payload = {
        "reason": "Contrat signé la veille de la sortie",
        "type": "cdi",
        "employer": cast.company_a.pk,
        "weekly_hours": 35,
    }
    response = client.patch(url, payload, content_type=JSON, headers=headers)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["type"] == "cdi" and body["category"] == "emploi_durable"
    assert body["employer"] == cast.company_a.pk and body["weekly_hours"] == "35.0"
    exit.refresh_from_db()
    assert exit.exit_type == ExitType.CDI
    entry = AuditEvent.objects.filter(action="exit.update").get()
    assert entry.details["reason"] == "Contrat signé la veille de la sortie"
    assert entry.details["changes"]["exit_type"] == ["recherche_emploi", "cdi"]
    # Only what is sent changes; a new date moves the follow-ups still to do.
    response = client.patch(
        url, {"reason": "Date corrigée", "exit_date": "2027-01-08"}, content_type=JSON, headers=headers
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["exit_date"] == "2027-01-08" and body["type"] == "cdi"
    assert body["follow_ups"][0]["due_on"] == "2027-02-08"


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"type": "cdi"}, 422, None),  # no reason
        ({"reason": "", "type": "cdi"}, 422, None),
        ({"reason": "x", "type": "stage"}, 422, None),
        ({"reason": "x"}, 422, "Rien n'a changé"),
        ({"reason": "x", "type": "recherche_emploi"}, 422, "Rien n'a changé"),
        ({"reason": "x", "type": None}, 422, "ne peuvent pas être vides"),
        ({"reason": "x", "employer": 10**9}, 422, "pas une entreprise partenaire"),
        ({"reason": "x", "rome_code": "ZZZ"}, 422, None),
    ],
)
def test_a_bad_correction_changes_nothing(client, cast, world, payload, status, message):
    exit = record(world.enrolment, cast.social_worker_a, exit_type=ExitType.JOB_SEEKING)
    headers = headers_for(client, cast.manager_a)
    response = client.patch(f"/api/v1/exits/{exit.pk}", payload, content_type=JSON, headers=headers)
    assert response.status_code == status, response.json()
    if message:
        assert message in response.json()["detail"]
    exit.refresh_from_db()
    assert exit.exit_type == ExitType.JOB_SEEKING and exit.rome_code == ""
    assert not AuditEvent.objects.filter(action="exit.update").exists()


def test_correcting_another_schools_exit_is_404_and_a_trainers_403(client, cast, world):
    exit_b = record(world.enrolment_b, cast.manager_b)
    payload = {"reason": "x", "type": "cdd_moins_6_mois"}
    for user in (cast.manager_a, cast.funder, cast.prescriber, cast.outsider):
        response = client.patch(
            f"/api/v1/exits/{exit_b.pk}", payload, content_type=JSON, headers=headers_for(client, user)
        )
        assert response.status_code == 404, user
    response = client.patch(
        f"/api/v1/exits/{exit_b.pk}", payload, content_type=JSON, headers=headers_for(client, cast.trainer_b)
    )
    assert response.status_code == 403
    exit_b.refresh_from_db()
    assert exit_b.exit_type == ExitType.CDI
