"""The access rule of DESIGN.md on every page and endpoint of the cohorts.

Whoever may not see a cohort, an enrolment or a referral gets 404 — the same as
for an object that does not exist. Whoever sees it but may not act on it (a
trainer, a social worker) gets 403. Nothing is ever written by a refused request.
"""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from plombiers.accounts.services import api_token_create
from plombiers.cohorts.enums import CohortStatus, DropOutReason, EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment, WaitlistEntry
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory
from plombiers.tests import access

ROLES = access.ROLES
SEES = access.SCHOOL_TEAM
MANAGES = access.MANAGERS


@pytest.fixture
def objects(cast):
    def make(school, name):
        cohort = CohortFactory(school=school, name=name, capacity=8)
        enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
        referral = ReferralFactory(school=school)
        return cohort, enrolment, referral

    cohort_a, enrolment_a, referral_a = make(cast.school_a, "Promotion Chelles")
    cohort_b, enrolment_b, referral_b = make(cast.school_b, "Promotion Roubaix")
    return SimpleNamespace(
        cohort={"a": cohort_a, "b": cohort_b},
        enrolment={"a": enrolment_a, "b": enrolment_b},
        referral={"a": referral_a, "b": referral_b},
    )


def _read(role, school):
    return 200 if school in SEES.get(role, set()) else 404


def _act(role, school):
    if school in MANAGES.get(role, set()):
        return 200
    return 403 if school in SEES.get(role, set()) else 404


def _nothing_written(objects):
    assert set(Cohort.objects.values_list("status", flat=True)) == {CohortStatus.PLANNED}
    assert not Cohort.objects.filter(name="Piratée").exists()
    assert set(Enrolment.objects.values_list("status", flat=True)) == {EnrolmentStatus.ACTIVE}
    assert Enrolment.objects.count() == 2 and not WaitlistEntry.objects.exists()
    for referral in objects.referral.values():
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.NEW


@pytest.mark.parametrize("role", ROLES)
def test_cohort_pages(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    for school in "ab":
        cohort, enrolment, referral = (
            objects.cohort[school],
            objects.enrolment[school],
            objects.referral[school],
        )
        pages = {
            reverse("cohorts:cohort_detail", args=[cohort.pk]): _read(role, school),
            reverse("cohorts:cohort_edit", args=[cohort.pk]): _act(role, school),
            reverse("cohorts:cohort_finish", args=[cohort.pk]): _act(role, school),
            reverse("cohorts:referral_admit", args=[referral.pk]): _act(role, school),
            reverse("cohorts:enrolment_drop_out", args=[enrolment.pk]): _act(role, school),
        }
        for url, status in pages.items():
            assert client.get(url).status_code == status, (role, url)
    listed = client.get(reverse("cohorts:cohort_list")).content.decode()
    for school in "ab":
        assert (objects.cohort[school].name in listed) == (school in SEES.get(role, set())), (role, school)
    create = client.get(reverse("cohorts:cohort_create"))
    assert create.status_code == (200 if role in MANAGES else 403), role


@pytest.mark.parametrize("role", [r for r in ROLES if r not in MANAGES])
def test_writes_are_refused_and_write_nothing(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    for school in "ab":
        cohort, enrolment, referral = (
            objects.cohort[school],
            objects.enrolment[school],
            objects.referral[school],
        )
        status = _act(role, school)
        posts = {
            reverse("cohorts:cohort_edit", args=[cohort.pk]): {"name": "Piratée", "capacity": 8},
            reverse("cohorts:cohort_finish", args=[cohort.pk]): {},
            reverse("cohorts:referral_admit", args=[referral.pk]): {"cohort": cohort.pk},
            reverse("cohorts:enrolment_drop_out", args=[enrolment.pk]): {
                "reason": DropOutReason.OTHER,
                "on": enrolment.entry_date.isoformat(),
            },
        }
        for url, data in posts.items():
            assert client.post(url, data).status_code == status, (role, url)
    data = {"school": cast.school_a.pk, "name": "Piratée", "start_date": "2027-03-01", "status": "prevue"}
    assert client.post(reverse("cohorts:cohort_create"), data).status_code == 403
    _nothing_written(objects)


def test_a_manager_cannot_admit_into_a_cohort_of_another_school(client, cast, objects):
    client.force_login(cast.manager_a)
    url = reverse("cohorts:referral_admit", args=[objects.referral["a"].pk])
    response = client.post(url, {"cohort": objects.cohort["b"].pk})
    assert response.status_code == 200
    assert "pas ouverte aux admissions" in response.content.decode()
    _nothing_written(objects)


@pytest.mark.parametrize("role", ROLES)
def test_api(client, cast, objects, role):
    _token, raw = api_token_create(user=getattr(cast, role))
    headers = {"Authorization": f"Bearer {raw}"}
    for school in "ab":
        cohort, enrolment = objects.cohort[school], objects.enrolment[school]
        assert client.get(f"/api/v1/cohorts/{cohort.pk}", headers=headers).status_code == _read(role, school)
        assert client.get(f"/api/v1/enrolments/{enrolment.pk}", headers=headers).status_code == _read(
            role, school
        )
    cohorts = {i["id"] for i in client.get("/api/v1/cohorts", headers=headers).json()["items"]}
    assert cohorts == {objects.cohort[s].pk for s in SEES.get(role, set())}
    enrolments = {i["id"] for i in client.get("/api/v1/enrolments", headers=headers).json()["items"]}
    assert enrolments == {objects.enrolment[s].pk for s in SEES.get(role, set())}


@pytest.mark.parametrize("role", [r for r in ROLES if r not in MANAGES])
def test_api_writes_are_refused_and_write_nothing(client, cast, objects, role):
    _token, raw = api_token_create(user=getattr(cast, role))
    headers = {"Authorization": f"Bearer {raw}"}
    admission = client.post(
        "/api/v1/enrolments",
        {"cohort": objects.cohort["a"].pk, "referral": objects.referral["a"].pk},
        content_type="application/json",
        headers=headers,
    )
    assert admission.status_code == (403 if "a" in SEES.get(role, set()) else 404), role
    enrolment = client.post(
        "/api/v1/enrolments",
        {"cohort": objects.cohort["a"].pk, "learner": objects.referral["a"].learner_id},
        content_type="application/json",
        headers=headers,
    )
    assert enrolment.status_code == (403 if "a" in SEES.get(role, set()) else 404), role
    creation = client.post(
        "/api/v1/cohorts",
        {"school": cast.school_a.pk, "name": "Piratée", "start_date": "2027-03-01"},
        content_type="application/json",
        headers=headers,
    )
    # Partners and learners see the school itself (its public card), not its cohorts: 403, not 404.
    sees_school = role in {"trainer_a", "social_worker_a", "learner_a", "prescriber", "funder"}
    assert creation.status_code == (403 if sees_school else 404), role
    for response in (admission, enrolment, creation):
        assert response.json()["detail"]
    _nothing_written(objects)


def test_the_prescriber_follows_the_young_person_they_referred(client, cast):
    """A prescriber sees the enrolment of a young person they referred, and still cannot act on it."""
    cohort = CohortFactory(school=cast.school_a)
    referral = ReferralFactory(school=cast.school_a, prescriber=cast.prescriber)
    enrolment = EnrolmentFactory(cohort=cohort, learner=referral.learner, referral=referral)
    _token, raw = api_token_create(user=cast.prescriber)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(f"/api/v1/enrolments/{enrolment.pk}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/cohorts/{cohort.pk}", headers=headers).status_code == 404
    client.force_login(cast.prescriber)
    assert client.get(reverse("cohorts:enrolment_drop_out", args=[enrolment.pk])).status_code == 403
    assert client.get(reverse("cohorts:referral_admit", args=[referral.pk])).status_code == 403


@pytest.mark.parametrize(
    "url",
    ["/promotions/", "/promotions/nouvelle/", "/promotions/1/", "/promotions/1/modifier/", "/promotions/1/cloture/",
     "/prescriptions/1/admission/", "/inscriptions/1/abandon/"],
)  # fmt: skip
def test_anonymous_visitors_are_sent_to_login(client, cast, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


@pytest.mark.parametrize(
    "url", ["/api/v1/cohorts", "/api/v1/cohorts/1", "/api/v1/enrolments", "/api/v1/enrolments/1"]
)
def test_anonymous_api_calls_get_401(client, cast, url):
    assert client.get(url).status_code == 401


def test_network_staff_of_another_network_manage_nothing_here(cast):
    """The services check it too, not only the pages: a network's staff act only on their own schools."""
    from django.core.exceptions import PermissionDenied

    from plombiers.accounts.enums import Role
    from plombiers.accounts.tests.factories import MembershipFactory, UserFactory
    from plombiers.cohorts import services
    from plombiers.network.models import Network

    other = Network.objects.create(name="Autre réseau", slug="autre")
    stranger = UserFactory(email="reseau@autre.example")
    MembershipFactory(user=stranger, role=Role.NETWORK_STAFF, network=other)
    cohort = CohortFactory(school=cast.school_a)
    referral = ReferralFactory(school=cast.school_a)
    with pytest.raises(PermissionDenied):
        services.referral_admit(referral=referral, cohort=cohort, by=stranger)
    with pytest.raises(PermissionDenied):
        services.cohort_finish(cohort=cohort, by=stranger)
    assert not Enrolment.objects.exists()


def test_a_funder_made_the_opco_of_a_cohort_sees_none_of_its_learners(client, cast, objects):
    """A cohort whose « OPCO ou financeur » is the cast's funder organisation: the funder keeps what
    its rule gives (its funder dashboard, school A's), never the cohort, its enrolments, its young
    people nor the OPCO claims — on pages, in the API and in the querysets. Catches the planted bug
    that let an OPCO's members see a funded cohort's learners (no access test gave a cohort an
    OPCO)."""
    from plombiers.cohorts.models import Enrolment
    from plombiers.referrals.models import Learner

    cohort, enrolment = objects.cohort["a"], objects.enrolment["a"]
    Cohort.objects.filter(pk=cohort.pk).update(opco=cast.funder_org)
    funder = cast.funder
    assert not Cohort.objects.visible_to(funder).exists()
    assert not Enrolment.objects.visible_to(funder).exists()
    assert not Learner.objects.visible_to(funder).exists()
    client.force_login(funder)
    for url in [
        reverse("cohorts:cohort_detail", args=[cohort.pk]),
        reverse("cohorts:cohort_calendar", args=[cohort.pk]),
        reverse("referrals:learner_detail", args=[enrolment.learner_id]),
        reverse("funding:cohort_opco", args=[cohort.pk]),
        reverse("impact:cohort", args=[cohort.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert cohort.name not in client.get(reverse("cohorts:cohort_list")).content.decode()
    assert client.get(reverse("impact:funder", args=[cast.funder_org.pk])).status_code == 200
    assert client.get(reverse("impact:school", args=[cast.school_a.slug])).status_code == 200
    _token, raw = api_token_create(user=funder)
    headers = {"Authorization": f"Bearer {raw}"}
    for path in [
        f"/api/v1/cohorts/{cohort.pk}",
        f"/api/v1/enrolments/{enrolment.pk}",
        f"/api/v1/learners/{enrolment.learner_id}",
    ]:
        assert client.get(path, headers=headers).status_code == 404, path
    for path in ["/api/v1/cohorts", "/api/v1/enrolments", "/api/v1/learners"]:
        response = client.get(path, headers=headers)
        assert response.status_code in {200, 403}, path
        if response.status_code == 200:
            assert response.json()["items"] == [], path
