"""The attendance API: a cohort's half-days, the sheet of each one, the hours of each learner."""

import datetime as dt

import pytest
import schemathesis
import time_machine
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from plombiers.accounts.services import api_token_create
from plombiers.cohorts import attendance as svc
from plombiers.cohorts.enums import AttendanceStatus, Period, SessionKind
from plombiers.cohorts.models import Attendance, TrainingSession
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.frameworks.models import Block, Framework
from plombiers.network.models import Trade
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.tests import access
from plombiers.wsgi import application

STROKES = [[[10, 10], [50, 40], [90, 20], [140, 60]]]
MONDAY = dt.date(2026, 10, 5)
JSON = "application/json"


def headers_for(client, user):
    _token, raw = api_token_create(user=user)
    headers = {"Authorization": f"Bearer {raw}"}
    # The first call stamps the token's last use (then at most once a minute): keep it out of counts.
    client.get("/api/v1/cohorts?limit=1", headers=headers)
    return headers


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC), tick=False):
        yield MONDAY


@pytest.fixture
def cohort(cast):
    return CohortFactory(
        school=cast.school_a,
        name="Promotion automne",
        start_date=dt.date(2026, 9, 7),
        end_date=dt.date(2026, 12, 18),
    )


@pytest.fixture
def three(cohort, cast):
    """Three learners; Inès has an account (the cast's learner)."""
    ines = LearnerFactory(first_name="Inès", last_name="Arnaud", user=cast.learner_a)
    return [
        EnrolmentFactory(cohort=cohort, learner=ines),
        EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Bilal", last_name="Benali")),
        EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Chloé", last_name="Caron")),
    ]


@pytest.fixture
def trainer(client, cast):
    return headers_for(client, cast.trainer_a)


def session_on(cohort, by, date=MONDAY, period=Period.MORNING, **kwargs):
    return svc.session_create(cohort=cohort, by=by, date=date, period=period, **kwargs)


def put_marks(client, session, headers, *marks):
    return client.put(
        f"/api/v1/sessions/{session.pk}/attendance",
        {"marks": list(marks)},
        content_type=JSON,
        headers=headers,
    )


def sign_and_lock(session, cast, enrolments):
    for enrolment in enrolments:
        svc.attendance_sign(session=session, enrolment=enrolment, strokes=STROKES, by=cast.trainer_a)
    return svc.sheet_lock(session=session, by=cast.trainer_a, strokes=STROKES)


# --- the calendar ------------------------------------------------------------------------------


def test_session_list_fields_and_date_filters(client, cast, cohort, three, trainer, today):
    framework = Framework.objects.create(trade=cohort.trade, version="1", title="Fibre")
    cohort.framework = framework
    cohort.save()
    block = Block.objects.create(framework=framework, code="B1", title="Raccorder")
    monday = session_on(cohort, cast.trainer_a, block=block, trainer=cast.trainer_a)
    session_on(cohort, cast.trainer_a, period=Period.AFTERNOON, kind=SessionKind.THEORY)
    session_on(cohort, cast.trainer_a, date=dt.date(2026, 10, 12))
    session_on(CohortFactory(school=cast.school_a), cast.trainer_a)
    svc.attendance_mark(
        session=monday, by=cast.trainer_a, marks=[svc.Mark(e.pk, AttendanceStatus.PRESENT) for e in three]
    )
    svc.attendance_sign(session=monday, enrolment=three[0], strokes=STROKES, by=cast.trainer_a)

    body = client.get(f"/api/v1/cohorts/{cohort.pk}/sessions", headers=trainer).json()
    assert body["count"] == 3
    first = body["items"][0]
    assert first == {
        "id": monday.pk,
        "cohort": cohort.pk,
        "date": "2026-10-05",
        "period": "matin",
        "start_time": "09:00:00",
        "end_time": "12:30:00",
        "duration_minutes": 210,
        "kind": "plateau",
        "block": block.pk,
        "block_code": "B1",
        "trainer": cast.trainer_a.pk,
        "trainer_name": cast.trainer_a.get_full_name(),
        "locked": False,
        "locked_at": None,
        "marks_count": 3,
        "signed_count": 1,
    }
    assert [(i["period"], i["kind"], i["block_code"]) for i in body["items"][1:]] == [
        ("apres_midi", "theorie", None),
        ("matin", "plateau", None),
    ]
    later = client.get(f"/api/v1/cohorts/{cohort.pk}/sessions?from=2026-10-06", headers=trainer).json()
    assert [i["date"] for i in later["items"]] == ["2026-10-12"]
    until = client.get(f"/api/v1/cohorts/{cohort.pk}/sessions?to=2026-10-05&limit=1", headers=trainer).json()
    assert until["count"] == 2 and len(until["items"]) == 1
    assert client.get(f"/api/v1/cohorts/{cohort.pk}/sessions?from=lundi", headers=trainer).status_code == 422


@pytest.mark.parametrize("rows", [3, 10])
def test_session_list_query_count_is_constant(
    client, cast, cohort, three, trainer, today, django_assert_num_queries, rows
):
    days = [MONDAY - dt.timedelta(days=7 * week + day) for week in range(3) for day in range(5)]
    for day in days[:rows]:
        session = session_on(cohort, cast.trainer_a, date=day, trainer=cast.trainer_a)
        svc.attendance_mark(
            session=session, by=cast.trainer_a, marks=[svc.Mark(three[0].pk, AttendanceStatus.PRESENT)]
        )
    # token, cohort, count, page of half-days with their trainer, block and mark counts
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/cohorts/{cohort.pk}/sessions?limit=500", headers=trainer)
    assert response.json()["count"] == rows
    assert {i["marks_count"] for i in response.json()["items"]} == {1}


def test_trainer_adds_a_half_day(client, cast, cohort, trainer):
    response = client.post(
        f"/api/v1/cohorts/{cohort.pk}/sessions",
        {"date": "2026-10-06", "period": "apres_midi", "start_time": "14:00", "kind": "theorie"},
        content_type=JSON,
        headers=trainer,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["start_time"], body["end_time"], body["duration_minutes"]) == ("14:00:00", "17:00:00", 180)
    assert (body["kind"], body["trainer"], body["marks_count"]) == ("theorie", None, 0)
    session = TrainingSession.objects.get()
    assert (session.pk, session.cohort, session.date) == (body["id"], cohort, dt.date(2026, 10, 6))


@pytest.mark.parametrize(
    ("overrides", "detail"),
    [
        ({"date": "2027-01-04"}, "comprise entre le début et la fin"),
        ({"date": "2026-10-05"}, "existe déjà"),
        ({"start_time": "12:00", "end_time": "11:00"}, "L'heure de fin doit suivre"),
        ({"start_time": "14:00", "end_time": "15:00"}, "Une matinée commence avant 13 h."),
        ({"start_time": "09:00:30"}, "Requête invalide."),
        ({"start_time": "09:00+02:00"}, "Requête invalide."),
        ({"period": "soir"}, "Requête invalide."),
        ({"trainer": "trainer_b"}, "équipe de formation de l'école"),
        ({"trainer": "social_worker_a"}, "équipe de formation de l'école"),
        ({"block": 999999}, "Ce bloc de compétences n'existe pas."),
        ({"block": "other framework"}, "pas dans le référentiel de la promotion"),
    ],
)
def test_bad_half_days_are_a_french_4xx_and_nothing_is_written(
    client, cast, cohort, trainer, overrides, detail
):
    session_on(cohort, cast.trainer_a)
    if overrides.get("trainer") in ("trainer_b", "social_worker_a"):
        overrides["trainer"] = getattr(cast, overrides["trainer"]).pk
    if overrides.get("block") == "other framework":
        framework = Framework.objects.create(
            trade=Trade.objects.exclude(pk=cohort.trade_id).first(), version="1"
        )
        overrides["block"] = Block.objects.create(framework=framework, code="X", title="Autre").pk
    payload = {"date": "2026-10-06", "period": "matin", **overrides}
    response = client.post(
        f"/api/v1/cohorts/{cohort.pk}/sessions", payload, content_type=JSON, headers=trainer
    )
    # A body that does not fit the schema and a refusal of the service are both a 422.
    assert response.status_code == 422
    assert detail in response.json()["detail"]
    assert TrainingSession.objects.count() == 1


def test_the_calendar_is_generated_from_a_weekly_template(client, cast, cohort, trainer):
    url = f"/api/v1/cohorts/{cohort.pk}/sessions/generate"
    payload = {
        "weekdays": [0, 2],
        "hours": {"matin": {"start_time": "08:30", "end_time": "12:00"}},
        "internship_weeks": ["2026-11-18"],
        "trainer": cast.trainer_a.pk,
    }
    response = client.post(url, payload, content_type=JSON, headers=trainer)
    assert response.status_code == 201, response.json()
    # 15 weeks of Mondays and Wednesdays, less 11 November (a Wednesday); mornings only.
    assert response.json() == {"created": 15 * 2 - 1}
    sessions = TrainingSession.objects.filter(cohort=cohort)
    assert {(s.start_time, s.duration_minutes, s.trainer_id) for s in sessions} == {
        (dt.time(8, 30), 210, cast.trainer_a.pk)
    }
    assert set(sessions.filter(kind=SessionKind.INTERNSHIP).values_list("date", flat=True)) == {
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 18),
    }
    # Generated again with the default template: the existing half-days are kept.
    again = client.post(url, {}, content_type=JSON, headers=trainer)
    assert again.status_code == 201
    assert again.json() == {"created": 15 * 5 * 2 - 2 - 29}


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        ({"hours": {}}, "Choisissez au moins une demi-journée."),
        (
            {"hours": {"apres_midi": {"start_time": "09:00", "end_time": "12:00"}}},
            "Un après-midi commence après 11 h.",
        ),
        ({"hours": {"matin": {"start_time": "09:00", "end_time": "09:00"}}}, "L'heure de fin doit suivre"),
        ({"weekdays": [7]}, "Requête invalide."),
        ({"weekdays": []}, "Requête invalide."),
        ({"kind": "croisiere"}, "Requête invalide."),
        ({"trainer": 999999}, "équipe de formation de l'école"),
    ],
)
def test_bad_templates_are_a_french_4xx_and_nothing_is_written(client, cohort, trainer, payload, detail):
    response = client.post(
        f"/api/v1/cohorts/{cohort.pk}/sessions/generate", payload, content_type=JSON, headers=trainer
    )
    assert response.status_code == 422
    assert detail in response.json()["detail"]
    assert not TrainingSession.objects.exists()


# --- the sheet ----------------------------------------------------------------------------------


def test_the_sheet_lists_the_learners_their_marks_and_signatures(client, cast, cohort, three, trainer, today):
    ines, bilal, chloe = three
    session = session_on(cohort, cast.trainer_a)
    svc.attendance_mark(
        session=session,
        by=cast.trainer_a,
        marks=[
            svc.Mark(ines.pk, AttendanceStatus.LATE, late_minutes=20),
            svc.Mark(bilal.pk, AttendanceStatus.EXCUSED, excuse_reason="Préfecture"),
        ],
    )
    svc.attendance_sign(session=session, enrolment=ines, strokes=STROKES, by=cast.trainer_a)
    body = client.get(f"/api/v1/sessions/{session.pk}/attendance", headers=trainer).json()
    assert (body["locked"], body["locked_at"], body["trainer_signed"], body["trainer_signed_at"]) == (
        False,
        None,
        False,
        None,
    )
    assert body["session"]["id"] == session.pk and body["session"]["signed_count"] == 1
    lines = {line["learner_name"]: line for line in body["lines"]}
    assert list(lines) == ["Inès Arnaud", "Bilal Benali", "Chloé Caron"]
    assert lines["Inès Arnaud"]["status"] == "retard" and lines["Inès Arnaud"]["late_minutes"] == 20
    assert lines["Inès Arnaud"]["signed"] is True and lines["Inès Arnaud"]["method"] == "tablette"
    assert (lines["Inès Arnaud"]["mode"], lines["Inès Arnaud"]["typed_name"]) == ("trace", "")
    assert lines["Inès Arnaud"]["signed_at"].startswith("2026-10-05T")
    assert (lines["Bilal Benali"]["status"], lines["Bilal Benali"]["excuse_reason"]) == (
        "excuse",
        "Préfecture",
    )
    assert lines["Chloé Caron"] == {
        "enrolment": chloe.pk,
        "learner": chloe.learner_id,
        "learner_name": "Chloé Caron",
        "status": None,
        "late_minutes": 0,
        "excuse_reason": "",
        "has_proof": False,
        "signed": False,
        "signed_at": None,
        "method": None,
        "mode": None,
        "typed_name": "",
    }

    svc.attendance_sign(session=session, enrolment=chloe, strokes=STROKES, by=cast.trainer_a)
    svc.sheet_lock(session=session, by=cast.trainer_a, strokes=STROKES)
    body = client.get(f"/api/v1/sessions/{session.pk}/attendance", headers=trainer).json()
    assert body["locked"] is True and body["trainer_signed"] is True
    assert body["locked_at"].startswith("2026-10-05T10:00") and body["session"]["locked"] is True
    assert [line["status"] for line in body["lines"]] == ["retard", "excuse", "present"]


def test_a_learner_sees_only_their_own_line(client, cast, cohort, three, today):
    session = session_on(cohort, cast.trainer_a)
    svc.attendance_mark(
        session=session, by=cast.trainer_a, marks=[svc.Mark(e.pk, AttendanceStatus.PRESENT) for e in three]
    )
    learner = headers_for(client, cast.learner_a)
    body = client.get(f"/api/v1/sessions/{session.pk}/attendance", headers=learner).json()
    assert [line["enrolment"] for line in body["lines"]] == [three[0].pk]


@pytest.mark.parametrize("learners", [3, 10])
def test_sheet_query_count_is_constant(
    client, cast, cohort, trainer, today, django_assert_num_queries, learners
):
    enrolments = [EnrolmentFactory(cohort=cohort, learner=LearnerFactory()) for _ in range(learners)]
    session = session_on(cohort, cast.trainer_a, trainer=cast.trainer_a)
    svc.attendance_mark(
        session=session,
        by=cast.trainer_a,
        marks=[svc.Mark(e.pk, AttendanceStatus.PRESENT) for e in enrolments],
    )
    for enrolment in enrolments:
        svc.attendance_sign(session=session, enrolment=enrolment, strokes=STROKES, by=cast.trainer_a)
    svc.sheet_lock(session=session, by=cast.trainer_a, strokes=STROKES)
    # token, half-day with its trainer, block, signature and counts, learners on the sheet, marks with signatures
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/sessions/{session.pk}/attendance", headers=trainer)
    assert len(response.json()["lines"]) == learners
    assert all(line["signed"] for line in response.json()["lines"])


def test_the_trainer_marks_the_sheet(client, cast, cohort, three, trainer, today):
    ines, bilal, chloe = three
    session = session_on(cohort, cast.trainer_a)
    response = put_marks(
        client,
        session,
        trainer,
        {"enrolment": ines.pk, "status": "present"},
        {"enrolment": bilal.pk, "status": "retard", "late_minutes": 15},
        {"enrolment": chloe.pk, "status": "excuse", "excuse_reason": "Rendez-vous médical"},
    )
    assert response.status_code == 200, response.json()
    assert [(line["status"], line["late_minutes"]) for line in response.json()["lines"]] == [
        ("present", 0),
        ("retard", 15),
        ("excuse", 0),
    ]
    # A second call changes only the learners it names.
    response = put_marks(client, session, trainer, {"enrolment": ines.pk, "status": "absent"})
    assert [line["status"] for line in response.json()["lines"]] == ["absent", "retard", "excuse"]
    assert Attendance.objects.get(enrolment=chloe).excuse_reason == "Rendez-vous médical"
    assert Attendance.objects.get(enrolment=ines).updated_by == cast.trainer_a


@pytest.mark.parametrize(
    ("mark", "detail"),
    [
        ({"enrolment": "elsewhere", "status": "present"}, "n'est pas sur la feuille"),
        ({"enrolment": 999999, "status": "present"}, "n'est pas sur la feuille"),
        ({"status": "retard"}, "indiquez le retard en minutes (de 1 à 209)"),
        ({"status": "retard", "late_minutes": 210}, "indiquez le retard en minutes"),
        ({"status": "present", "late_minutes": 5}, "un retard ne s'indique que pour une arrivée en retard"),
        ({"status": "excuse"}, "indiquez le motif de l'absence justifiée"),
        ({"status": "absent", "excuse_reason": "Grève"}, "ne vont qu'avec une absence justifiée"),
        ({"status": "excuse", "excuse_reason": "x" * 201}, "le motif tient en 200 caractères"),
        ({"status": "vacances"}, "Requête invalide."),
        ({"status": "excuse", "excuse_reason": "a\x00b"}, "Requête invalide."),
        ({"status": "retard", "late_minutes": -1}, "Requête invalide."),
        ({"enrolment": 0, "status": "present"}, "Requête invalide."),
    ],
)
def test_bad_marks_are_a_french_4xx_and_nothing_is_written(
    client, cast, cohort, three, trainer, today, mark, detail
):
    """The first learner's good mark comes first: it is not written either."""
    session = session_on(cohort, cast.trainer_a)
    svc.attendance_mark(
        session=session, by=cast.trainer_a, marks=[svc.Mark(three[2].pk, AttendanceStatus.PRESENT)]
    )
    if mark.get("enrolment") == "elsewhere":
        mark["enrolment"] = EnrolmentFactory(
            cohort=CohortFactory(school=cast.school_a), learner=LearnerFactory()
        ).pk
    mark.setdefault("enrolment", three[1].pk)
    response = put_marks(client, session, trainer, {"enrolment": three[0].pk, "status": "absent"}, mark)
    assert response.status_code == 422
    assert detail in response.json()["detail"]
    assert list(Attendance.objects.values_list("enrolment", "status")) == [
        (three[2].pk, AttendanceStatus.PRESENT)
    ]


def test_marks_are_refused_twice_for_one_learner_or_on_a_day_to_come(
    client, cast, cohort, three, trainer, today
):
    session = session_on(cohort, cast.trainer_a)
    twice = put_marks(
        client,
        session,
        trainer,
        {"enrolment": three[0].pk, "status": "present"},
        {"enrolment": three[0].pk, "status": "absent"},
    )
    assert twice.status_code == 422 and "qu'une fois" in twice.json()["detail"]
    tomorrow = session_on(cohort, cast.trainer_a, date=MONDAY + dt.timedelta(days=1))
    future = put_marks(client, tomorrow, trainer, {"enrolment": three[0].pk, "status": "present"})
    assert future.status_code == 422 and "à venir" in future.json()["detail"]
    empty = put_marks(client, session, trainer)
    assert empty.status_code == 422
    assert not Attendance.objects.exists()


def test_a_locked_sheet_is_a_409_and_changes_nothing(client, cast, cohort, three, trainer, today):
    session = session_on(cohort, cast.trainer_a)
    svc.attendance_mark(
        session=session, by=cast.trainer_a, marks=[svc.Mark(e.pk, AttendanceStatus.PRESENT) for e in three]
    )
    sign_and_lock(session, cast, three)
    response = put_marks(client, session, trainer, {"enrolment": three[0].pk, "status": "absent"})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Cette feuille est signée et verrouillée : seule une modification motivée peut la changer."
    }
    assert set(Attendance.objects.values_list("status", flat=True)) == {AttendanceStatus.PRESENT}
    assert Attendance.objects.filter(signature__isnull=False).count() == 3


# --- hours --------------------------------------------------------------------------------------


def test_hours_are_those_of_the_signed_sheets(client, cast, cohort, three, trainer):
    """A hand-computed case: two signed half-days of 3 h 30, one late arrival of 45 minutes for Inès,
    an excused absence for Bilal; a third sheet, not signed, does not count."""
    ines, bilal, chloe = three
    for day, ines_mark, bilal_mark, lock in [
        (
            dt.date(2026, 9, 28),
            svc.Mark(ines.pk, AttendanceStatus.PRESENT),
            svc.Mark(bilal.pk, AttendanceStatus.ABSENT),
            True,
        ),
        (
            dt.date(2026, 9, 29),
            svc.Mark(ines.pk, AttendanceStatus.LATE, 45),
            svc.Mark(bilal.pk, AttendanceStatus.EXCUSED, 0, "Préfecture"),
            True,
        ),
        (
            dt.date(2026, 9, 30),
            svc.Mark(ines.pk, AttendanceStatus.PRESENT),
            svc.Mark(bilal.pk, AttendanceStatus.PRESENT),
            False,
        ),
    ]:
        session = session_on(cohort, cast.trainer_a, date=day)
        with time_machine.travel(dt.datetime.combine(day, dt.time(11), tzinfo=dt.UTC), tick=False):
            marks = [ines_mark, bilal_mark, svc.Mark(chloe.pk, AttendanceStatus.ABSENT)]
            svc.attendance_mark(session=session, by=cast.trainer_a, marks=marks)
            there = [
                e
                for e, m in zip(three, marks, strict=True)
                if m.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
            ]
            if lock:
                sign_and_lock(session, cast, there)

    response = client.get(f"/api/v1/enrolments/{ines.pk}/hours", headers=trainer)
    assert response.status_code == 200
    assert response.json() == {
        "enrolment": ines.pk,
        "scheduled_minutes": 420,
        "attended_minutes": 585 - 210,
        "late_minutes": 45,
        "absent_minutes": 0,
        "excused_minutes": 0,
        "scheduled": "7 h",
        "attended": "6 h 15",
        "late": "0 h 45",
        "absent": "0 h",
        "excused": "0 h",
        "rate": 375 / 420,
        "history": {"months": [], "attended_minutes": 0, "excused_minutes": 0, "absent_minutes": 0},
    }
    bilal_hours = client.get(f"/api/v1/enrolments/{bilal.pk}/hours", headers=trainer).json()
    assert (bilal_hours["attended"], bilal_hours["absent"], bilal_hours["excused"]) == (
        "0 h",
        "3 h 30",
        "3 h 30",
    )
    assert bilal_hours["rate"] == 0
    fresh = EnrolmentFactory(cohort=CohortFactory(school=cast.school_a), learner=LearnerFactory())
    assert client.get(f"/api/v1/enrolments/{fresh.pk}/hours", headers=trainer).json()["rate"] is None


# --- who may do what ----------------------------------------------------------------------------

ROLES = access.ROLES
TEAM = access.TRAINING_TEAM
# Who sees a school's half-days: its team, its social workers, and the learners of the cohort.
SEES = access.TEAM_AND_LEARNER


@pytest.fixture
def schools(cast, today):
    """In each school, a cohort, two learners (in school A, the cast's learner is the first) and
    this morning's half-day."""
    made = {}
    for school, user in (("a", cast.learner_a), ("b", None)):
        cohort = CohortFactory(school=getattr(cast, f"school_{school}"))
        own = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(user=user))
        other = EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
        session = session_on(cohort, cast.staff)
        made[school] = (cohort, own, other, session)
    return made


def _read(role, school):
    return 200 if school in SEES.get(role, set()) else 404


def _act(role, school, ok=200):
    if school in TEAM.get(role, set()):
        return ok
    return 403 if school in SEES.get(role, set()) else 404


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_and_who_writes(client, cast, schools, role):
    headers = headers_for(client, getattr(cast, role))
    for school, (cohort, own, other, session) in schools.items():
        reads = {
            f"/api/v1/cohorts/{cohort.pk}/sessions": _read(role, school),
            f"/api/v1/sessions/{session.pk}/attendance": _read(role, school),
            # The hours of a learner who is not the cast's learner: the team and social workers only.
            f"/api/v1/enrolments/{other.pk}/hours": _read(role, school) if role != "learner_a" else 404,
            f"/api/v1/enrolments/{own.pk}/hours": _read(role, school),
        }
        for url, status in reads.items():
            assert client.get(url, headers=headers).status_code == status, (role, url)
        marked = put_marks(client, session, headers, {"enrolment": other.pk, "status": "absent"})
        assert marked.status_code == _act(role, school), (role, school, marked.json())
        created = client.post(
            f"/api/v1/cohorts/{cohort.pk}/sessions",
            {"date": MONDAY.isoformat(), "period": "apres_midi"},
            content_type=JSON,
            headers=headers,
        )
        assert created.status_code == _act(role, school, 201), (role, school, created.json())
        generated = client.post(
            f"/api/v1/cohorts/{cohort.pk}/sessions/generate",
            {"weekdays": [0]},
            content_type=JSON,
            headers=headers,
        )
        assert generated.status_code == _act(role, school, 201), (role, school, generated.json())
        if school not in TEAM.get(role, set()):
            for response in (marked, created, generated):
                assert response.json()["detail"]
            assert TrainingSession.objects.filter(cohort=cohort).count() == 1
            assert not Attendance.objects.filter(session=session).exists()


def test_a_social_worker_is_told_why_they_cannot_mark(client, cast, schools):
    cohort, _own, other, session = schools["a"]
    headers = headers_for(client, cast.social_worker_a)
    response = put_marks(client, session, headers, {"enrolment": other.pk, "status": "absent"})
    assert response.status_code == 403
    refused = {"detail": "Seule l'équipe pédagogique de l'école tient les feuilles d'émargement."}
    assert response.json() == refused
    # Told so before anything about the request itself (not "unknown trainer").
    for url in (f"/api/v1/cohorts/{cohort.pk}/sessions", f"/api/v1/cohorts/{cohort.pk}/sessions/generate"):
        payload = {"date": "2026-10-06", "period": "matin", "trainer": 999999}
        response = client.post(url, payload, content_type=JSON, headers=headers)
        assert (response.status_code, response.json()) == (403, refused)


def test_the_prescriber_sees_the_hours_of_the_young_person_they_referred(client, cast, schools):
    from plombiers.referrals.tests.factories import ReferralFactory

    _cohort, own, _other, session = schools["a"]
    referral = ReferralFactory(school=cast.school_a, learner=own.learner, prescriber=cast.prescriber)
    own.referral = referral
    own.save()
    headers = headers_for(client, cast.prescriber)
    assert client.get(f"/api/v1/enrolments/{own.pk}/hours", headers=headers).status_code == 200
    assert client.get(f"/api/v1/sessions/{session.pk}/attendance", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/cohorts/1/sessions"),
        ("post", "/api/v1/cohorts/1/sessions"),
        ("post", "/api/v1/cohorts/1/sessions/generate"),
        ("get", "/api/v1/sessions/1/attendance"),
        ("put", "/api/v1/sessions/1/attendance"),
        ("get", "/api/v1/enrolments/1/hours"),
    ],
)
def test_anonymous_calls_get_401(client, cast, method, url):
    response = getattr(client, method)(url, {}, content_type=JSON)
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentification requise")


def test_openapi_lists_the_attendance_operations(client, cast):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/cohorts/{cohort_id}/sessions"]) == {"get", "post"}
    assert set(paths["/api/v1/cohorts/{cohort_id}/sessions/generate"]) == {"post"}
    assert set(paths["/api/v1/sessions/{session_id}/attendance"]) == {"get", "put"}
    assert set(paths["/api/v1/enrolments/{enrolment_id}/hours"]) == {"get"}
    parameters = {p["name"] for p in paths["/api/v1/cohorts/{cohort_id}/sessions"]["get"]["parameters"]}
    assert {"from", "to", "limit", "offset"} <= parameters


# --- fuzzing with real objects ------------------------------------------------------------------
# The API-wide fuzz (api/tests/test_fuzz.py) mostly meets unknown ids, hence 404s: here the ids are
# those of a real cohort, half-day and enrolment, so that the bodies reach the services.

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex=r"/(sessions|hours)"
)


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: the end of a request must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def real_ids(cast, cohort, three, today, keep_test_connection):
    session = session_on(cohort, cast.trainer_a)
    _token, raw = api_token_create(user=cast.trainer_a)
    ids = {"cohort_id": cohort.pk, "session_id": session.pk, "enrolment_id": three[0].pk}
    return ids, {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_attendance_api_never_answers_500(case, real_ids):
    ids, headers = real_ids
    case.path_parameters = {name: ids[name] for name in case.path_parameters or {}}
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
