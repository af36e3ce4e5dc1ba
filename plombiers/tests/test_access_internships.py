"""The access rule of DESIGN.md on every internship page.

Whoever may not see an internship (another school, a funder, an outsider) gets 404, as for one that
does not exist. The young person and their prescriber read their own internship; a social worker
reads the school's; none of them acts (403). Nothing is ever written by a refused request. The pages
opened through a personal link need no account.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.internships import services as svc
from plombiers.internships.enums import InternshipStatus
from plombiers.internships.models import ConventionSignature, Internship, TutorEvaluation
from plombiers.internships.tests.factories import CompanySiteFactory, ContactFactory, InternshipFactory
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.tests.factories import LearnerFactory, referred_by
from plombiers.tests import access

ROLES = access.ROLES
SEES = access.LEARNER_FILE
TEAM = access.TRAINING_TEAM


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def objects(cast):
    def make(school, company, learner_user=None):
        cohort = CohortFactory(school=school, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18))
        learner = LearnerFactory(user=learner_user)
        enrolment = EnrolmentFactory(cohort=cohort, learner=learner)
        site = CompanySiteFactory(company=company, commune=school.commune)
        tutor = ContactFactory(organisation=company)
        draft = InternshipFactory(enrolment=enrolment, site=site, tutor=tutor)
        return SimpleNamespace(enrolment=enrolment, draft=draft, learner=learner)

    objects = {
        "a": make(cast.school_a, cast.company_a, cast.learner_a),
        "b": make(cast.school_b, cast.company_b),
    }
    referred_by(cast.prescriber, objects["a"].learner, cast.school_a)
    return objects


def _read(role, school):
    return 200 if school in SEES.get(role, set()) else 404


def _act(role, school, ok=200):
    if school in TEAM.get(role, set()):
        return ok
    return 403 if school in SEES.get(role, set()) else 404


def _nothing_written():
    assert set(Internship.objects.values_list("status", flat=True)) == {InternshipStatus.DRAFT}
    assert not ConventionSignature.objects.exists()
    assert not TutorEvaluation.objects.exists()
    assert (
        not AuditEvent.objects.filter(action__startswith="internship.")
        .exclude(action="internship.convention_pdf")
        .exists()
    )


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    listed = set(client.get(reverse("internships:internship_list")).context["page"].object_list)
    assert listed == {objects[s].draft for s in SEES.get(role, set())}, role
    for school in "ab":
        o = objects[school]
        pages = {
            reverse("internships:internship_list") + f"?inscription={o.enrolment.pk}": _read(role, school),
            reverse("internships:internship_create") + f"?inscription={o.enrolment.pk}": _act(role, school),
            reverse("internships:internship_detail", args=[o.draft.pk]): _read(role, school),
            reverse("internships:internship_edit", args=[o.draft.pk]): _act(role, school),
            reverse("internships:convention_pdf", args=[o.draft.pk]): _read(role, school),
        }
        for url, status in pages.items():
            assert client.get(url).status_code == status, (role, url)
    # The actions are no page: GET is not allowed.
    for name in ("internship_transition", "convention_send", "evaluation_request", "evaluation_send"):
        url = reverse(f"internships:{name}", args=[objects["a"].draft.pk])
        assert client.get(url).status_code == 405, (role, name)
    assert AuditEvent.objects.filter(action="internship.convention_pdf").count() == len(SEES.get(role, set()))


@pytest.mark.parametrize("role", [r for r in ROLES if r != "staff"])
def test_writes_are_refused_and_write_nothing(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    for school in "ab":
        if school in TEAM.get(role, set()):
            continue
        o = objects[school]
        status = _act(role, school)
        posts = [
            ("internship_transition", {"to": InternshipStatus.TO_SIGN}),
            ("internship_transition", {"to": InternshipStatus.INTERRUPTED, "reason": "Piratage"}),
            ("internship_edit", {"weekly_hours": "20"}),
            ("convention_send", {}),
            ("evaluation_request", {}),
            ("evaluation_send", {}),
        ]
        for name, data in posts:
            url = reverse(f"internships:{name}", args=[o.draft.pk])
            assert client.post(url, data).status_code == status, (role, url)
        url = reverse("internships:internship_create") + f"?inscription={o.enrolment.pk}"
        data = {"kind": "stage", "site": o.draft.site_id, "tutor": o.draft.tutor_id}
        assert (
            client.post(url, {**data, "start_date": "2026-12-01", "end_date": "2026-12-04"}).status_code
            == status
        )
    _nothing_written()
    assert Internship.objects.count() == 2


def test_the_team_of_each_school_acts_on_its_own(client, cast, objects):
    for role, school in (("trainer_a", "a"), ("manager_b", "b"), ("staff", "a")):
        client.force_login(getattr(cast, role))
        draft = objects[school].draft
        url = reverse("internships:internship_transition", args=[draft.pk])
        assert client.post(url, {"to": InternshipStatus.TO_SIGN}).status_code == 302
        draft.refresh_from_db()
        assert draft.status == InternshipStatus.TO_SIGN, role
        svc.internship_transition(internship=draft, to=InternshipStatus.DRAFT, by=getattr(cast, role))


def test_the_pages_of_the_links_need_no_account_and_the_others_do(client, cast, objects):
    draft = objects["a"].draft
    svc.internship_transition(internship=draft, to=InternshipStatus.TO_SIGN, by=cast.trainer_a)
    signature = draft.signatures.first()
    link = svc.signing_link(signature)
    assert client.get(link).status_code == 200
    assert client.get(link + "convention.pdf").status_code == 200
    for url in (
        reverse("internships:internship_list"),
        reverse("internships:internship_detail", args=[draft.pk]),
        reverse("internships:convention_pdf", args=[draft.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/comptes/login/" in response["Location"], url
    evaluation = TutorEvaluation.objects.create(
        internship=draft, nonce="a" * 32, expires_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    )
    assert client.get(svc.evaluation_link(evaluation)).status_code == 200
