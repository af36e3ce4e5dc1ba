import datetime as dt

import pytest

from plombiers.accounts.services import api_token_create
from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment, WaitlistEntry
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory, running_cohort
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory


def headers_for(client, user):
    _token, raw = api_token_create(user=user)
    headers = {"Authorization": f"Bearer {raw}"}
    # The first call stamps the token's last use (then at most once a minute): keep it out of counts.
    client.get("/api/v1/cohorts?limit=1", headers=headers)
    return headers


@pytest.fixture
def manager(client, cast):
    return headers_for(client, cast.manager_a)


@pytest.fixture
def cohort(cast):
    return running_cohort(school=cast.school_a, name="Promotion automne", capacity=1)


def test_cohort_list_and_detail(client, cast, manager, cohort):
    CohortFactory(school=cast.school_b)
    EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
    cohort.trainers.set([cast.trainer_a])
    body = client.get("/api/v1/cohorts", headers=manager).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["name"] == "Promotion automne"
    assert item["school"] == cast.school_a.pk
    assert item["trade"] == "Fibre optique"
    assert (item["start_date"], item["end_date"]) == (str(cohort.start_date), str(cohort.end_date))
    assert (item["capacity"], item["seats_left"], item["waitlist_count"]) == (1, 0, 0)
    assert item["status"] == "prevue"
    detail = client.get(f"/api/v1/cohorts/{cohort.pk}", headers=manager).json()
    assert detail["seats_left"] == 0
    assert detail["trainers"] == [{"id": cast.trainer_a.pk, "name": cast.trainer_a.get_full_name()}]
    assert detail["social_worker"] is None


def test_cohort_list_filters(client, cast, cohort):
    staff = headers_for(client, cast.staff)
    CohortFactory(school=cast.school_b, status=CohortStatus.ONGOING)
    by_school = client.get(f"/api/v1/cohorts?school={cast.school_a.pk}", headers=staff).json()
    assert [i["id"] for i in by_school["items"]] == [cohort.pk]
    ongoing = client.get("/api/v1/cohorts?status=en_cours", headers=staff).json()
    assert [i["school"] for i in ongoing["items"]] == [cast.school_b.pk]
    assert client.get("/api/v1/cohorts?status=inconnu", headers=staff).status_code == 422


def test_manager_creates_a_cohort(client, cast, manager):
    response = client.post(
        "/api/v1/cohorts",
        {
            "school": cast.school_a.pk,
            "name": "Promotion printemps",
            "start_date": "2027-03-01",
            "trainers": [cast.trainer_a.pk],
            "social_worker": cast.social_worker_a.pk,
        },
        content_type="application/json",
        headers=manager,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["end_date"] == (dt.date(2027, 3, 1) + dt.timedelta(weeks=15)).isoformat()
    assert body["capacity"] == cast.school_a.default_cohort_capacity
    assert body["seats_left"] == body["capacity"]
    assert body["social_worker"]["id"] == cast.social_worker_a.pk
    assert Cohort.objects.get(pk=body["id"]).trainers.get() == cast.trainer_a


@pytest.mark.parametrize(
    ("overrides", "status", "detail"),
    [
        ({"end_date": "2027-02-01"}, 422, "postérieure à la date de début"),
        ({"capacity": 0}, 422, "Requête invalide."),
        ({"capacity": 40}, 422, "Requête invalide."),
        ({"name": ""}, 422, "Requête invalide."),
        ({"trainers": [1]}, 422, "formateur·rice"),
        ({"status": "terminee"}, 422, "clôture"),
        ({"start_date": "9999-12-30"}, 422, "postérieure"),
    ],
)
def test_bad_cohort_input_is_a_french_4xx_and_nothing_is_written(
    client, cast, manager, overrides, status, detail
):
    payload = {"school": cast.school_a.pk, "name": "P", "start_date": "2027-03-01", **overrides}
    response = client.post("/api/v1/cohorts", payload, content_type="application/json", headers=manager)
    assert response.status_code == status
    assert detail in response.json()["detail"]
    assert not Cohort.objects.exists()


def test_cohort_creation_is_for_managers_of_the_school(client, cast):
    payload = {"school": cast.school_a.pk, "name": "P", "start_date": "2027-03-01"}
    for user, status in [
        (cast.trainer_a, 403),
        (cast.manager_b, 404),
        (cast.prescriber, 403),
        (cast.outsider, 404),
    ]:
        response = client.post(
            "/api/v1/cohorts", payload, content_type="application/json", headers=headers_for(client, user)
        )
        assert response.status_code == status, user
        assert response.json()["detail"]
    assert not Cohort.objects.exists()


def test_admission_then_waiting_list(client, cast, manager, cohort):
    first, second = ReferralFactory(school=cast.school_a), ReferralFactory(school=cast.school_a)
    response = client.post(
        "/api/v1/enrolments",
        {"cohort": cohort.pk, "referral": first.pk},
        content_type="application/json",
        headers=manager,
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["cohort"], body["learner"], body["referral"], body["status"]) == (
        cohort.pk,
        first.learner_id,
        first.pk,
        "active",
    )
    response = client.post(
        "/api/v1/enrolments",
        {"cohort": cohort.pk, "referral": second.pk},
        content_type="application/json",
        headers=manager,
    )
    assert response.status_code == 202
    assert response.json() == {"waitlisted": True, "position": 1, "cohort": cohort.pk, "referral": second.pk}
    second.refresh_from_db()
    assert second.status == ReferralStatus.WAITLIST


def test_direct_enrolment_and_full_cohort(client, cast, manager, cohort):
    learner, other = LearnerFactory(), LearnerFactory()
    ReferralFactory(school=cast.school_a, learner=learner)
    ReferralFactory(school=cast.school_a, learner=other)
    ok = client.post(
        "/api/v1/enrolments",
        {"cohort": cohort.pk, "learner": learner.pk},
        content_type="application/json",
        headers=manager,
    )
    assert ok.status_code == 201
    full = client.post(
        "/api/v1/enrolments",
        {"cohort": cohort.pk, "learner": other.pk},
        content_type="application/json",
        headers=manager,
    )
    assert full.status_code == 409
    assert full.json() == {"detail": "La promotion est complète."}
    assert Enrolment.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "status", "detail"),
    [
        ({"learner": 5}, 422, "Requête invalide."),
        ({"referral": None, "learner": None}, 422, "Requête invalide."),
        ({"justification": ""}, 422, "justification écrite est obligatoire"),
    ],
)
def test_bad_enrolment_input(client, cast, manager, cohort, payload, status, detail):
    referral = ReferralFactory(school=cast.school_a, eligibility={"eligible": False, "reasons": ["Âge"]})
    body = {"cohort": cohort.pk, "referral": referral.pk, **payload}
    response = client.post("/api/v1/enrolments", body, content_type="application/json", headers=manager)
    assert response.status_code == status
    assert detail in response.json()["detail"]
    assert not Enrolment.objects.exists() and not WaitlistEntry.objects.exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW


def test_finished_cohort_refuses_admissions(client, cast, manager, cohort):
    cohort.status = CohortStatus.FINISHED
    cohort.save()
    referral = ReferralFactory(school=cast.school_a)
    response = client.post(
        "/api/v1/enrolments",
        {"cohort": cohort.pk, "referral": referral.pk},
        content_type="application/json",
        headers=manager,
    )
    assert response.status_code == 422
    assert "terminée" in response.json()["detail"]
    assert not Enrolment.objects.exists()


def test_enrolment_list_filters_and_detail(client, cast, manager, cohort):
    other = CohortFactory(school=cast.school_a)
    mine = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(last_name="Aubert"))
    EnrolmentFactory(
        cohort=other, learner=LearnerFactory(), status=EnrolmentStatus.COMPLETED, end_date=other.end_date
    )
    by_cohort = client.get(f"/api/v1/enrolments?cohort={cohort.pk}", headers=manager).json()
    assert [i["id"] for i in by_cohort["items"]] == [mine.pk]
    completed = client.get("/api/v1/enrolments?status=terminee", headers=manager).json()
    assert completed["count"] == 1 and completed["items"][0]["cohort"] == other.pk
    detail = client.get(f"/api/v1/enrolments/{mine.pk}", headers=manager).json()
    assert detail["learner_name"].endswith("Aubert")
    assert detail["drop_out_reason"] is None


@pytest.mark.parametrize("rows", [2, 200])
def test_enrolment_list_query_count_is_constant(client, cast, manager, django_assert_num_queries, rows):
    cohorts = [CohortFactory(school=cast.school_a, capacity=30) for _ in range(rows // 30 + 1)]
    for i, learner in enumerate(LearnerFactory.create_batch(rows)):
        EnrolmentFactory(cohort=cohorts[i // 30], learner=learner)
    # token lookup, count, page of enrolments with their learners
    with django_assert_num_queries(3):
        response = client.get("/api/v1/enrolments?limit=500", headers=manager)
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [2, 200])
def test_cohort_list_query_count_is_constant(client, cast, manager, django_assert_num_queries, rows):
    for _ in range(rows):
        CohortFactory(school=cast.school_a)
    # token lookup, count, page of cohorts with school, trade and counts
    with django_assert_num_queries(3):
        response = client.get("/api/v1/cohorts?limit=500", headers=manager)
    assert response.json()["count"] == rows


def test_openapi_lists_the_cohort_operations(client, cast):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/cohorts"]) and {"get", "post"} <= set(
        paths["/api/v1/enrolments"]
    )
    assert "/api/v1/cohorts/{cohort_id}" in paths and "/api/v1/enrolments/{enrolment_id}" in paths
