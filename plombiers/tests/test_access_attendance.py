"""The access rule of DESIGN.md on every attendance page (calendar, sheet, phone, today).

Whoever may not see a cohort or a half-day gets 404, as for one that does not exist. Whoever sees it
but may not keep its sheet (a social worker, a learner of the cohort) gets 403. Nothing is ever
written by a refused request.
"""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from plombiers.cohorts import attendance as svc
from plombiers.cohorts.enums import AttendanceStatus, Period, SessionKind
from plombiers.cohorts.models import Attendance, AttendanceAmendment, Signature, TrainingSession
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.tests import access

ROLES = access.ROLES
SEES = access.TEAM_AND_LEARNER
KEEPS = access.TRAINING_TEAM
MONDAY = dt.date(2026, 10, 5)
STROKES = json.dumps([[[10, 10], [50, 40], [90, 20], [140, 60]]])


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC), tick=False):
        yield MONDAY


@pytest.fixture
def objects(cast):
    def make(school, trainer, learner_user=None):
        cohort = CohortFactory(school=school, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18))
        enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(user=learner_user))
        today = svc.session_create(cohort=cohort, by=trainer, date=MONDAY, period=Period.MORNING)
        locked = svc.session_create(cohort=cohort, by=trainer, date=MONDAY, period=Period.AFTERNOON)
        svc.attendance_mark(
            session=locked, by=trainer, marks=[svc.Mark(enrolment.pk, AttendanceStatus.ABSENT)]
        )
        with time_machine.travel(dt.datetime(2026, 10, 5, 15, 0, tzinfo=dt.UTC), tick=False):
            svc.sheet_lock(session=locked, by=trainer, strokes=json.loads(STROKES))  # at 17:00, its end
        return SimpleNamespace(cohort=cohort, enrolment=enrolment, session=today, locked=locked)

    return {
        "a": make(cast.school_a, cast.trainer_a, cast.learner_a),
        "b": make(cast.school_b, cast.trainer_b),
    }


def _read(role, school):
    return 200 if school in SEES.get(role, set()) else 404


def _keep(role, school):
    if school in KEEPS.get(role, set()):
        return 200
    return 403 if school in SEES.get(role, set()) else 404


def _sheet(role, school):
    """The sheet names every learner: the school's side reads it, a learner of the cohort does not."""
    if role == "learner_a" and school == "a":
        return 403
    return _read(role, school)


def _nothing_written():
    assert TrainingSession.objects.count() == 4
    assert set(Attendance.objects.values_list("status", flat=True)) == {AttendanceStatus.ABSENT}
    assert Signature.objects.count() == 2, "the two trainers' signatures of the locked sheets"
    assert not AttendanceAmendment.objects.exists()
    assert not TrainingSession.objects.exclude(signing_code="").exists()
    assert set(TrainingSession.objects.values_list("kind", flat=True)) == {SessionKind.PLATFORM}


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    for school in "ab":
        o = objects[school]
        pages = {
            reverse("cohorts:cohort_calendar", args=[o.cohort.pk]): _read(role, school),
            reverse("cohorts:session_create", args=[o.cohort.pk]): _keep(role, school),
            reverse("cohorts:session_edit", args=[o.session.pk]): _keep(role, school),
            reverse("cohorts:session_detail", args=[o.session.pk]): _sheet(role, school),
            reverse("cohorts:session_detail", args=[o.locked.pk]): _sheet(role, school),
        }
        for url, status in pages.items():
            assert client.get(url).status_code == status, (role, url)
    today = client.get(reverse("cohorts:sessions_today"))
    if role == "learner_a":
        assert today.status_code == 302 and today["Location"] == reverse("cohorts:sign_with_code")
    else:
        html = today.content.decode()
        for school in "ab":
            shown = reverse("cohorts:session_detail", args=[objects[school].session.pk]) in html
            assert shown == (school in SEES.get(role, set())), (role, school)
    phone = client.get(reverse("cohorts:sign_with_code"))
    assert phone.status_code == (200 if role == "learner_a" else 403), role


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("staff",)])
def test_writes_are_refused_and_write_nothing(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    for school in "ab":
        if school in KEEPS.get(role, set()):
            continue
        o = objects[school]
        status = _keep(role, school)
        mark = {"enrolment": o.enrolment.pk, "status": AttendanceStatus.PRESENT}
        posts = [
            ("schedule_generate", o.cohort, {"weekdays": ["5"], "kind": "theorie"}),
            ("session_create", o.cohort, {"date": "2026-10-06", "period": "matin"}),
            ("session_edit", o.session, {"kind": SessionKind.THEORY}),
            ("session_delete", o.session, {"confirm": "1"}),
            ("attendance_mark", o.session, mark),
            ("attendance_mark", o.session, {"tous": "1"}),
            ("attendance_sign", o.session, {"enrolment": o.enrolment.pk, "strokes": STROKES}),
            ("signing_code_issue", o.session, {}),
            ("sheet_lock", o.session, {"strokes": STROKES}),
            ("attendance_amend", o.locked, {**mark, "reason": "Piratage"}),
        ]
        for name, obj, data in posts:
            url = reverse(f"cohorts:{name}", args=[obj.pk])
            assert client.post(url, data).status_code == status, (role, url)
    _nothing_written()


def test_a_learner_cannot_sign_for_another_cohort_with_its_code(client, cast, objects):
    """Learner A holds the code of school B's half-day: her own cohort's sheet has no code running."""
    code = svc.signing_code_issue(session=objects["b"].session, by=cast.trainer_b).signing_code
    client.force_login(cast.learner_a)
    response = client.post(reverse("cohorts:sign_with_code"), {"code": code, "strokes": STROKES})
    assert "Ce code n&#x27;est pas le bon" in response.content.decode()
    assert not Attendance.objects.filter(signature__isnull=False).exists()


@pytest.mark.parametrize(
    "name", ["session_detail", "attendance_mark", "attendance_sign", "signing_code_issue", "sheet_lock"]
)
def test_writes_are_post_only(client, cast, objects, name):
    client.force_login(cast.trainer_a)
    status = 200 if name == "session_detail" else 405
    assert client.get(reverse(f"cohorts:{name}", args=[objects["a"].session.pk])).status_code == status


@pytest.mark.parametrize(
    "url",
    ["/promotions/1/calendrier/", "/promotions/1/calendrier/ajouter/", "/demi-journees/aujourdhui/",
     "/demi-journees/1/", "/demi-journees/1/modifier/", "/emargement/"],
)  # fmt: skip
def test_anonymous_visitors_are_sent_to_login(client, cast, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


@pytest.fixture
def proofs(cast):
    """An excused absence with its proof (a PDF) in each school; in school A, learner_a's own."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make(school, trainer, learner_user=None):
        cohort = CohortFactory(school=school, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18))
        enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(user=learner_user))
        session = svc.session_create(cohort=cohort, by=trainer, date=MONDAY, period=Period.MORNING)
        proof = SimpleUploadedFile("certificat médical Dupont.pdf", b"%PDF-1.4\n%test\n", "application/pdf")
        (mark,) = svc.attendance_mark(
            session=session,
            by=trainer,
            marks=[svc.Mark(enrolment.pk, AttendanceStatus.EXCUSED, excuse_reason="Maladie", proof=proof)],
        )
        return mark

    return SimpleNamespace(
        a=make(cast.school_a, cast.trainer_a, cast.learner_a), b=make(cast.school_b, cast.trainer_b)
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_proof_of_an_absence_is_for_the_team_and_the_young_person(client, cast, proofs, role):
    client.force_login(getattr(cast, role))
    for school in ("a", "b"):
        mark = getattr(proofs, school)
        response = client.get(reverse("cohorts:attendance_proof", args=[mark.pk]))
        allowed = school in SEES.get(role, set())
        if role == "learner_a":
            allowed = mark.enrolment.learner.user_id == cast.learner_a.pk
        assert response.status_code == (200 if allowed else 404), (role, school)
        if allowed:
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith("attachment")
            assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "Dupont" not in proofs.a.proof.name, "the name given by the uploader never reaches the disk"


def test_a_learner_does_not_get_another_learner_s_proof(client, cast, proofs):
    other = EnrolmentFactory(cohort=proofs.a.session.cohort, learner=LearnerFactory())
    from django.core.files.uploadedfile import SimpleUploadedFile

    (mark,) = svc.attendance_mark(
        session=proofs.a.session,
        by=cast.trainer_a,
        marks=[
            svc.Mark(
                other.pk,
                AttendanceStatus.EXCUSED,
                excuse_reason="Convocation",
                proof=SimpleUploadedFile("c.pdf", b"%PDF-1.4\n", "application/pdf"),
            )
        ],
    )
    client.force_login(cast.learner_a)
    assert client.get(reverse("cohorts:attendance_proof", args=[mark.pk])).status_code == 404
