"""The access rule of DESIGN.md on every page and endpoint of exits and follow-ups.

Whoever may not see an exit (another school, a funder, an outsider) gets 404, as for one that does
not exist. The school's manager and social workers (and the network staff) record exits and
follow-ups; trainers read; the young person reads their own; their prescriber reads and reports a
follow-up. Nothing is ever written by a refused request. The link page needs no account.
"""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from plombiers.accounts.services import api_token_create
from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.outcomes import services
from plombiers.outcomes.enums import ExitType, FollowUpStatus
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.tests.factories import LearnerFactory, referred_by
from plombiers.tests import access

ROLES = access.ROLES
SEES = access.LEARNER_FILE
RECORDS = access.EXIT_RECORDERS
REPORTS = access.FOLLOW_UP_REPORTERS
TEAM_PAGES = set(access.SCHOOL_TEAM)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2027, 1, 25, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def objects(cast):
    """At each school, one young person: an earlier enrolment dropped out with no exit yet, then a
    completed one with its exit (school A's: the learner of the cast, referred by the prescriber)."""

    def make(school, recorder, learner_user=None):
        earlier = CohortFactory(school=school, start_date=dt.date(2026, 1, 5), end_date=dt.date(2026, 4, 24))
        cohort = CohortFactory(school=school, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18))
        learner = LearnerFactory(user=learner_user)
        pending = EnrolmentFactory(
            cohort=earlier,
            learner=learner,
            status=EnrolmentStatus.DROPPED_OUT,
            drop_out_reason="sante",
            end_date=dt.date(2026, 2, 13),
        )
        enrolment = EnrolmentFactory(
            cohort=cohort, learner=learner, status=EnrolmentStatus.COMPLETED, end_date=cohort.end_date
        )
        exit = services.exit_record(enrolment, by=recorder, exit_type=ExitType.JOB_SEEKING)
        return SimpleNamespace(
            pending=pending,
            enrolment=enrolment,
            exit=exit,
            one=exit.follow_ups.get(horizon=1),
            learner=learner,
        )

    objects = {
        "a": make(cast.school_a, cast.manager_a, cast.learner_a),
        "b": make(cast.school_b, cast.manager_b),
    }
    referred_by(cast.prescriber, objects["a"].learner, cast.school_a)
    # The audit trail is append-only: the setup's events are told apart by their ids.
    objects["audited_before"] = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return objects


def _read(role, school):
    return 200 if school in SEES.get(role, set()) else 404


def _act(role, school, allowed=RECORDS, ok=200):
    if school in allowed.get(role, set()):
        return ok
    return 403 if school in SEES.get(role, set()) else 404


def _nothing_written(objects):
    assert Exit.objects.count() == 2
    assert set(Exit.objects.values_list("exit_type", flat=True)) == {ExitType.JOB_SEEKING}
    assert not FollowUp.objects.exclude(status=FollowUpStatus.DUE).exists()
    since = AuditEvent.objects.filter(pk__gt=objects["audited_before"])
    assert not since.filter(action__startswith=("exit.")).exists()
    assert not since.filter(action__startswith=("follow_up.")).exists()


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    lists = [
        reverse("outcomes:exit_list"),
        reverse("outcomes:to_record_list"),
        reverse("outcomes:follow_up_list"),
    ]
    for url in lists:
        opens = role in TEAM_PAGES or role in access.NETWORK_STAFF
        assert client.get(url).status_code == (200 if opens else 404), (role, url)
    if role in TEAM_PAGES or role in access.NETWORK_STAFF:  # staff_other: their network's, empty
        response = client.get(reverse("outcomes:exit_list"))
        sees = SEES.get(role, set())
        assert set(response.context["page"].object_list) == {objects[s].exit for s in sees}, role
        assert set(response.context["pending"]) == {objects[s].pending for s in sees}, role
        response = client.get(reverse("outcomes:follow_up_list"))
        assert set(response.context["page"].object_list) == {objects[s].one for s in sees}, role
    for school in "ab":
        o = objects[school]
        pages = {
            reverse("outcomes:exit_detail", args=[o.exit.pk]): _read(role, school),
            reverse("outcomes:exit_edit", args=[o.exit.pk]): _act(role, school),
            reverse("outcomes:exit_create", args=[o.pending.pk]): _act(role, school),
            reverse("outcomes:follow_up_record", args=[o.one.pk]): _act(role, school, REPORTS),
        }
        for url, status in pages.items():
            assert client.get(url).status_code == status, (role, url)
    assert client.get(reverse("outcomes:my_follow_up")).status_code == 200
    _nothing_written(objects)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "staff"])
def test_writes_are_refused_and_write_nothing(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    for school in "ab":
        o = objects[school]
        if school not in RECORDS.get(role, set()):
            status = _act(role, school)
            response = client.post(
                reverse("outcomes:exit_create", args=[o.pending.pk]),
                {"exit_type": "cdi", "exit_date": "2026-02-13"},
            )
            assert response.status_code == status, (role, school)
            response = client.post(
                reverse("outcomes:exit_edit", args=[o.exit.pk]),
                {"exit_type": "cdi", "exit_date": "2026-12-18", "reason": "Piratage"},
            )
            assert response.status_code == status, (role, school)
        if school not in REPORTS.get(role, set()):
            response = client.post(
                reverse("outcomes:follow_up_record", args=[o.one.pk]),
                {f"suivi-{o.one.pk}-situation_type": "cdi"},
            )
            assert response.status_code == _act(role, school, REPORTS), (role, school)
    _nothing_written(objects)


def test_the_link_page_needs_no_account(client, objects):
    url = services.follow_up_link(objects["a"].one)
    assert client.get(url).status_code == 200
    assert client.get(reverse("outcomes:answer", args=["1:faux"])).status_code == 404


def test_anonymous_users_go_to_the_login_page(client, objects):
    for url in (reverse("outcomes:exit_list"), reverse("outcomes:exit_detail", args=[objects["a"].exit.pk])):
        assert client.get(url).status_code == 302


# --- the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r != "outsider"] + ["outsider"])
def test_api(client, cast, objects, role):
    _token, raw = api_token_create(user=getattr(cast, role))
    headers = {"Authorization": f"Bearer {raw}"}
    seen = SEES.get(role, set())
    listed = client.get("/api/v1/exits", headers=headers).json()
    assert {item["id"] for item in listed["items"]} == {objects[s].exit.pk for s in seen}, role
    listed = client.get("/api/v1/follow-ups?horizon=1", headers=headers).json()
    assert {item["id"] for item in listed["items"]} == {objects[s].one.pk for s in seen}, role
    for school in "ab":
        o = objects[school]
        assert client.get(f"/api/v1/exits/{o.exit.pk}", headers=headers).status_code == _read(role, school)
        if school not in RECORDS.get(role, set()):
            response = client.post(
                f"/api/v1/enrolments/{o.pending.pk}/exit",
                json.dumps({"type": "cdi"}),
                content_type="application/json",
                headers=headers,
            )
            assert response.status_code == _act(role, school, ok=201), (role, school)
        reporters = {**REPORTS, "learner_a": {"a"}}
        if school not in reporters.get(role, set()):
            response = client.put(
                f"/api/v1/follow-ups/{o.one.pk}",
                json.dumps({"type": "cdi"}),
                content_type="application/json",
                headers=headers,
            )
            assert response.status_code == _act(role, school, reporters), (role, school)
    _nothing_written(objects)
