"""Issue 16, point 11: the free texts about a young person were stored in clear. Whoever reads the
database (a backup, a copy of the SQLite file, a DBA) read the referral's motivation, the drop-out
details, the alert notes, the survey comments, the exit and follow-up comments, the internship's
interruption reason, the tutor's comment and the application notes.

Each text is written here the way its author writes it (page, API or signed link, as that role),
then its column is read raw: it holds a Fernet token of the shared keys, never the text, and
`rotate_keys` re-encrypts it. The team's note of an application no longer reaches the young
person or the prescriber through the API; the message written for them does.
"""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from plombiers.alerts.tests.factories import alert_make
from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import TEST_FERNET_KEY
from plombiers.internships import services as internships
from plombiers.internships.enums import InternshipStatus
from plombiers.internships.models import Application, Internship, TutorEvaluation
from plombiers.internships.tests.factories import (
    CompanySiteFactory,
    ContactFactory,
    InternshipFactory,
    OfferFactory,
)
from plombiers.outcomes import services as outcomes
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.models import Referral
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory
from plombiers.surveys.models import SurveyAnswer
from plombiers.surveys.tests.factories import SurveyInvitationFactory

# Cohort A ended on 18/12/2026; the 1-month follow-up of its exits is open today.
NOW = dt.datetime(2027, 1, 25, 9, 0, tzinfo=dt.UTC)
# Words that must never be readable in a column.
SECRET = "Hébergée chez une amie depuis l'expulsion, suivi au CMP, sortie de prison du frère."
WORDS = ("Hébergée", "expulsion", "suivi au CMP", "prison")  # long enough never to occur in a token


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(cast):
    """School A: Inès finished the autumn cohort (referred by the prescriber); Bilal is in the
    winter cohort, still in training, with an internship; Fibre A offers a job."""
    autumn = CohortFactory(
        school=cast.school_a, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18)
    )
    winter = CohortFactory(
        school=cast.school_a, start_date=dt.date(2027, 1, 4), end_date=dt.date(2027, 4, 23)
    )
    ines = LearnerFactory(
        first_name="Inès", last_name="Arnaud", user=cast.learner_a, email="ines@example.org"
    )
    referral = ReferralFactory(
        school=cast.school_a, learner=ines, prescriber=cast.prescriber, status=ReferralStatus.ADMITTED
    )
    completed = EnrolmentFactory(
        cohort=autumn,
        learner=ines,
        referral=referral,
        status=EnrolmentStatus.COMPLETED,
        end_date=dt.date(2026, 12, 18),
    )
    active = EnrolmentFactory(cohort=winter, learner=LearnerFactory(first_name="Bilal", last_name="Test"))
    site = CompanySiteFactory(company=cast.company_a, commune=cast.school_a.commune)
    tutor = ContactFactory(organisation=cast.company_a, full_name="Marc Tuteur")
    internship = InternshipFactory(
        enrolment=active,
        site=site,
        tutor=tutor,
        start_date=dt.date(2027, 1, 18),
        end_date=dt.date(2027, 1, 29),
        status=InternshipStatus.ONGOING,
    )
    offer = OfferFactory(company=cast.company_a, commune=cast.school_a.commune)
    return SimpleNamespace(completed=completed, active=active, internship=internship, offer=offer, ines=ines)


def raw(model, column: str, pk: int) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608 — test-only names
        return cursor.fetchone()[0]


# --- each text, written by its author -------------------------------------------------------


def referral_motivation(client, cast, world):
    """The prescriber refers a young person through the API."""
    client.force_login(cast.prescriber)
    learner = {
        "first_name": "Zoé",
        "last_name": "Martin",
        "birth_date": "2006-05-02",
        "highest_diploma": "aucun",
    }
    body = {"school": cast.school_a.pk, "learner": learner, "motivation": SECRET}
    response = client.post("/api/v1/referrals", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return Referral, "motivation", response.json()["id"]


def drop_out_detail(client, cast, world):
    """The manager records a drop-out on the page."""
    client.force_login(cast.manager_a)
    url = reverse("cohorts:enrolment_drop_out", args=[world.active.pk])
    response = client.post(url, {"reason": "motivation", "on": "2027-01-22", "detail": SECRET})
    assert response.status_code == 302, response.content
    return type(world.active), "drop_out_detail", world.active.pk


def alert_note(client, cast, world):
    """The social worker acknowledges an alert with a note of what was done."""
    alert = alert_make(world.active, on=dt.date(2027, 1, 20))
    client.force_login(cast.social_worker_a)
    response = client.post(reverse("alerts:alert_acknowledge", args=[alert.pk]), {"note": SECRET})
    assert response.status_code == 302, response.content
    return type(alert), "note", alert.pk


def survey_comment(client, cast, world):
    """The young person answers the satisfaction survey through their link."""
    invitation = SurveyInvitationFactory(enrolment=world.completed)
    answers = {"overall": "4", "gestures": "3", "trainers": "4", "support": "2", "internship": "3"}
    answers |= {"next_step": "1", "recommend": "1", "comment": SECRET}
    response = client.post(invitation.get_answer_url(), answers)
    assert response.status_code == 302, response.content
    return SurveyAnswer, "text", SurveyAnswer.objects.get(invitation=invitation, question="comment").pk


def exit_comment(client, cast, world):
    """The social worker records the exit on the page."""
    client.force_login(cast.social_worker_a)
    url = reverse("outcomes:exit_create", args=[world.completed.pk])
    response = client.post(
        url, {"exit_type": "recherche_emploi", "exit_date": "2026-12-18", "comment": SECRET}
    )
    assert response.status_code == 302, response.content
    return Exit, "comment", Exit.objects.get(enrolment=world.completed).pk


def follow_up_comment(client, cast, world):
    """The young person answers their 1-month follow-up through their link."""
    exit = Exit.objects.filter(enrolment=world.completed).first() or outcomes.exit_record(
        world.completed, by=cast.social_worker_a, exit_type="recherche_emploi"
    )
    one = exit.follow_ups.get(horizon=1)
    response = client.post(outcomes.follow_up_link(one), {"situation_type": "cdi", "comment": SECRET})
    assert response.status_code == 302, response.content
    return FollowUp, "comment", one.pk


def interruption_reason(client, cast, world):
    """The trainer interrupts the internship on its page, with the reason."""
    client.force_login(cast.trainer_a)
    url = reverse("internships:internship_transition", args=[world.internship.pk])
    response = client.post(url, {"to": "interrompue", "reason": SECRET})
    assert response.status_code == 302
    assert Internship.objects.get(pk=world.internship.pk).status == "interrompue"
    return Internship, "interruption_reason", world.internship.pk


def tutor_comment(client, cast, world):
    """The tutor evaluates the intern through their link."""
    evaluation = internships.evaluation_request(internship=world.internship, by=cast.trainer_a)
    answers = {"tutor_name": "Marc Tuteur", "attendance": "reguliere", "outcome": "terminee"}
    answers |= {
        f"soft_{key}": "bien" for key in ("ponctualite", "securite", "equipe", "communication", "autonomie")
    }
    answers |= {"wants_to_hire": "non", "comment": SECRET}
    response = client.post(internships.evaluation_link(evaluation), answers)
    assert response.status_code == 302, response.content
    return TutorEvaluation, "comment", evaluation.pk


def application_note(client, cast, world):
    """The trainer proposes a young person for an offer through the API, with the team's note."""
    client.force_login(cast.trainer_a)
    body = {"offer": world.offer.pk, "enrolment": world.active.pk, "note": SECRET}
    response = client.post("/api/v1/applications", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return Application, "note", response.json()["id"]


WRITERS = [
    referral_motivation,
    drop_out_detail,
    alert_note,
    survey_comment,
    exit_comment,
    follow_up_comment,
    tutor_comment,  # before the interruption: a tutor evaluates an internship that went on
    interruption_reason,
    application_note,
]


@pytest.mark.parametrize("write", WRITERS, ids=[w.__name__ for w in WRITERS])
def test_a_free_text_is_never_stored_in_clear(client, cast, world, write):
    model, column, pk = write(client, cast, world)
    stored = raw(model, column, pk)
    assert stored and not any(word in stored for word in WORDS), stored
    assert Fernet(TEST_FERNET_KEY.encode()).decrypt(stored.encode()).decode() == SECRET
    assert getattr(model.objects.get(pk=pk), column) == SECRET


def test_rotate_keys_re_encrypts_every_free_text(client, cast, world, monkeypatch):
    written = [write(client, cast, world) for write in WRITERS]
    client.logout()
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("FERNET_KEYS", f"{new_key},{TEST_FERNET_KEY}")
    call_command("rotate_keys", verbosity=0)
    monkeypatch.setenv("FERNET_KEYS", new_key)  # the old key retired
    for model, column, pk in written:
        stored = raw(model, column, pk)
        assert Fernet(new_key.encode()).decrypt(stored.encode()).decode() == SECRET, (model, column)
        assert getattr(model.objects.get(pk=pk), column) == SECRET


# --- the application's notes: the team's stays with the team ------------------------------------


TEAM_NOTE = "Entretien raté : arrivée en retard, semblait sous l'emprise de l'alcool."
MESSAGE = "Entretien jeudi 14 h chez Fibre A, 12 rue des Lilas : prends ta pièce d'identité."


@pytest.fixture
def application(client, cast, world):
    """Inès's application (she is referred by the prescriber), with a note for the team and a
    message for her and her prescriber."""
    autumn = world.completed.cohort
    autumn.end_date = dt.date(2027, 2, 26)  # still in training: she can be proposed
    autumn.save(update_fields=["end_date"])
    world.completed.status, world.completed.end_date = EnrolmentStatus.ACTIVE, None
    world.completed.save(update_fields=["status", "end_date"])
    client.force_login(cast.trainer_a)
    body = {
        "offer": world.offer.pk,
        "enrolment": world.completed.pk,
        "note": TEAM_NOTE,
        "shared_note": MESSAGE,
    }
    response = client.post("/api/v1/applications", body, content_type="application/json")
    assert response.status_code == 201, response.content
    client.logout()
    return response.json()["id"]


@pytest.mark.parametrize("role", ["learner_a", "prescriber"])
def test_the_learner_and_the_prescriber_never_read_the_team_note(client, cast, application, role):
    client.force_login(getattr(cast, role))
    detail = client.get(f"/api/v1/applications/{application}")
    listed = client.get("/api/v1/applications")
    assert detail.status_code == listed.status_code == 200
    assert listed.json()["count"] == 1
    for body in (detail.json(), listed.json()["items"][0]):
        assert body["note"] is None and body["shared_note"] == MESSAGE
    assert "alcool" not in detail.content.decode() + listed.content.decode()


def test_the_learner_reads_the_message_on_her_page_and_not_the_team_note(client, cast, application):
    client.force_login(cast.learner_a)
    html = client.get(reverse("internships:application_list")).content.decode()
    assert "Entretien jeudi 14 h chez Fibre A" in html
    assert "alcool" not in html


def test_the_team_reads_both(client, cast, application):
    client.force_login(cast.trainer_a)
    body = client.get(f"/api/v1/applications/{application}").json()
    assert (body["note"], body["shared_note"]) == (TEAM_NOTE, MESSAGE)
    html = client.get(reverse("internships:offer_detail", args=[Application.objects.get().offer_id])).content
    assert "alcool" in html.decode() and "Entretien jeudi 14 h" in html.decode()


def test_a_transition_adds_to_the_right_note(client, cast, application):
    client.force_login(cast.trainer_a)
    body = {"to": "entretien", "note": "Relancer la tutrice.", "shared_note": "Apporte ton CV."}
    moved = client.post(
        f"/api/v1/applications/{application}/transitions", json.dumps(body), content_type="application/json"
    )
    assert moved.status_code == 200, moved.content
    stored = Application.objects.get(pk=application)
    assert stored.note == f"{TEAM_NOTE}\nRelancer la tutrice."
    assert stored.shared_note == f"{MESSAGE}\nApporte ton CV."
    assert "Relancer la tutrice" not in raw(Application, "note", application)
    assert "Apporte ton CV" not in raw(Application, "shared_note", application)
