"""The access rule of DESIGN.md on every page and endpoint of referrals, learners and information
sessions: what a role may not see answers 404, like what does not exist; the reason of a decision
that the school did not share never reaches the prescriber."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse

from plombiers.accounts.services import api_token_create
from plombiers.referrals import services
from plombiers.referrals.enums import DecisionReason, Diploma, ReferralStatus
from plombiers.tests import access

ROLES = access.ROLES
SCHOOL_A = access.TEAM_ROLES["a"]
SCHOOL_B = access.TEAM_ROLES["b"]
# Which referrals (and so which young people) each role sees.
SEES_REFERRALS = {
    "staff": {"by_prescriber", "by_school_a", "in_school_b"},
    **{role: {"by_prescriber", "by_school_a"} for role in SCHOOL_A},
    **{role: {"in_school_b"} for role in SCHOOL_B},
    "prescriber": {"by_prescriber"},
}
SEES_SESSIONS = {
    "staff": {"session_a", "session_b"},
    **{role: {"session_a"} for role in SCHOOL_A},
    **{role: {"session_b"} for role in SCHOOL_B},
}
SCHOOL_SIDE = access.SCHOOL_SIDE
SECRET = "Suivi psychiatrique en cours"


@pytest.fixture
def intake(cast):
    def refer(by, school, first_name):
        return services.referral_create(
            by=by,
            school=school,
            learner_data={
                "first_name": first_name,
                "last_name": "Témoin",
                "birth_date": dt.date(2006, 5, 4),
                "highest_diploma": Diploma.NONE,
            },
        ).referral

    by_prescriber = refer(cast.prescriber, cast.school_a, "Prescrit")
    by_school_a = refer(cast.manager_a, cast.school_a, "Direct")
    in_school_b = refer(cast.staff, cast.school_b, "Roubaisien")
    services.referral_transition(
        referral=by_prescriber,
        to=ReferralStatus.REFUSED,
        by=cast.manager_a,
        reason=DecisionReason.BARRIERS,
        reason_detail=SECRET,
        note="Note interne de l'équipe",
    )
    when = dt.datetime(2026, 5, 12, 9, tzinfo=dt.UTC)
    session_a = services.session_create(
        school=cast.school_a, by=cast.manager_a, starts_at=when, place="Salle A"
    )
    session_b = services.session_create(
        school=cast.school_b, by=cast.manager_b, starts_at=when, place="Salle B"
    )
    return SimpleNamespace(
        referrals={"by_prescriber": by_prescriber, "by_school_a": by_school_a, "in_school_b": in_school_b},
        sessions={"session_a": session_a, "session_b": session_b},
    )


def _expected(allowed: dict, role: str, name: str) -> int:
    return 200 if name in allowed.get(role, set()) else 404


@pytest.mark.parametrize("role", ROLES)
def test_referral_and_learner_pages(client, cast, intake, role):
    client.force_login(getattr(cast, role))
    for name, referral in intake.referrals.items():
        expected = _expected(SEES_REFERRALS, role, name)
        assert client.get(referral.get_absolute_url()).status_code == expected, (role, name)
        assert client.get(referral.learner.get_absolute_url()).status_code == expected, (role, name)
        decision = client.post(
            reverse("referrals:referral_transition", args=[referral.pk]), {"to": ReferralStatus.CANCELLED}
        )
        if expected == 404:
            assert decision.status_code == 404, (role, name)
    listed = client.get(reverse("referrals:referral_list")).content.decode()
    learners = client.get(reverse("referrals:learner_list")).content.decode()
    for name, referral in intake.referrals.items():
        visible = name in SEES_REFERRALS.get(role, set())
        assert (referral.learner.first_name in listed) == visible, (role, name)
        assert (referral.learner.first_name in learners) == visible, (role, name)
    # Nothing was cancelled through a referral the role cannot see.
    for name, referral in intake.referrals.items():
        if name not in SEES_REFERRALS.get(role, set()):
            referral.refresh_from_db()
            assert referral.status != ReferralStatus.CANCELLED, (role, name)


@pytest.mark.parametrize("role", [r for r in ROLES if "by_prescriber" in SEES_REFERRALS.get(r, set())])
def test_the_unshared_reason_and_school_notes_stay_at_the_school(client, cast, intake, role):
    """The roles that see the refused referral at all; the others get a 404 (above)."""
    referral = intake.referrals["by_prescriber"]
    client.force_login(getattr(cast, role))
    page = client.get(referral.get_absolute_url()).content.decode()
    _token, raw = api_token_create(user=getattr(cast, role))
    api = client.get(f"/api/v1/referrals/{referral.pk}", headers={"Authorization": f"Bearer {raw}"}).json()
    school_side = role in SCHOOL_SIDE
    assert "Refusée" in page
    assert (SECRET in page) == school_side, role
    assert ("Note interne" in page) == school_side, role
    assert (DecisionReason.BARRIERS.label.replace("'", "&#x27;") in page) == school_side, role
    assert (SECRET in str(api)) == school_side, role
    assert (api["reason"] == DecisionReason.BARRIERS) == school_side, role


@pytest.mark.parametrize("role", ROLES)
def test_information_session_pages(client, cast, intake, role):
    client.force_login(getattr(cast, role))
    school_side = role in SCHOOL_SIDE or role in access.NETWORK_STAFF
    assert client.get(reverse("referrals:session_list")).status_code == (200 if school_side else 403)
    create = client.get(reverse("referrals:session_create"))
    assert create.status_code == (200 if school_side else 403)
    if role == "staff_other":  # a session in their own network's schools only
        assert cast.school_a.name not in create.content.decode()
    for name, session in intake.sessions.items():
        expected = _expected(SEES_SESSIONS, role, name) if school_side else 403
        assert client.get(session.get_absolute_url()).status_code == expected, (role, name)
        invite = client.post(reverse("referrals:session_invite", args=[session.pk]), {"referrals": []})
        attendance = client.post(reverse("referrals:session_attendance", args=[session.pk]), {"present": []})
        if expected != 200:
            assert invite.status_code == attendance.status_code == expected, (role, name)
    if school_side:
        listed = client.get(reverse("referrals:session_list")).content.decode()
        for name in intake.sessions:
            sees = name in SEES_SESSIONS.get(role, set())
            assert (f"Salle {name[-1].upper()}" in listed) == sees, (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_referral_creation_page(client, cast, role):
    client.force_login(getattr(cast, role))
    allowed = role in {*access.NETWORK_STAFF, "manager_a", "manager_b", "prescriber"}
    response = client.get(reverse("referrals:referral_create"))
    assert response.status_code == (200 if allowed else 403)
    if role == "staff_other":  # a referral to their own network's schools only
        assert cast.school_a.name not in response.content.decode()
        assert cast.school_b.name not in response.content.decode()


def test_a_manager_cannot_refer_to_another_school(client, cast):
    client.force_login(cast.manager_a)
    form = client.get(reverse("referrals:referral_create")).context["form"]
    assert list(form.fields["school"].queryset) == [cast.school_a]


@pytest.mark.parametrize("role", ROLES)
def test_api(client, cast, intake, role):
    _token, raw = api_token_create(user=getattr(cast, role))
    headers = {"Authorization": f"Bearer {raw}"}
    for name, referral in intake.referrals.items():
        expected = _expected(SEES_REFERRALS, role, name)
        assert client.get(f"/api/v1/referrals/{referral.pk}", headers=headers).status_code == expected, role
        assert (
            client.get(f"/api/v1/learners/{referral.learner_id}", headers=headers).status_code == expected
        ), role
        move = client.post(
            f"/api/v1/referrals/{referral.pk}/transitions",
            {"to": "annulee"},
            content_type="application/json",
            headers=headers,
        )
        if expected == 404:
            assert move.status_code == 404, (role, name)
    referrals = {item["id"] for item in client.get("/api/v1/referrals", headers=headers).json()["items"]}
    learners = {item["id"] for item in client.get("/api/v1/learners", headers=headers).json()["items"]}
    visible = {name: r for name, r in intake.referrals.items() if name in SEES_REFERRALS.get(role, set())}
    assert referrals == {r.pk for r in visible.values()}, role
    assert learners == {r.learner_id for r in visible.values()}, role


@pytest.mark.parametrize(
    "url",
    ["/prescriptions/", "/prescriptions/nouvelle/", "/prescriptions/1/", "/jeunes/", "/jeunes/1/",
     "/informations-collectives/", "/informations-collectives/nouvelle/", "/informations-collectives/1/"],
)  # fmt: skip
def test_anonymous_visitors_are_sent_to_login(client, cast, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


@pytest.mark.parametrize(
    "url", ["/api/v1/referrals", "/api/v1/referrals/1", "/api/v1/learners", "/api/v1/learners/1"]
)
def test_anonymous_api_calls_get_401(client, cast, url):
    assert client.get(url).status_code == 401
    assert client.post("/api/v1/referrals", {}, content_type="application/json").status_code == 401
