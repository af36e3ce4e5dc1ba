import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from plombiers.cohorts.enums import CohortStatus
from plombiers.cohorts.tests.factories import CohortFactory
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Contact
from plombiers.network.tests.factories import OrganisationFactory, PartnershipFactory
from plombiers.privacy.models import AuditEvent
from plombiers.surveys import services
from plombiers.surveys.enums import Audience
from plombiers.surveys.models import SurveyAnswer, SurveyInvitation
from plombiers.surveys.services import AlreadyAnswered, InvitationExpired, Tutor, survey_answer, survey_invite

NOW = dt.datetime(2025, 12, 19, 15, 0, tzinfo=dt.UTC)
GOOD = {
    "overall": 4,
    "gestures": 3,
    "trainers": 4,
    "support": 2,
    "internship": 3,
    "next_step": 1,
    "recommend": 1,
    "comment": "  Merci à Sophie.  ",
}


@time_machine.travel(NOW, tick=False)
def test_learners_who_completed_are_invited_with_a_link_by_e_mail(
    cast, cohort, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = survey_invite(cohort=cohort.cohort, audience=Audience.LEARNER, by=cast.manager_a)
    assert sorted(i.addressee for i in created) == ["Inès", "Léa", "Yanis"]  # not Hugo, who dropped out
    assert all(i.expires_at == NOW + dt.timedelta(days=30) for i in created)
    # Yanis has no e-mail address: the manager shows him the QR code instead.
    assert sorted(m.to[0] for m in mailoutbox) == ["ines@jeune.example", "lea@jeune.example"]
    ines = next(i for i in created if i.addressee == "Inès")
    message = next(m for m in mailoutbox if m.to == ["ines@jeune.example"])
    assert f"http://127.0.0.1:8000/enquete/{ines.token}/" in message.body
    assert "Bonjour Inès" in message.body and "18/01/2026" in message.body
    ines.refresh_from_db()
    assert ines.sent_at == NOW
    event = AuditEvent.objects.get(action="survey.invite")
    assert event.details == {"audience": "learner", "count": 3} and event.school == cast.school_a
    # A second round invites nobody twice.
    assert survey_invite(cohort=cohort.cohort, audience=Audience.LEARNER, by=cast.manager_a) == []
    assert SurveyInvitation.objects.count() == 3


def test_funders_and_opco_of_the_school_are_invited_at_their_contact_address(
    cast, cohort, mailoutbox, django_capture_on_commit_callbacks
):
    Contact.objects.create(organisation=cast.funder_org, full_name="Anne Roy", email="anne@fondation.example")
    opco = OrganisationFactory(
        network=cast.network, kind=OrganisationKind.OPCO, name="OPCO Test", email="opco@test.example"
    )
    PartnershipFactory(school=cast.school_a, organisation=opco)
    silent = OrganisationFactory(
        network=cast.network, kind=OrganisationKind.FUNDER, name="Sans adresse", email=""
    )
    PartnershipFactory(school=cast.school_a, organisation=silent)
    other = OrganisationFactory(network=cast.network, kind=OrganisationKind.FUNDER, email="b@test.example")
    PartnershipFactory(school=cast.school_b, organisation=other)
    with django_capture_on_commit_callbacks(execute=True):
        created = survey_invite(cohort=cohort.cohort, audience=Audience.FUNDER, by=cast.staff)
    assert {(i.addressee, i.email) for i in created} == {
        ("Fondation A", "anne@fondation.example"),
        ("OPCO Test", "opco@test.example"),
    }
    assert sorted(m.to[0] for m in mailoutbox) == ["anne@fondation.example", "opco@test.example"]


def test_a_tutor_is_invited_by_name_and_e_mail_without_an_account(
    cast, cohort, mailoutbox, django_capture_on_commit_callbacks
):
    tutors = [
        Tutor("Marc Dupuis", "Marc.Dupuis@fibre.example"),
        Tutor("Marc Dupuis", "marc.dupuis@fibre.example"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        (invitation,) = survey_invite(
            cohort=cohort.cohort, audience=Audience.TUTOR, by=cast.manager_a, tutors=tutors
        )
    assert (invitation.addressee, invitation.respondent_name, invitation.email) == (
        "Marc",
        "Marc Dupuis",
        "marc.dupuis@fibre.example",
    )
    assert mailoutbox[0].to == ["marc.dupuis@fibre.example"] and "stagiaire" in mailoutbox[0].body
    with pytest.raises(ValidationError) as error:
        survey_invite(
            cohort=cohort.cohort, audience=Audience.TUTOR, by=cast.manager_a, tutors=[Tutor("Zoé", "zoé@")]
        )
    assert "n'est pas une adresse e-mail valide" in str(error.value)
    assert SurveyInvitation.objects.count() == 1


def test_only_the_manager_or_the_network_launches_a_survey_and_not_before_the_cohort_starts(cast, cohort):
    for user in (cast.trainer_a, cast.manager_b, cast.funder, cast.outsider):
        with pytest.raises(PermissionDenied):
            survey_invite(cohort=cohort.cohort, audience=Audience.LEARNER, by=user)
    planned = CohortFactory(school=cast.school_a, status=CohortStatus.PLANNED)
    with pytest.raises(ValidationError, match="pas encore commencé"):
        survey_invite(cohort=planned, audience=Audience.LEARNER, by=cast.manager_a)
    with pytest.raises(ValidationError, match="Public inconnu"):
        survey_invite(cohort=cohort.cohort, audience="parents", by=cast.manager_a)
    assert not SurveyInvitation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_invitation_e_mails_go_through_the_database_queue(cast, cohort, settings, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    survey_invite(cohort=cohort.cohort, audience=Audience.LEARNER, by=cast.manager_a)
    assert DBTaskResult.objects.count() == 2 and mailoutbox == []
    call_command("db_worker", "--batch", verbosity=0)
    assert len(mailoutbox) == 2
    assert SurveyInvitation.objects.filter(sent_at__isnull=False).count() == 2


def _invitation(cast, cohort):
    with time_machine.travel(NOW, tick=False):
        return next(
            i
            for i in survey_invite(
                cohort=cohort.cohort, audience=Audience.LEARNER, by=cast.manager_a, send=False
            )
            if i.addressee == "Inès"
        )


def test_an_answer_is_recorded_once(cast, cohort):
    invitation = _invitation(cast, cohort)
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        survey_answer(invitation=invitation, answers=GOOD)
        invitation.refresh_from_db()
        assert invitation.answered_at == NOW + dt.timedelta(days=2)
        answers = dict(SurveyAnswer.objects.filter(invitation=invitation).values_list("question", "value"))
        assert answers["overall"] == 4 and answers["recommend"] == 1 and answers["comment"] is None
        assert SurveyAnswer.objects.get(question="comment").text == "Merci à Sophie."
        with pytest.raises(AlreadyAnswered):
            survey_answer(invitation=invitation, answers={**GOOD, "overall": 1})
    assert SurveyAnswer.objects.filter(invitation=invitation).count() == 8
    assert AuditEvent.objects.filter(action="survey.answer", actor=None).count() == 1


def test_an_expired_or_incomplete_answer_writes_nothing(cast, cohort):
    invitation = _invitation(cast, cohort)
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        with pytest.raises(ValidationError) as error:
            survey_answer(invitation=invitation, answers={**GOOD, "overall": None, "recommend": 7})
        assert error.value.message_dict == {
            "overall": ["Choisissez une réponse."],
            "recommend": ["Cette réponse n'est pas dans la liste."],
        }
        with pytest.raises(ValidationError, match="trop long"):
            survey_answer(
                invitation=invitation, answers={**GOOD, "comment": "x" * (services.TEXT_MAX_LENGTH + 1)}
            )
    with time_machine.travel(NOW + dt.timedelta(days=30), tick=False), pytest.raises(InvitationExpired):
        survey_answer(invitation=invitation, answers=GOOD)
    invitation.refresh_from_db()
    assert invitation.answered_at is None and not SurveyAnswer.objects.exists()


def test_a_link_names_its_invitation_and_nothing_else(cast, cohort):
    invitation = _invitation(cast, cohort)
    assert SurveyInvitation.objects.for_token(invitation.token).get() == invitation
    pk_nonce, signature = invitation.token.split(":")
    other = SurveyInvitation.objects.exclude(pk=invitation.pk).first()
    forged = [
        "n-importe-quoi",
        f"{other.pk}.{invitation.nonce}:{signature}",  # another invitation's id, same signature
        f"{pk_nonce}:{signature[:-1]}{'B' if signature.endswith('A') else 'A'}",  # a tampered signature
        f"{pk_nonce}x:{signature}",
    ]
    for token in forged:
        assert not SurveyInvitation.objects.for_token(token).exists(), token
    # A correctly signed link whose nonce no longer matches (the row was recreated) opens nothing.
    SurveyInvitation.objects.filter(pk=invitation.pk).update(nonce="autre")
    assert not SurveyInvitation.objects.for_token(invitation.token).exists()
