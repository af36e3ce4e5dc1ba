import datetime as dt

import pytest

from plombiers.accounts.services import api_token_create
from plombiers.referrals import services
from plombiers.referrals.enums import DecisionReason, Diploma, ReferralStatus
from plombiers.referrals.models import Learner, Referral, ReferralEvent
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory
from plombiers.referrals.tests.test_views import _counting_decryptions


def headers_for(client, user):
    _token, raw = api_token_create(user=user)
    headers = {"Authorization": f"Bearer {raw}"}
    # The first call stamps the token's last use (then at most once a minute): keep it out of counts.
    client.get("/api/v1/schools?limit=1", headers=headers)
    return headers


@pytest.fixture
def prescriber(client, cast):
    return headers_for(client, cast.prescriber)


@pytest.fixture
def manager(client, cast):
    return headers_for(client, cast.manager_a)


def payload(cast, **learner):
    data = {
        "first_name": "Inès",
        "last_name": "Lefèvre-Durand",
        "birth_date": "2007-03-14",
        "highest_diploma": Diploma.NONE,
        "commune": "77108",
        "lives_in_qpv": True,
    }
    data.update(learner)
    return {"school": cast.school_a.pk, "learner": data, "motivation": "Motivée"}


def rows():
    return [Learner.objects.count(), Referral.objects.count(), ReferralEvent.objects.count()]


def post(client, headers, body, **extra):
    return client.post(
        "/api/v1/referrals", body, content_type="application/json", headers={**headers, **extra}
    )


def refer(cast, by=None, school=None, **learner):
    data = {"first_name": "Inès", "last_name": "Lefèvre-Durand", "birth_date": dt.date(2007, 3, 14)}
    data.setdefault("highest_diploma", Diploma.NONE)
    data.update(learner)
    return services.referral_create(
        by=by or cast.prescriber, school=school or cast.school_a, learner_data=data
    ).referral


def test_a_prescriber_refers_through_the_api(client, cast, prescriber):
    response = post(client, prescriber, payload(cast))
    assert response.status_code == 201, response.json()
    body = response.json()
    referral = Referral.objects.get()
    assert body["id"] == referral.pk
    assert body["status"] == "nouvelle"
    assert body["learner_matched"] is False
    assert body["eligibility"]["eligible"] is True
    assert any("QPV" in p for p in body["eligibility"]["priorities"])
    assert body["next_step"] == "L'école va étudier la candidature."
    assert [e["to_status"] for e in body["events"]] == ["nouvelle"]
    assert body["prescriber_organisation"] == "ML Chelles"
    assert referral.learner.commune.insee_code == "77108"


def test_a_retry_with_the_same_idempotency_key_returns_the_first_referral(client, cast, prescriber):
    first = post(client, prescriber, payload(cast), **{"Idempotency-Key": "abc-123"})
    again = post(client, prescriber, payload(cast), **{"Idempotency-Key": "abc-123"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Referral.objects.count() == 1


def test_a_person_known_only_by_another_school_is_not_matched_and_gets_a_record_here(
    client, cast, prescriber
):
    elsewhere = refer(cast, by=cast.manager_b, school=cast.school_b, phone="0799999999")
    response = post(client, prescriber, payload(cast, first_name="INES", last_name="lefevre durand"))
    assert response.status_code == 201
    assert response.json()["learner_matched"] is False
    learner = Referral.objects.get(pk=response.json()["id"]).learner
    assert learner != elsewhere.learner
    assert (learner.school, learner.identity_key) == (cast.school_a, elsewhere.learner.identity_key)
    assert learner.phone != "0799999999"


def test_the_prescribers_own_earlier_record_is_matched(client, cast, prescriber):
    first = refer(cast)
    services.referral_transition(referral=first, to=ReferralStatus.CANCELLED, by=cast.prescriber)
    response = post(client, prescriber, payload(cast, first_name="INES", last_name="lefevre durand"))
    assert response.status_code == 201
    assert response.json()["learner_matched"] is True
    assert Referral.objects.get(pk=response.json()["id"]).learner == first.learner


@pytest.mark.parametrize(
    ("learner", "status", "message"),
    [
        ({"birth_date": "2090-01-01"}, 422, "futur"),
        ({"birth_date": "2007-02-30"}, 422, "Requête invalide"),
        ({"commune": "99999"}, 422, "Commune inconnue"),
        ({"first_name": ""}, 422, "Requête invalide"),
        ({"first_name": "--"}, 422, "obligatoires"),
        ({"highest_diploma": "doctorat"}, 422, "Requête invalide"),
        ({"max_travel_km": 900}, 422, "Requête invalide"),
        ({"email": "pas-un-mail"}, 422, "e-mail invalide"),
    ],
)
def test_bad_input_is_a_french_json_error_and_writes_nothing(
    client, cast, prescriber, learner, status, message
):
    response = post(client, prescriber, payload(cast, **learner))
    assert response.status_code == status
    assert message in response.json()["detail"]
    assert rows() == [0, 0, 0]


def test_missing_fields_are_a_422(client, cast, prescriber):
    response = post(client, prescriber, {"school": cast.school_a.pk})
    assert response.status_code == 422
    assert rows() == [0, 0, 0]


def test_a_school_the_prescriber_does_not_work_with_is_a_404(client, cast, prescriber):
    body = payload(cast)
    body["school"] = cast.school_b.pk
    response = post(client, prescriber, body)
    assert response.status_code == 404
    assert rows() == [0, 0, 0]


def test_a_duplicate_open_referral_is_a_409_that_reveals_nothing(client, cast, prescriber):
    refer(cast, by=cast.manager_a)
    before = rows()
    response = post(client, prescriber, payload(cast))
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Une prescription de ce ou cette jeune vers cette école est déjà en cours."
    }
    assert rows() == before


def test_trainers_and_funders_cannot_refer(client, cast):
    for user in (cast.trainer_a, cast.funder, cast.outsider):
        response = post(client, headers_for(client, user), payload(cast))
        assert response.status_code == 403
    assert rows() == [0, 0, 0]


def test_an_unknown_prescriber_structure_is_refused(client, cast, manager):
    body = payload(cast)
    body["prescriber_organisation"] = cast.company_b.pk
    assert post(client, manager, body).status_code == 422
    body["prescriber_organisation"] = cast.prescriber_org.pk
    response = post(client, manager, body)
    assert response.status_code == 201
    assert response.json()["prescriber_organisation"] == "ML Chelles"


def test_list_filters_by_status_and_school(client, cast):
    ines = refer(cast)
    yanis = refer(cast, first_name="Yanis")
    other = refer(cast, by=cast.staff, school=cast.school_b, first_name="Léa")
    services.referral_transition(referral=yanis, to=ReferralStatus.REVIEW, by=cast.manager_a)
    headers = headers_for(client, cast.staff)

    def ids(query=""):
        return {
            item["id"] for item in client.get(f"/api/v1/referrals{query}", headers=headers).json()["items"]
        }

    assert ids() == {ines.pk, yanis.pk, other.pk}
    assert ids("?status=en_etude") == {yanis.pk}
    assert ids(f"?school={cast.school_b.pk}") == {other.pk}
    assert client.get("/api/v1/referrals?status=inconnu", headers=headers).status_code == 422


def test_transitions_through_the_api(client, cast, manager):
    referral = refer(cast)
    url = f"/api/v1/referrals/{referral.pk}/transitions"
    missing = client.post(url, {"to": "refusee"}, content_type="application/json", headers=manager)
    assert missing.status_code == 422
    assert missing.json() == {"detail": "Un motif est obligatoire pour refuser ou réorienter."}
    done = client.post(
        url,
        {"to": "refusee", "reason": "projet", "reason_detail": "Vise la cuisine", "reason_shared": False},
        content_type="application/json",
        headers=manager,
    )
    assert done.status_code == 200
    assert done.json()["status"] == "refusee" and done.json()["reason"] == "projet"
    illegal = client.post(url, {"to": "admise"}, content_type="application/json", headers=manager)
    assert illegal.status_code == 409
    assert "Passage impossible" in illegal.json()["detail"]
    unknown = client.post(url, {"to": "partie"}, content_type="application/json", headers=manager)
    assert unknown.status_code == 422
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFUSED and referral.events.count() == 2


def test_forbidden_and_invisible_transitions(client, cast):
    referral = refer(cast)
    url = f"/api/v1/referrals/{referral.pk}/transitions"
    trainer = headers_for(client, cast.trainer_a)
    assert (
        client.post(url, {"to": "admise"}, content_type="application/json", headers=trainer).status_code
        == 403
    )
    other = headers_for(client, cast.trainer_b)
    assert (
        client.post(url, {"to": "en_etude"}, content_type="application/json", headers=other).status_code
        == 404
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW


def test_the_prescriber_reads_a_shared_reason_only(client, cast, prescriber, manager):
    referral = refer(cast)
    services.referral_transition(
        referral=referral,
        to=ReferralStatus.REFUSED,
        by=cast.manager_a,
        reason=DecisionReason.BARRIERS,
        reason_detail="Santé",
    )
    body = client.get(f"/api/v1/referrals/{referral.pk}", headers=prescriber).json()
    assert body["status"] == "refusee"
    assert body["reason"] is None and body["reason_detail"] == ""
    assert all(event["reason"] is None for event in body["events"])
    assert "Santé" not in str(body) and "freins" not in str(body)
    # Not even whether the school kept a reason to itself: the same rule as the page (selectors.py).
    assert body["reason_shared"] is None
    assert client.get(f"/api/v1/referrals/{referral.pk}", headers=manager).json()["reason_shared"] is False
    Referral.objects.filter(pk=referral.pk).update(reason_shared=True)
    body = client.get(f"/api/v1/referrals/{referral.pk}", headers=prescriber).json()
    assert body["reason"] == "freins" and body["reason_detail"] == "Santé"
    assert body["reason_shared"] is None


def test_learners(client, cast, prescriber):
    mine = refer(cast)
    refer(cast, by=cast.manager_a, first_name="Autre")
    body = client.get("/api/v1/learners", headers=prescriber).json()
    assert [item["id"] for item in body["items"]] == [mine.learner.pk]
    detail = client.get(f"/api/v1/learners/{mine.learner.pk}", headers=prescriber).json()
    assert detail["first_name"] == "Inès"
    assert [r["id"] for r in detail["referrals"]] == [mine.pk]
    other = Learner.objects.exclude(pk=mine.learner.pk).get()
    assert client.get(f"/api/v1/learners/{other.pk}", headers=prescriber).status_code == 404


@pytest.mark.parametrize("n", [2, 200])
def test_the_referral_list_query_count_is_constant(client, cast, django_assert_num_queries, n):
    for learner in LearnerFactory.create_batch(n):
        ReferralFactory(learner=learner, school=cast.school_a)
    headers = headers_for(client, cast.manager_a)
    # 1 token with its user, 2 count, 3 page of referrals with learner, school and structure
    with django_assert_num_queries(3):
        body = client.get("/api/v1/referrals", headers=headers).json()
    assert body["count"] == n


def test_a_list_decrypts_no_motivation(client, cast, monkeypatch):
    """`GET /referrals` and a learner's referrals leave out the motivation: not read, not decrypted."""
    referral = ReferralFactory(school=cast.school_a, motivation="Veut travailler dehors, sans voiture.")
    headers = headers_for(client, cast.manager_a)
    decrypted = _counting_decryptions(monkeypatch)
    assert [r["id"] for r in client.get("/api/v1/referrals", headers=headers).json()["items"]] == [
        referral.pk
    ]
    learner = client.get(f"/api/v1/learners/{referral.learner.pk}", headers=headers).json()
    assert [r["id"] for r in learner["referrals"]] == [referral.pk]
    assert decrypted == []
    detail = client.get(f"/api/v1/referrals/{referral.pk}", headers=headers).json()
    assert detail["motivation"] == "Veut travailler dehors, sans voiture." and len(decrypted) == 1


@pytest.mark.parametrize("n", [2, 200])
def test_the_learner_list_query_count_is_constant(client, cast, django_assert_num_queries, n):
    for learner in LearnerFactory.create_batch(n):
        ReferralFactory(learner=learner, school=cast.school_a)
    headers = headers_for(client, cast.manager_a)
    # 1 token with its user, 2 count, 3 page of learners with their commune
    with django_assert_num_queries(3):
        body = client.get("/api/v1/learners", headers=headers).json()
    assert body["count"] == n
