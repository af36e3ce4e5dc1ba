"""A signature without drawing (issue 21): the full name typed and a confirmation ticked, for whoever
cannot draw on a pad. The service checks the name; the sheet and the phone page say how it was signed."""

import datetime as dt
import json
import re
from html import unescape

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from plombiers.accounts.services import api_token_create
from plombiers.cohorts import attendance as svc
from plombiers.cohorts.enums import Period, SignatureMethod, SignatureMode
from plombiers.cohorts.models import Attendance, Signature, TrainingSession
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.lib.signature import name_key, typed_name_matches
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.tests.factories import LearnerFactory

MONDAY = dt.date(2026, 10, 5)
STROKES = [[[10, 10], [50, 40], [90, 20], [140, 60]]]


@pytest.fixture
def today():
    # Noon in Paris on Monday 5 October 2026.
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC), tick=False):
        yield MONDAY


@pytest.fixture
def cohort(cast):
    return CohortFactory(school=cast.school_a, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18))


@pytest.fixture
def ines(cohort, cast):
    learner = LearnerFactory(first_name="Inès", last_name="Arnaud-Le Gall", user=cast.learner_a)
    return EnrolmentFactory(cohort=cohort, learner=learner)


@pytest.fixture
def session(cohort, cast, ines):
    trainer = cast.trainer_a
    trainer.first_name, trainer.last_name = "Sophie", "Durand"
    trainer.save(update_fields=["first_name", "last_name"])
    return svc.session_create(cohort=cohort, by=trainer, date=MONDAY, period=Period.MORNING)


def typed(name, confirmed=True):
    return svc.Signing(mode=SignatureMode.TYPED, typed_name=name, confirmed=confirmed)


def text(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


# --- the rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Inès Arnaud-Le Gall",
        "ines arnaud le gall",
        "  INÈS   ARNAUD LEGALL ",
        "Ines\u00a0Arnaud-Le\u2011Gall",
        "Arnaud-Le Gall Inès",  # the last name first, as on many forms
        "i n e s arnaud legall",
    ],
)
def test_the_typed_name_is_compared_without_case_accents_or_spaces(name):
    assert typed_name_matches(name, "Inès", "Arnaud-Le Gall")


@pytest.mark.parametrize(
    "name", ["", "   ", "Inès", "Arnaud-Le Gall", "Inès Arnaud", "Inès Arnaud-Le Gall X"]
)
def test_a_part_of_the_name_or_another_name_does_not_match(name):
    assert not typed_name_matches(name, "Inès", "Arnaud-Le Gall")


def test_ligatures_and_apostrophes_count_as_typed():
    assert name_key("Zoé D’Œuvre") == name_key("zoe d'oeuvre") == "zoedoeuvre"
    assert not typed_name_matches("x", "", "")


# --- the service ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", [SignatureMethod.TABLET, SignatureMethod.PHONE])
def test_a_learner_signs_by_typing_her_name(cast, session, ines, today, method):
    code = svc.signing_code_issue(session=session, by=cast.trainer_a).signing_code
    by = cast.learner_a if method == SignatureMethod.PHONE else cast.trainer_a
    mark = svc.attendance_sign(
        session=session,
        enrolment=ines,
        by=by,
        method=method,
        code=code,
        signing=typed("ines ARNAUD le  gall"),
    )
    signature = mark.signature
    assert signature.mode == SignatureMode.TYPED and signature.method == method
    assert signature.typed_name == "ines ARNAUD le gall", "stored as typed, spaces tidied"
    assert signature.svg == "" and signature.signer_name == "Inès Arnaud-Le Gall" and signature.user == by
    assert (
        signature.typed_mention == 'Signé sans tracé : nom saisi "ines ARNAUD le gall" le 05/10/2026 à 12:00'
    )


@pytest.mark.parametrize(
    ("signing", "field", "message"),
    [
        (typed("Bilal Benali"), "typed_name", "ne correspond pas à « Inès Arnaud-Le Gall »"),
        (typed(""), "typed_name", "Saisissez votre nom complet"),
        (
            typed("Inès Arnaud-Le Gall", confirmed=False),
            "confirmed",
            "Cochez la case « Je confirme signer… »",
        ),
        (typed("x" * 201), "typed_name", "200 caractères"),
    ],
)
def test_a_wrong_name_or_no_confirmation_writes_nothing(cast, session, ines, today, signing, field, message):
    with pytest.raises(ValidationError) as error:
        svc.attendance_sign(session=session, enrolment=ines, by=cast.trainer_a, signing=signing)
    assert any(message in m for m in error.value.message_dict[field])
    assert not Attendance.objects.exists(), "atomic: not even the mark « present » that signing adds"
    assert not Signature.objects.exists()


def test_a_mismatch_and_a_missing_confirmation_are_both_said(cast, session, ines, today):
    with pytest.raises(ValidationError) as error:
        svc.attendance_sign(
            session=session, enrolment=ines, by=cast.trainer_a, signing=typed("Chloé Caron", confirmed=False)
        )
    assert set(error.value.message_dict) == {"typed_name", "confirmed"}


def test_an_unknown_way_of_signing_is_refused(cast, session, ines, today):
    signing = svc.Signing(mode="telepathie", typed_name="Inès Arnaud-Le Gall", confirmed=True)
    with pytest.raises(ValidationError, match="Manière de signer inconnue"):
        svc.attendance_sign(session=session, enrolment=ines, by=cast.trainer_a, signing=signing)
    assert not Signature.objects.exists()


def test_the_trainer_locks_the_sheet_by_typing_his_or_her_name(cast, session, ines, today):
    svc.attendance_sign(session=session, enrolment=ines, strokes=STROKES, by=cast.trainer_a)
    with pytest.raises(ValidationError, match="ne correspond pas"):
        svc.sheet_lock(session=session, by=cast.trainer_a, signing=typed("Inès Arnaud-Le Gall"))
    session.refresh_from_db()
    assert not session.is_locked and Signature.objects.count() == 1, "nothing written, not locked"
    svc.sheet_lock(session=session, by=cast.trainer_a, signing=typed("sophie durand"))
    session = TrainingSession.objects.select_related("trainer_signature").get(pk=session.pk)
    assert session.is_locked and session.trainer_signature.mode == SignatureMode.TYPED
    assert session.trainer_signature.typed_name == "sophie durand"
    event = AuditEvent.objects.get(action="session.lock")
    assert event.details == {"mode": SignatureMode.TYPED}


def test_the_database_refuses_a_typed_signature_without_its_name(cast, today):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            svg="",
            mode=SignatureMode.TYPED,
            typed_name="",
            signer_name="X",
            method=SignatureMethod.TABLET,
            signed_at=timezone.now(),
        )


# --- the pages ------------------------------------------------------------------------------------


def test_the_phone_page_offers_both_ways_and_signs_without_drawing(client, cast, session, ines, today):
    code = svc.signing_code_issue(session=session, by=cast.trainer_a).signing_code
    client.force_login(cast.learner_a)
    url = reverse("cohorts:sign_with_code")
    html = text(client.get(f"{url}?code={code}"))
    assert "Signer en dessinant" in html and "Signer sans dessiner (saisir mon nom)" in html
    assert "Je confirme signer la feuille d'émargement de cette demi-journée." in html
    data = {"code": code, "mode": SignatureMode.TYPED, "typed_name": "Inès Arnaud", "confirmed": ""}
    response = client.post(url, data)
    html = unescape(response.content.decode())
    assert "rien n'a été enregistré" in html and not Signature.objects.exists()
    # Each error is tied to its field: aria-describedby names it, aria-invalid marks the field.
    name_input = re.search(r'<input[^>]*name="typed_name"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in name_input and "id_typed_name_error" in name_input
    assert 'id="id_typed_name_error"' in html and "ne correspond pas" in html
    box = re.search(r'<input[^>]*name="confirmed"[^>]*>', html).group(0)
    assert 'aria-describedby="id_confirmed_error"' in box and 'id="id_confirmed_error"' in html
    assert 'value="Inès Arnaud"' in html, "what was typed stays in the field"
    data.update(typed_name="Inès Arnaud-Le Gall", confirmed="on")
    html = text(client.post(url, data, follow=True))
    assert "Merci, votre signature est enregistrée." in html
    assert 'Signé sans tracé : nom saisi "Inès Arnaud-Le Gall" le 05/10/2026 à 12:00' in html
    signature = Attendance.objects.get(enrolment=ines).signature
    assert signature.mode == SignatureMode.TYPED and signature.method == SignatureMethod.PHONE


def test_the_sheet_states_typed_signatures_and_the_trainer_signs_without_drawing(
    client, cast, session, ines, today
):
    client.force_login(cast.trainer_a)
    sheet = reverse("cohorts:session_detail", args=[session.pk])
    html = text(client.get(sheet))
    assert html.count("Signer sans dessiner (saisir mon nom)") == 2, "the learner's dialog and the lock"
    assert "Je confirme signer et verrouiller la feuille" in html
    data = {"enrolment": ines.pk, "mode": SignatureMode.TYPED, "typed_name": "INES ARNAUD LE GALL"}
    html = text(client.post(reverse("cohorts:attendance_sign", args=[session.pk]), data))
    assert "Cochez la case" in html and not Signature.objects.exists()
    response = client.post(
        reverse("cohorts:attendance_sign", args=[session.pk]), {**data, "confirmed": "on"}, follow=True
    )
    html = text(response)
    assert 'Signé sans tracé : nom saisi "INES ARNAUD LE GALL" le 05/10/2026 à 12:00' in html
    lock = reverse("cohorts:sheet_lock", args=[session.pk])
    response = client.post(
        lock, {"mode": SignatureMode.TYPED, "typed_name": "Sophie Dupont", "confirmed": "on"}
    )
    html = unescape(response.content.decode())
    assert "ne correspond pas" in html and 'id="formateur_typed_name_error"' in html
    assert 'value="Sophie Dupont"' in html, "the refused name stays in the lock form"
    response = client.post(
        lock, {"mode": SignatureMode.TYPED, "typed_name": "sophie durand", "confirmed": "on"}, follow=True
    )
    html = text(response)
    assert "Feuille signée et verrouillée." in html
    assert 'Signé sans tracé : nom saisi "sophie durand" le 05/10/2026 à 12:00' in html


def test_a_drawing_is_still_the_default(client, cast, session, ines, today):
    client.force_login(cast.trainer_a)
    url = reverse("cohorts:attendance_sign", args=[session.pk])
    html = text(client.post(url, {"enrolment": ines.pk}))
    assert "La signature est vide" in html and not Signature.objects.exists()
    client.post(url, {"enrolment": ines.pk, "strokes": json.dumps(STROKES)})
    assert Attendance.objects.get(enrolment=ines).signature.mode == SignatureMode.DRAWN


def test_another_school_cannot_sign_by_typing(client, cast, session, ines, today):
    client.force_login(cast.trainer_b)
    data = {
        "enrolment": ines.pk,
        "mode": SignatureMode.TYPED,
        "typed_name": "Inès Arnaud-Le Gall",
        "confirmed": "on",
    }
    assert client.post(reverse("cohorts:attendance_sign", args=[session.pk]), data).status_code == 404
    assert client.post(reverse("cohorts:sheet_lock", args=[session.pk]), data).status_code == 404
    assert not Signature.objects.exists()


def test_the_api_says_how_each_line_was_signed(client, cast, session, ines, today):
    svc.attendance_sign(
        session=session, enrolment=ines, by=cast.trainer_a, signing=typed("Inès Arnaud-Le Gall")
    )
    _token, raw = api_token_create(user=cast.trainer_a)
    response = client.get(
        f"/api/v1/sessions/{session.pk}/attendance", headers={"Authorization": f"Bearer {raw}"}
    )
    sheet = response.json()
    line = sheet["lines"][0]
    assert line["signed"] is True and line["method"] == SignatureMethod.TABLET
    assert line["mode"] == SignatureMode.TYPED and line["typed_name"] == "Inès Arnaud-Le Gall"


def test_anonymising_the_learner_replaces_the_typed_name_too(cast, session, ines, today):
    from plombiers.rights.purge import learner_anonymise

    mark = svc.attendance_sign(
        session=session, enrolment=ines, by=cast.trainer_a, signing=typed("Inès Arnaud-Le Gall")
    )
    learner_anonymise(learner=ines.learner)
    signature = Signature.objects.get(pk=mark.signature_id)
    ines.learner.refresh_from_db()
    assert "Arnaud" not in signature.typed_name and signature.typed_name == str(ines.learner)
    assert signature.signer_name == str(ines.learner) and signature.mode == SignatureMode.TYPED
