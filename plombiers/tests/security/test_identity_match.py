"""Audit findings 1 and 2: an identity match must not widen anyone's view, and a refused consent
to share with the prescriber is obeyed.

The attack, as the audit ran it on the demo: a young person followed at Roubaix (school B) is
invisible to the Mission Locale counsellor of Chelles (school A); the counsellor refers « the same
person » (same names in another case, same birth date) to Chelles; the API answered
`learner_matched: true` and from then on the counsellor read the Roubaix record — phone, e-mail,
address, France Travail id, the Roubaix enrolment, the barriers — and Chelles' manager read and
edited the barrier summaries and action outcomes written at Roubaix.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from plombiers.accounts.services import api_token_create
from plombiers.accounts.tests.factories import MembershipFactory, UserFactory
from plombiers.cohorts import services as cohorts_services
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory, PartnershipFactory
from plombiers.referrals import services as referrals_services
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.models import Learner, Referral
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory
from plombiers.referrals.tests.test_views import form_data
from plombiers.support import services as support_services
from plombiers.support.enums import ActionStatus, BarrierLevel, ConsentScope, EntryKind, Visibility
from plombiers.support.models import Action, Barrier

PHONE, EMAIL, ADDRESS, FRANCE_TRAVAIL = (
    "0611223344",
    "alexis.albert@roubaix.example",
    "3 rue de Lannoy",
    "4455667X",
)
SUMMARY = "Dossier MDPH en cours à Roubaix"
OUTCOME = "Rendez-vous CMP obtenu à Roubaix"
NOTE = "Entretien à Roubaix : situation familiale"


@pytest.fixture
def roubaix(cast, communes):
    """Alexis Albert, followed at Roubaix (school B) since 2019: record, enrolment, support."""
    learner = LearnerFactory(
        school=cast.school_b,
        first_name="Alexis",
        last_name="Albert",
        birth_date=dt.date(2000, 4, 21),
        phone=PHONE,
        email=EMAIL,
        address=ADDRESS,
        france_travail_id=FRANCE_TRAVAIL,
        commune=communes["59512"],
    )
    learner.identity_key = "albert|alexis|2000-04-21"
    learner.save(update_fields=["identity_key"])
    referral = ReferralFactory(learner=learner, school=cast.school_b, status=ReferralStatus.ADMITTED)
    cohort = CohortFactory(
        school=cast.school_b,
        name="Roubaix 2019",
        start_date=dt.date(2019, 9, 2),
        end_date=dt.date(2019, 12, 20),
    )
    enrolment = EnrolmentFactory(learner=learner, cohort=cohort, referral=referral, status="terminee")
    social_worker_b = _member(cast, "cip.b@test.example", "social_worker", cast.school_b)
    barrier = support_services.barrier_set(
        learner=learner, category="sante", level=BarrierLevel.BLOCKING, summary=SUMMARY, by=social_worker_b
    )
    action = support_services.action_create(
        barrier=barrier, description="Orientation CMP", due_on=dt.date(2019, 10, 1), by=social_worker_b
    )
    support_services.action_update(
        action=action, status=ActionStatus.DONE, outcome=OUTCOME, by=social_worker_b
    )
    support_services.journal_add(
        learner=learner, by=social_worker_b, kind=EntryKind.INTERVIEW, text=NOTE, visibility=Visibility.TEAM
    )
    support_services.consent_record(
        learner=learner, scope=ConsentScope.SHARE_PRESCRIBER, given=True, by=social_worker_b
    )
    return SimpleNamespace(learner=learner, enrolment=enrolment, barrier=barrier, action=action)


def _member(cast, email, role, school=None, organisation=None):
    user = UserFactory(email=email)
    MembershipFactory(user=user, role=role, school=school, organisation=organisation)
    return user


def _api(client, user):
    _token, raw = api_token_create(user=user)
    headers = {"Authorization": f"Bearer {raw}"}

    def call(method, path, **body):
        if method == "get":
            return client.get(f"/api/v1{path}", headers=headers)
        return client.post(f"/api/v1{path}", body, content_type="application/json", headers=headers)

    return call


def _refer_alexis(call, cast):
    return call(
        "post",
        "/referrals",
        school=cast.school_a.pk,
        learner={
            "first_name": "alexis",
            "last_name": "ALBERT",
            "birth_date": "2000-04-21",
            "highest_diploma": "aucun",
        },
    )


def _roubaix_urls(roubaix) -> list[str]:
    learner, enrolment = roubaix.learner, roubaix.enrolment
    return [
        reverse("referrals:learner_detail", args=[learner.pk]),
        reverse("support:learner_support", args=[learner.pk]),
        reverse("support:consent_notice", args=[learner.pk]),
        reverse("skills:enrolment_progress", args=[enrolment.pk]),
        f"/api/v1/learners/{learner.pk}",
        f"/api/v1/learners/{learner.pk}/barriers",
        f"/api/v1/learners/{learner.pk}/actions",
        f"/api/v1/learners/{learner.pk}/notes",
        f"/api/v1/enrolments/{enrolment.pk}",
        f"/api/v1/enrolments/{enrolment.pk}/progress",
        f"/api/v1/enrolments/{enrolment.pk}/hours",
    ]


def _leaks(text: str) -> list[str]:
    return [
        secret
        for secret in (PHONE, EMAIL, ADDRESS, FRANCE_TRAVAIL, SUMMARY, OUTCOME, NOTE, "Roubaix 2019")
        if secret in text
    ]


def test_a_prescribers_identity_match_confirms_nothing_and_reads_nothing(client, cast, roubaix):
    call = _api(client, cast.prescriber)
    assert call("get", f"/api/v1/learners/{roubaix.learner.pk}".removeprefix("/api/v1")).status_code == 404

    response = _refer_alexis(call, cast)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["learner_matched"] is False
    assert _leaks(response.content.decode()) == []
    chelles = Referral.objects.get(pk=body["id"]).learner
    assert chelles != roubaix.learner
    assert (chelles.school, chelles.identity_key) == (cast.school_a, roubaix.learner.identity_key)
    # The Roubaix record is as invisible as before, page and API alike.
    client.force_login(cast.prescriber)
    for url in _roubaix_urls(roubaix):
        answer = call("get", url.removeprefix("/api/v1")) if url.startswith("/api/") else client.get(url)
        assert answer.status_code == 404, url
    # What the counsellor now reads of the person is Chelles' record: nothing written at Roubaix.
    for url in (
        f"/learners/{chelles.pk}",
        f"/enrolments?learner={chelles.pk}",
        "/enrolments",
        "/learners",
    ):
        answer = call("get", url)
        assert answer.status_code == 200, url
        assert _leaks(answer.content.decode()) == [], url
    detail = call("get", f"/learners/{chelles.pk}").json()
    assert (detail["phone"], detail["email"], detail["address"], detail["france_travail_id"]) == (
        "",
        "",
        "",
        "",
    )
    for url in (
        reverse("referrals:learner_detail", args=[chelles.pk]),
        reverse("support:learner_support", args=[chelles.pk]),
        reverse("referrals:referral_detail", args=[body["id"]]),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert _leaks(page.content.decode()) == [], url


def test_the_referral_form_does_not_say_the_person_is_known_elsewhere(client, cast, roubaix):
    client.force_login(cast.prescriber)
    response = client.post(
        reverse("referrals:referral_create"),
        form_data(cast, first_name="ALEXIS", last_name="albert", birth_date="2000-04-21", phone=""),
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Vous connaissez déjà" not in page and "fiche existante" not in page
    assert _leaks(page) == []
    assert Referral.objects.filter(prescriber=cast.prescriber, school=cast.school_a).exists()


def test_another_school_admitting_the_same_person_sees_none_of_its_support(client, cast, roubaix):
    """Chelles' manager refers and admits Alexis: Chelles gets its own record, and the barriers,
    actions, journal and consents written at Roubaix stay out of reach — to read and to write."""
    result = referrals_services.referral_create(
        by=cast.manager_a,
        school=cast.school_a,
        learner_data={
            "first_name": "Alexis",
            "last_name": "Albert",
            "birth_date": dt.date(2000, 4, 21),
            "highest_diploma": "aucun",
        },
    )
    assert result.learner_matched is False
    today = timezone.localdate()
    cohort = CohortFactory(
        school=cast.school_a, start_date=today - dt.timedelta(days=5), end_date=today + dt.timedelta(days=90)
    )
    referrals_services.referral_transition(
        referral=result.referral, to=ReferralStatus.REVIEW, by=cast.manager_a
    )
    admission = cohorts_services.referral_admit(
        referral=result.referral,
        cohort=cohort,
        by=cast.manager_a,
        justification="Parcours adapté (RQTH en cours).",
    )
    chelles = admission.enrolment.learner
    assert chelles.school == cast.school_a and chelles != roubaix.learner

    for user in (cast.manager_a, cast.social_worker_a, cast.trainer_a):
        client.force_login(user)
        call = _api(client, user)
        for url in _roubaix_urls(roubaix):
            answer = call("get", url.removeprefix("/api/v1")) if url.startswith("/api/") else client.get(url)
            assert answer.status_code == 404, (user, url)
        page = client.get(reverse("support:learner_support", args=[chelles.pk])).content.decode()
        assert _leaks(page) == [], user
        barriers = call("get", f"/learners/{chelles.pk}/barriers")
        assert barriers.json()["count"] == 0 and _leaks(barriers.content.decode()) == []
    # Writing through the Roubaix record: 404, nothing changed.
    client.force_login(cast.manager_a)
    call = _api(client, cast.manager_a)
    learner = roubaix.learner.pk
    attempts = [
        client.post(
            reverse("support:barrier_set", args=[learner]),
            {"category": "sante", "level": "aucun", "summary": "x"},
        ),
        client.post(
            reverse("support:action_update", args=[learner, roubaix.action.pk]),
            {"status": "abandonnee", "outcome": "x"},
        ),
        call("post", f"/learners/{learner}/barriers", category="sante", level="aucun", summary="x"),
        call("post", f"/learners/{learner}/notes", kind="appel", text="x"),
    ]
    assert [a.status_code for a in attempts] == [404, 404, 404, 404]
    roubaix.barrier.refresh_from_db()
    roubaix.action.refresh_from_db()
    assert (roubaix.barrier.level, roubaix.barrier.summary) == (BarrierLevel.BLOCKING, SUMMARY)
    assert (roubaix.action.status, roubaix.action.outcome) == (ActionStatus.DONE, OUTCOME)
    assert Barrier.objects.visible_to(cast.manager_a).count() == 0
    assert Action.objects.visible_to(cast.manager_a).count() == 0


@pytest.mark.parametrize("role", ["prescriber", "funder", "learner_a", "trainer_b", "outsider"])
def test_after_a_match_each_role_reaches_nothing_new(client, cast, roubaix, role):
    """The access probes, before and after the counsellor's match and after Chelles enrols the
    person: the same answers for every role that is not Roubaix's or Chelles' team (the counsellor
    gains exactly their referral's record and enrolment)."""
    user = getattr(cast, role)
    client.force_login(user)
    call = _api(client, user)

    def probe():
        answers = {}
        for url in _roubaix_urls(roubaix):
            answers[url] = (
                call("get", url.removeprefix("/api/v1")) if url.startswith("/api/") else client.get(url)
            ).status_code
        answers["learners"] = sorted(item["id"] for item in call("get", "/learners").json().get("items", []))
        answers["enrolments"] = sorted(
            item["id"] for item in call("get", "/enrolments").json().get("items", [])
        )
        return answers

    before = probe()
    response = _refer_alexis(_api(client, cast.prescriber), cast)
    assert response.status_code == 201
    chelles = Learner.objects.get(school=cast.school_a, identity_key=roubaix.learner.identity_key)
    client.force_login(user)
    after_referral = probe()
    # Chelles admits Alexis: a new enrolment, from the counsellor's referral.
    referral = Referral.objects.get(pk=response.json()["id"])
    referrals_services.referral_transition(referral=referral, to=ReferralStatus.REVIEW, by=cast.manager_a)
    today = timezone.localdate()
    cohort = CohortFactory(
        school=cast.school_a, start_date=today - dt.timedelta(days=5), end_date=today + dt.timedelta(days=90)
    )
    enrolment = cohorts_services.referral_admit(
        referral=referral, cohort=cohort, by=cast.manager_a, justification="Parcours adapté."
    ).enrolment
    client.force_login(user)
    after_enrolment = probe()
    for after, new_enrolments in ((after_referral, []), (after_enrolment, [enrolment.pk])):
        after, expected = dict(after), dict(before)
        if role == "prescriber":
            # Only the referral just made, Chelles' new record behind it, and the enrolment it led to.
            expected["learners"] = sorted([*before["learners"], chelles.pk])
            expected["enrolments"] = sorted([*before["enrolments"], *new_enrolments])
        assert after == expected, role
        assert chelles.pk not in after["learners"] or role == "prescriber"


def test_a_refused_consent_to_share_hides_the_barriers_from_the_prescriber(client, cast, communes):
    """Learner 112 consented to the processing but refused sharing with the prescriber, yet the
    prescriber read « Santé : levé » at /api/v1/learners/112/barriers and on the support page."""
    learner = LearnerFactory(school=cast.school_a, commune=communes["77108"])
    ReferralFactory(
        learner=learner, school=cast.school_a, prescriber=cast.prescriber, referred_on=dt.date(2026, 1, 5)
    )
    support_services.barrier_set(
        learner=learner, category="sante", level=BarrierLevel.BLOCKING, by=cast.social_worker_a
    )
    support_services.consent_record(
        learner=learner, scope=ConsentScope.DATA, given=True, by=cast.social_worker_a
    )
    support_services.consent_record(
        learner=learner, scope=ConsentScope.SHARE_PRESCRIBER, given=False, by=cast.social_worker_a
    )
    call = _api(client, cast.prescriber)
    client.force_login(cast.prescriber)

    def reads():
        api = call("get", f"/learners/{learner.pk}/barriers")
        page = client.get(reverse("support:learner_support", args=[learner.pk])).content.decode()
        return api, page

    api, page = reads()
    assert api.status_code == 403 and "accord" in api.json()["detail"]
    assert "Santé" not in page and "pas donné son accord" in page
    assert Barrier.objects.visible_to(cast.prescriber).count() == 0

    # Given: the categories appear; withdrawn the next day: gone at once.
    support_services.consent_record(
        learner=learner, scope=ConsentScope.SHARE_PRESCRIBER, given=True, by=cast.social_worker_a
    )
    api, page = reads()
    assert api.status_code == 200 and [b["category"]["code"] for b in api.json()["items"]] == ["sante"]
    assert "Santé" in page
    support_services.consent_record(
        learner=learner,
        scope=ConsentScope.SHARE_PRESCRIBER,
        given=False,
        by=cast.social_worker_a,
        on=timezone.localdate() + dt.timedelta(days=0),
    )
    api, page = reads()
    assert api.status_code == 403 and "Santé" not in page


def test_a_consent_given_before_a_new_prescribers_referral_is_not_given_to_them(client, cast, communes):
    """A young person agreed to share with the counsellor who sent them last year; another
    organisation's counsellor who refers them again does not inherit that consent."""
    france_travail = OrganisationFactory(
        network=cast.network, kind=OrganisationKind.PRESCRIBER, name="FT Chelles"
    )
    PartnershipFactory(school=cast.school_a, organisation=france_travail)
    other = _member(cast, "prescription.ft@test.example", "prescriber", organisation=france_travail)
    learner = LearnerFactory(school=cast.school_a, commune=communes["77108"])
    ReferralFactory(
        learner=learner,
        school=cast.school_a,
        prescriber=other,
        referred_on=dt.date(2025, 1, 6),
        status=ReferralStatus.CANCELLED,
    )
    support_services.barrier_set(
        learner=learner, category="logement", level=BarrierLevel.WATCH, by=cast.social_worker_a
    )
    support_services.consent_record(
        learner=learner,
        scope=ConsentScope.SHARE_PRESCRIBER,
        given=True,
        by=cast.social_worker_a,
        on=dt.date(2025, 2, 1),
    )
    ReferralFactory(
        learner=learner, school=cast.school_a, prescriber=cast.prescriber, referred_on=timezone.localdate()
    )
    assert _api(client, cast.prescriber)("get", f"/learners/{learner.pk}/barriers").status_code == 403
    assert _api(client, other)("get", f"/learners/{learner.pk}/barriers").status_code == 200
