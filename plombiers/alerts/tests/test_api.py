"""GET /api/v1/alerts: scoped to the team, paginated, filtered, a pinned number of queries."""

import pytest

from plombiers.cohorts.tests.factories import EnrolmentFactory
from plombiers.cohorts.tests.test_api import headers_for
from plombiers.referrals.tests.factories import LearnerFactory

from .factories import alert_make


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def test_the_team_reads_its_alerts(client, cast, setting):
    headers = headers_for(client, cast.social_worker_a)
    body = client.get("/api/v1/alerts", headers=headers).json()
    assert body["count"] == 3
    assert [i["id"] for i in body["items"]] == [setting.chloe.pk, setting.ines.pk, setting.bilal.pk]
    ines = body["items"][1]
    assert ines["learner_name"] == "Inès Test"
    assert (ines["cohort"], ines["cohort_name"], ines["school"]) == (
        setting.autumn.pk,
        "Automne",
        cast.school_a.pk,
    )
    assert (ines["rule"], ines["status"], ines["raised_on"]) == ("absences", "open", "2026-10-13")
    assert ines["reason"].startswith("2 absences non justifiées")
    bilal = body["items"][2]
    assert (bilal["status"], bilal["note"], bilal["acknowledged_by"]) == (
        "acknowledged",
        "Vu avec Bilal.",
        cast.trainer_a.get_full_name(),
    )


def test_filters(client, cast, setting):
    headers = headers_for(client, cast.staff)
    assert ids(client.get("/api/v1/alerts?status=acknowledged", headers=headers)) == [setting.bilal.pk]
    assert set(ids(client.get("/api/v1/alerts?status=open", headers=headers))) == {
        setting.chloe.pk,
        setting.ines.pk,
        setting.yanis.pk,
    }
    assert ids(client.get(f"/api/v1/alerts?cohort={setting.autumn.pk}&status=open", headers=headers)) == [
        setting.ines.pk
    ]
    assert client.get("/api/v1/alerts?status=ouverte", headers=headers).status_code == 422
    assert client.get(f"/api/v1/alerts?cohort={2**70}", headers=headers).status_code == 422
    assert client.get("/api/v1/alerts?limit=0", headers=headers).status_code == 422


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("staff", {"ines", "bilal", "chloe", "yanis"}),
        ("manager_a", {"ines", "bilal", "chloe"}),
        ("trainer_a", {"ines", "bilal", "chloe"}),
        ("social_worker_a", {"ines", "bilal", "chloe"}),
        ("trainer_b", {"yanis"}),
        ("manager_b", {"yanis"}),
        ("learner_a", set()),
        ("prescriber", set()),
        ("funder", set()),
        ("outsider", set()),
    ],
)
def test_who_reads_which_alerts(client, cast, setting, role, expected):
    headers = headers_for(client, getattr(cast, role))
    response = client.get("/api/v1/alerts", headers=headers)
    assert response.status_code == 200
    assert set(ids(response)) == {getattr(setting, name).pk for name in expected}
    # Another school's cohort filter finds nothing rather than something.
    if role == "trainer_b":
        assert ids(client.get(f"/api/v1/alerts?cohort={setting.autumn.pk}", headers=headers)) == []


def test_anonymous_gets_401(client, setting):
    response = client.get("/api/v1/alerts")
    assert response.status_code == 401
    assert "Authentification requise" in response.json()["detail"]


def test_the_list_query_count_is_pinned(client, cast, setting, django_assert_num_queries):
    for i in range(20):
        alert_make(EnrolmentFactory(cohort=setting.winter, learner=LearnerFactory(last_name=f"Jeune{i}")))
    headers = headers_for(client, cast.trainer_a)
    # token (user), count, the page of alerts (learner, cohort, acknowledged by)
    with django_assert_num_queries(3):
        response = client.get("/api/v1/alerts?limit=50", headers=headers)
    assert response.json()["count"] == 23
