"""Satisfaction surveys: who is invited, and how one answer is recorded (once, on time)."""

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Cohort
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Organisation, School
from plombiers.privacy.services import audit_log

from . import tasks
from .enums import Audience, QuestionKind
from .models import SurveyAnswer, SurveyInvitation
from .questionnaires import questionnaire

TEXT_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Tutor:
    """A company tutor: no account, a name and an e-mail address."""

    name: str
    email: str


class AlreadyAnswered(Exception):
    """The invitation has its answers: a second submission writes nothing."""


class InvitationExpired(Exception):
    """The link is past its date: nothing is written."""


def link_validity() -> dt.timedelta:
    return dt.timedelta(days=settings.PLOMBIERS_SURVEY_LINK_DAYS)


def new_nonce() -> str:
    return secrets.token_urlsafe(9)


def funder_email(organisation: Organisation) -> str:
    """The address a funder's invitation goes to: its first contact with an e-mail, else its own."""
    contact = next((c.email for c in organisation.contacts.all() if c.email), "")
    return contact or organisation.email


@transaction.atomic
def survey_invite(
    *, cohort: Cohort, audience: str, by, tutors: Sequence[Tutor] = (), send: bool = True
) -> list[SurveyInvitation]:
    """Invite everyone of `audience` for `cohort` who is not invited yet; e-mail the links.

    Learners: those who completed the cohort or are finishing it (not those who dropped out).
    Funders: the funders and OPCO partnered with the school, and the cohort's own OPCO, at
    their contact's e-mail. Tutors: the people given, by name and e-mail (no account).
    Running it again invites only the newcomers. Returns the new invitations.
    """
    if audience not in Audience.values:
        raise ValidationError({"audience": f"Public inconnu « {audience} »."})
    if not School.objects.editable_by(by).filter(pk=cohort.school_id).exists():
        raise PermissionDenied("Seul·e le ou la responsable de l'école peut lancer une enquête.")
    return _invite(cohort=cohort, audience=audience, by=by, tutors=tutors, send=send)


def tutor_survey_invite(*, cohort: Cohort, tutor: Tutor) -> SurveyInvitation | None:
    """The company satisfaction survey, sent by signed link to a tutor who has just evaluated
    their intern (`internships.services.evaluation_submit`): no one clicks for it. Once per tutor
    and cohort: a tutor already invited is not invited again. None when there is no address."""
    try:
        validate_email(tutor.email.strip())
    except ValidationError:
        return None  # no usable address: nothing to send (the evaluation stands)
    if not tutor.name.strip() or cohort.status == CohortStatus.PLANNED:
        return None  # no name, or a cohort not yet started: no survey (the evaluation stands)
    rows = _invite(cohort=cohort, audience=Audience.TUTOR, by=None, tutors=[tutor], send=True)
    return rows[0] if rows else None


@transaction.atomic
def _invite(
    *, cohort: Cohort, audience: str, by, tutors: Sequence[Tutor], send: bool
) -> list[SurveyInvitation]:
    # One invitation round at a time per cohort: two clicks never invite someone twice.
    cohort = Cohort.objects.select_for_update().select_related("school").get(pk=cohort.pk)
    if cohort.status == CohortStatus.PLANNED:
        raise ValidationError("La promotion n'a pas encore commencé : l'enquête se fait en fin de formation.")
    now = timezone.now()
    common = {
        "school": cohort.school,
        "cohort": cohort,
        "audience": audience,
        "questionnaire_version": questionnaire(audience).version,
        "created_at": now,
        "created_by": by,
        "expires_at": now + link_validity(),
    }
    invited = SurveyInvitation.objects.filter(cohort=cohort, audience=audience)
    if audience == Audience.LEARNER:
        enrolments = (
            cohort.enrolments.filter(status__in=[EnrolmentStatus.COMPLETED, EnrolmentStatus.ACTIVE])
            .exclude(pk__in=invited.values("enrolment"))
            .select_related("learner")
            .order_by("pk")
        )
        rows = [
            SurveyInvitation(
                **common,
                enrolment=e,
                addressee=e.learner.first_name,
                email=e.learner.email,
                nonce=new_nonce(),
            )
            for e in enrolments
        ]
    elif audience == Audience.FUNDER:
        organisations = (
            Organisation.objects.filter(
                Q(
                    partnerships__school=cohort.school,
                    kind__in=[OrganisationKind.FUNDER, OrganisationKind.OPCO],
                )
                | Q(pk=cohort.opco_id)
            )
            .exclude(pk__in=invited.values("organisation"))
            .prefetch_related("contacts")
            .distinct()
            .order_by("name", "pk")
        )
        rows = [
            SurveyInvitation(**common, organisation=o, addressee=o.name, email=email, nonce=new_nonce())
            for o in organisations
            if (email := funder_email(o))
        ]
    else:
        rows = _tutor_rows(tutors, invited, common)
    SurveyInvitation.objects.bulk_create(rows)
    if rows:
        audit_log(
            actor=by,
            action="survey.invite",
            obj=cohort,
            school=cohort.school,
            details={"audience": audience, "count": len(rows)},
        )
    if send:
        for invitation in rows:
            if invitation.email:
                transaction.on_commit(lambda pk=invitation.pk: tasks.send_survey_invitation.enqueue(pk))
    return rows


def _tutor_rows(tutors: Sequence[Tutor], invited, common: dict) -> list[SurveyInvitation]:
    if not tutors:
        raise ValidationError({"email": "Indiquez le nom et l'e-mail du tuteur ou de la tutrice."})
    already = {e.lower() for e in invited.values_list("email", flat=True)}
    rows = []
    for tutor in tutors:
        name, email = tutor.name.strip(), tutor.email.strip().lower()
        if not name:
            raise ValidationError({"name": "Indiquez le nom du tuteur ou de la tutrice."})
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                {"email": f"L'adresse « {tutor.email} » n'est pas une adresse e-mail valide."}
            ) from None
        if email in already:
            continue
        already.add(email)
        rows.append(
            SurveyInvitation(
                **common, addressee=name.split()[0], respondent_name=name, email=email, nonce=new_nonce()
            )
        )
    return rows


@transaction.atomic
def survey_answer(
    *, invitation: SurveyInvitation, answers: Mapping[str, int | str | None]
) -> SurveyInvitation:
    """Record the answers of one invitation, once, before its link expires; all or nothing."""
    invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.is_answered:
        raise AlreadyAnswered
    now = timezone.now()
    if invitation.is_expired(now):
        raise InvitationExpired
    form = questionnaire(invitation.audience, invitation.questionnaire_version)
    rows, errors = [], {}
    for question in form.questions:
        given = answers.get(question.code)
        if question.kind == QuestionKind.TEXT:
            text = (given or "").strip() if isinstance(given, str) or given is None else str(given)
            if len(text) > TEXT_MAX_LENGTH:
                errors[question.code] = f"Votre texte est trop long ({TEXT_MAX_LENGTH} caractères au plus)."
            elif text:
                rows.append(SurveyAnswer(invitation=invitation, question=question.code, text=text))
            continue
        allowed = {value for value, _label in question.choices}
        if given in (None, ""):
            errors[question.code] = "Choisissez une réponse."
        elif not str(given).isdigit() or int(given) not in allowed:
            errors[question.code] = "Cette réponse n'est pas dans la liste."
        else:
            rows.append(SurveyAnswer(invitation=invitation, question=question.code, value=int(given)))
    if errors:
        raise ValidationError(errors)
    SurveyAnswer.objects.bulk_create(rows)
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    # No actor: the respondent has no account; the trail says when, not what.
    audit_log(actor=None, action="survey.answer", obj=invitation, school=invitation.school)
    return invitation
