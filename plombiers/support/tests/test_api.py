import datetime as dt

import pytest
from django.utils import timezone

from plombiers.accounts.services import api_token_create
from plombiers.support import services
from plombiers.support.enums import ConsentScope
from plombiers.support.models import Action, Barrier, JournalEntry
from plombiers.support.tests.test_views import (
    CONFIDENTIAL,
    HEALTH_SECRET,
    HOUSING,
    OUTCOME,
    TEAM_NOTE,
    partner,
    reads,
    support_make,
)


@pytest.fixture
def support(cast, communes):
    return support_make(cast, communes)


def api(client, user):
    _token, raw = api_token_create(user=user)

    def call(method, path, **kwargs):
        return getattr(client, method)(
            f"/api/v1{path}",
            headers={"Authorization": f"Bearer {raw}"},
            content_type="application/json",
            **kwargs,
        )

    return call


def test_social_worker_reads_barriers_actions_and_notes(client, cast, support):
    call = api(client, cast.social_worker_a)
    learner = support.learner.pk
    barriers = call("get", f"/learners/{learner}/barriers").json()
    assert barriers["count"] == 2
    assert {b["summary"] for b in barriers["items"]} == {HEALTH_SECRET, HOUSING}
    actions = call("get", f"/learners/{learner}/actions").json()
    assert actions["items"][0]["outcome"] == OUTCOME
    assert actions["items"][0]["partner"]["name"] == "FJT de Chelles"
    notes = call("get", f"/learners/{learner}/notes").json()
    assert {n["text"] for n in notes["items"]} == {TEAM_NOTE, CONFIDENTIAL}
    assert notes["count"] == 2
    assert reads().count() == 1
    # A page without the confidential entry audits nothing more.
    newest_first = call("get", f"/learners/{learner}/notes?limit=1&offset=1").json()
    assert [n["text"] for n in newest_first["items"]] == [TEAM_NOTE]
    assert reads().count() == 1


def test_trainer_gets_team_notes_and_no_health_summary(client, cast, support):
    call = api(client, cast.trainer_a)
    learner = support.learner.pk
    summaries = {
        b["category"]["code"]: b["summary"]
        for b in call("get", f"/learners/{learner}/barriers").json()["items"]
    }
    assert summaries == {"sante": None, "logement": HOUSING}
    notes = call("get", f"/learners/{learner}/notes").json()
    assert [n["text"] for n in notes["items"]] == [TEAM_NOTE]
    assert notes["count"] == 1
    assert reads().count() == 0
    response = call("post", f"/learners/{learner}/notes", data={"kind": "appel", "text": "x"})
    assert response.status_code == 403
    assert "détail" not in response.json() and response.json()["detail"]


def test_prescriber_gets_categories_and_lifted_only(client, cast, support):
    support.learner.referrals.create(
        school=cast.school_a, prescriber=cast.prescriber, referred_on=timezone.localdate()
    )
    services.consent_record(
        learner=support.learner, scope=ConsentScope.SHARE_PRESCRIBER, given=True, by=cast.social_worker_a
    )
    call = api(client, cast.prescriber)
    learner = support.learner.pk
    response = call("get", f"/learners/{learner}/barriers")
    assert response.status_code == 200
    for item in response.json()["items"]:
        assert set(item) == {"category", "level", "lifted"}
    assert HEALTH_SECRET not in response.content.decode()
    for path in ("actions", "notes"):
        response = call("get", f"/learners/{learner}/{path}")
        assert response.status_code == 403
        assert "prescripteur" in response.json()["detail"]
    assert reads().count() == 0


@pytest.mark.parametrize("role", ["manager_b", "trainer_b", "funder", "outsider"])
@pytest.mark.parametrize("path", ["barriers", "actions", "notes"])
def test_another_school_gets_404(client, cast, support, role, path):
    call = api(client, getattr(cast, role))
    assert call("get", f"/learners/{support.learner.pk}/{path}").status_code == 404
    assert call("post", f"/learners/{support.learner.pk}/{path}", data={}).status_code in {404, 422}
    assert (
        call("post", f"/learners/{support.learner.pk}/notes", data={"kind": "appel", "text": "x"}).status_code
        == 404
    )


def test_writes(client, cast, support):
    call = api(client, cast.social_worker_a)
    learner = support.learner.pk
    response = call(
        "post",
        f"/learners/{learner}/barriers",
        data={"category": "mobilite", "level": "bloquant", "summary": "Pas de permis"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["summary"] == "Pas de permis"
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = call(
        "post",
        f"/learners/{learner}/actions",
        data={
            "barrier": support.housing.pk,
            "description": "Visite",
            "due_on": due,
            "partner": support.fjt.pk,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["partner"]["id"] == support.fjt.pk
    response = call(
        "post",
        f"/learners/{learner}/notes",
        data={"kind": "entretien", "text": "Secret", "visibility": "confidentiel"},
    )
    assert response.status_code == 201, response.content
    assert JournalEntry.objects.filter(learner=support.learner).count() == 3


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("barriers", {"category": "astrologie", "level": "bloquant"}, "Catégorie de frein inconnue"),
        (
            "actions",
            {"description": "Trop tôt", "due_on": "2020-01-01"},
            "ne peut pas précéder le début du parcours",
        ),
        ("notes", {"kind": "appel", "text": "  "}, "L'entrée est vide"),
    ],
)
def test_bad_input_is_a_french_422_and_writes_nothing(client, cast, support, path, data, message):
    if path == "actions":
        data = {**data, "barrier": support.housing.pk}
    call = api(client, cast.social_worker_a)
    counts = (Barrier.objects.count(), Action.objects.count(), JournalEntry.objects.count())
    response = call("post", f"/learners/{support.learner.pk}/{path}", data=data)
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert (Barrier.objects.count(), Action.objects.count(), JournalEntry.objects.count()) == counts


def test_manager_may_not_write_a_confidential_note(client, cast, support):
    call = api(client, cast.manager_a)
    response = call(
        "post",
        f"/learners/{support.learner.pk}/notes",
        data={"kind": "appel", "text": "x", "visibility": "confidentiel"},
    )
    assert response.status_code == 403
    assert JournalEntry.objects.count() == 2


def test_services_by_category_and_distance(client, cast, support, communes):
    partner(cast, communes, "Auto-école sociale Chelles", "77108", "mobilite")
    call = api(client, cast.social_worker_a)
    items = call("get", "/services?category=logement&near=77108").json()["items"]
    assert [(s["name"], s["distance_km"]) for s in items] == [
        ("FJT de Chelles", 0.0),
        ("Accueil logement Paris", 18.8),
    ]
    assert call("get", "/services?category=astrologie").json() == {"detail": "Catégorie de frein inconnue."}
    assert call("get", "/services?near=99999").status_code == 422
    assert api(client, cast.funder)("get", "/services").status_code == 403


@pytest.mark.parametrize("n", [2, 20])
def test_notes_query_count_is_constant(client, cast, support, django_assert_num_queries, n):
    from plombiers.support import services

    for i in range(n):
        services.journal_add(
            learner=support.learner,
            by=cast.social_worker_a,
            kind="appel",
            text=f"note {i}",
            visibility="confidentiel",
        )
    call = api(client, cast.social_worker_a)
    # token (user), memberships, learner (commune, school), count, entries, the audit chain's head
    # (locked), audit events, the head moved
    with django_assert_num_queries(9):
        response = call("get", f"/learners/{support.learner.pk}/notes")
    assert len(response.json()["items"]) == n + 2
    assert reads().count() == n + 1
