"""Exits and follow-ups: the situation of a young person when their enrolment ends, and 1, 3, 6 and
12 months later.

An exit is recorded once per enrolment that ended (completed or dropped out), by the school's manager
or social worker (or the network staff); it creates its four follow-ups. A follow-up is answered by
the school, by the prescriber of the young person, or by the young person through a signed link; one
still unanswered 30 days after its due date becomes « sans nouvelles » (`follow_ups_expire`, daily).

The link is `django.core.signing` of the follow-up's id and a random nonce stored on the row:
forging one needs the secret key; an answered one is refused by the row's state, an expired one by
its due date, a replaced one by its nonce (the school sends a new link when the old one went
astray: `follow_up_link_renew`).
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from plombiers.accounts.models import User
from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.internships.enums import InternshipStatus
from plombiers.internships.models import Internship
from plombiers.lib import derived, events
from plombiers.lib.dates import add_months
from plombiers.lib.validators import validate_rome_code
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Organisation, School
from plombiers.privacy.services import audit_log

from .enums import (
    CATEGORY_OF,
    EMPLOYMENT_TYPES,
    NO_NEWS_AFTER_DAYS,
    OPENS_DAYS_BEFORE,
    ExitType,
    FollowUpHorizon,
    FollowUpSource,
    FollowUpStatus,
)
from .models import Exit, FollowUp, new_link_nonce
from .permissions import can_record, is_prescriber_of

LINK_SALT = "plombiers.outcomes.follow_up"
ENDED = (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT)
# Internships that really took place in the company (a draft interrupted never did).
HOSTED = (InternshipStatus.ONGOING, InternshipStatus.FINISHED, InternshipStatus.INTERRUPTED)
MAX_TEXT = 5000
MAX_NAME = 200

LINK_REPLACED = (
    "Ce lien n'est plus valable : l'école en a envoyé un nouveau. Utilise le lien du message le "
    "plus récent, ou demande-le à ton école."
)
NOT_TEAM = "Seule l'équipe de l'école (direction, accompagnement) renseigne les sorties."
EMPLOYMENT_ONLY = "ne s'indique que pour un emploi ou un contrat en alternance"


# --- who may do what: see permissions.py -----------------------------------------------------


def _check_team(user: User, school: School) -> None:
    if not can_record(user, school):
        raise PermissionDenied(NOT_TEAM)


# --- dates ------------------------------------------------------------------------------------


def due_on(exit_date: dt.date, horizon: int) -> dt.date:
    return add_months(exit_date, horizon)


def no_news_on(follow_up: FollowUp) -> dt.date:
    """The last day a follow-up can be answered; the day after, it is « sans nouvelles »."""
    return follow_up.due_on + dt.timedelta(days=NO_NEWS_AFTER_DAYS)


def opens_on(follow_up: FollowUp) -> dt.date:
    return follow_up.due_on - dt.timedelta(days=OPENS_DAYS_BEFORE)


# --- validation shared by record and update ----------------------------------------------------


def _clean_hours(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"weekly_hours": "Indiquez un nombre d'heures (ex. 35)."}) from None
    if not hours.is_finite() or hours < 1 or hours > 60:
        raise ValidationError({"weekly_hours": "Indiquez entre 1 et 60 heures par semaine."})
    if (hours * 2) % 1:
        raise ValidationError({"weekly_hours": "Les heures par semaine s'indiquent à la demi-heure près."})
    return hours.quantize(Decimal("0.1"))


def _clean_text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: "Ce champ ne contient que du texte."})
    if len(value) > limit:
        raise ValidationError({field: f"{limit} caractères au plus."})
    return value


def _hosted_by(enrolment: Enrolment, employer: Organisation | None, exit_date: dt.date) -> bool:
    """Hired by a company where the young person did an internship of this enrolment."""
    if employer is None:
        return False
    return Internship.objects.filter(
        enrolment=enrolment,
        site__company=employer,
        status__in=HOSTED,
        start_date__lte=exit_date,
    ).exists()


def exit_fields_check(
    *,
    enrolment: Enrolment,
    exit_type: str,
    exit_date: dt.date,
    employer: Organisation | None,
    employer_name: str,
    rome_code: str,
    weekly_hours,
    hired_by_internship_host: bool | None,
    comment: str,
) -> dict:
    """The fields of an exit, checked; a French message for each refusal."""
    if exit_type not in ExitType.values:
        raise ValidationError({"exit_type": f"Situation inconnue « {exit_type} »."})
    today = timezone.localdate()
    if exit_date < enrolment.entry_date:
        raise ValidationError(
            {
                "exit_date": f"La sortie ne peut précéder l'entrée en formation ({enrolment.entry_date:%d/%m/%Y})."
            }
        )
    if exit_date > today:
        raise ValidationError({"exit_date": "La date de sortie ne peut pas être dans le futur."})
    employment = exit_type in EMPLOYMENT_TYPES
    employer_name = _clean_text(employer_name, "employer_name", MAX_NAME)
    rome_code = (rome_code or "").strip().upper()
    hours = _clean_hours(weekly_hours)
    if employer is not None:
        if not employment:
            raise ValidationError({"employer": f"Un employeur {EMPLOYMENT_ONLY}."})
        school = enrolment.cohort.school
        if employer.kind != OrganisationKind.COMPANY or employer.network_id != school.network_id:
            raise ValidationError({"employer": "L'employeur choisi n'est pas une entreprise du réseau."})
        employer_name = employer_name or employer.name
    if rome_code:
        if not employment:
            raise ValidationError({"rome_code": f"Un code ROME {EMPLOYMENT_ONLY}."})
        try:
            validate_rome_code(rome_code)
        except ValidationError as error:
            raise ValidationError({"rome_code": error.messages}) from None
    if hours is not None and not employment:
        raise ValidationError({"weekly_hours": f"Le nombre d'heures {EMPLOYMENT_ONLY}."})
    if hired_by_internship_host is None:
        hired_by_internship_host = _hosted_by(enrolment, employer, exit_date)
    elif hired_by_internship_host and not employment:
        raise ValidationError(
            {"hired_by_internship_host": f"Une embauche par l'entreprise de stage {EMPLOYMENT_ONLY}."}
        )
    return {
        "exit_type": exit_type,
        "exit_date": exit_date,
        "employer": employer,
        "employer_name": employer_name,
        "rome_code": rome_code,
        "weekly_hours": hours,
        "hired_by_internship_host": bool(hired_by_internship_host),
        "comment": _clean_text(comment, "comment", MAX_TEXT),
    }


# --- exits ------------------------------------------------------------------------------------


@transaction.atomic
def exit_record(
    enrolment: Enrolment,
    *,
    by: User,
    exit_type: str,
    exit_date: dt.date | None = None,
    employer: Organisation | None = None,
    employer_name: str = "",
    rome_code: str = "",
    weekly_hours=None,
    hired_by_internship_host: bool | None = None,
    comment: str = "",
) -> Exit:
    """Record the situation at exit of an enrolment that ended, and its four follow-ups.

    `hired_by_internship_host` left to None is computed: an employer given that hosted an
    internship of this enrolment. The exit date defaults to the enrolment's end date.
    """
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("cohort__school", "learner")
        .get(pk=enrolment.pk)
    )
    school = enrolment.cohort.school
    _check_team(by, school)
    if enrolment.status not in ENDED or enrolment.end_date is None:
        raise ValidationError(
            "Ce parcours n'est pas terminé : la sortie se renseigne quand l'inscription se termine "
            "(parcours terminé ou abandon)."
        )
    if Exit.objects.filter(enrolment=enrolment).exists():
        raise ValidationError("La sortie de ce parcours est déjà renseignée : corrigez-la plutôt.")
    fields = exit_fields_check(
        enrolment=enrolment,
        exit_type=exit_type,
        exit_date=exit_date or enrolment.end_date,
        employer=employer,
        employer_name=employer_name,
        rome_code=rome_code,
        weekly_hours=weekly_hours,
        hired_by_internship_host=hired_by_internship_host,
        comment=comment,
    )
    exit = Exit(enrolment=enrolment, recorded_by=by, **fields)
    exit.save()
    FollowUp.objects.bulk_create(
        FollowUp(exit=exit, horizon=h, due_on=due_on(exit.exit_date, h)) for h in FollowUpHorizon.values
    )
    derived.mark("exit", [exit.pk])  # no signal from bulk_create: the rollup of its school
    audit_log(
        actor=by,
        action="exit.record",
        obj=exit,
        school=school,
        details={"type": exit.exit_type, "category": exit.category},
    )
    events.announce(events.exit_recorded, exit)
    return exit


EDITABLE = {
    "exit_type",
    "exit_date",
    "employer",
    "employer_name",
    "rome_code",
    "weekly_hours",
    "hired_by_internship_host",
    "comment",
}


def _audit_value(value):
    if isinstance(value, Organisation):
        return value.pk
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


@transaction.atomic
def exit_update(exit: Exit, *, by: User, reason: str, data: dict) -> Exit:
    """Correct an exit (the school's manager or social worker), with the reason, audited. A new
    exit date moves the follow-ups still to do."""
    exit = (
        Exit.objects.select_for_update(of=("self",))
        .select_related("enrolment__cohort__school", "employer")
        .get(pk=exit.pk)
    )
    enrolment = exit.enrolment
    school = enrolment.cohort.school
    _check_team(by, school)
    reason = _clean_text(reason, "reason", MAX_TEXT)
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de la correction."})
    unknown = set(data) - EDITABLE
    if unknown:
        raise ValidationError(f"Champs non modifiables : {', '.join(sorted(unknown))}.")
    current = {name: getattr(exit, name) for name in EDITABLE}
    merged = {**current, **data}
    if "hired_by_internship_host" not in data and ("employer" in data or "exit_type" in data):
        merged["hired_by_internship_host"] = None  # computed again for the new employer
    if merged["exit_type"] not in EMPLOYMENT_TYPES:
        # A situation that is no job keeps no employer, ROME code nor hours.
        for name in ("employer", "rome_code", "weekly_hours"):
            if name not in data:
                merged[name] = None if name != "rome_code" else ""
        if "hired_by_internship_host" not in data:
            merged["hired_by_internship_host"] = False
    fields = exit_fields_check(enrolment=enrolment, **merged)
    changed = {name: value for name, value in fields.items() if value != current[name]}
    if not changed:
        raise ValidationError("Rien n'a changé : la sortie est déjà ainsi.")
    for name, value in changed.items():
        setattr(exit, name, value)
    exit.save()
    if "exit_date" in changed:
        for follow_up in exit.follow_ups.filter(status=FollowUpStatus.DUE):
            follow_up.due_on = due_on(exit.exit_date, follow_up.horizon)
            follow_up.save(update_fields=["due_on"])
    audit_log(
        actor=by,
        action="exit.update",
        obj=exit,
        school=school,
        details={
            "reason": reason,
            "changes": {n: [_audit_value(current[n]), _audit_value(v)] for n, v in changed.items()},
        },
    )
    return exit


# --- follow-ups -------------------------------------------------------------------------------


def _check_reporter(follow_up: FollowUp, by: User | None, source: str, link_nonce: str | None) -> None:
    enrolment = follow_up.exit.enrolment
    if source == FollowUpSource.LEARNER:
        if by is not None and enrolment.learner.user_id != by.pk:
            raise PermissionDenied("Seul·e le ou la jeune répond pour lui-même ou elle-même.")
        if link_nonce is not None and not constant_time_compare(link_nonce, follow_up.link_nonce):
            raise PermissionDenied(LINK_REPLACED)
    elif by is None:
        raise PermissionDenied("Un suivi est renseigné par une personne identifiée.")
    elif source == FollowUpSource.SOCIAL_WORKER:
        _check_team(by, enrolment.cohort.school)
    elif source == FollowUpSource.PRESCRIBER:
        if not is_prescriber_of(by, enrolment):
            raise PermissionDenied("Seul le prescripteur du ou de la jeune peut signaler sa situation.")
    else:
        raise ValidationError({"source": "Ce suivi ne se renseigne pas à la main."})


@transaction.atomic
def follow_up_record(
    follow_up: FollowUp,
    *,
    by: User | None,
    source: str,
    situation_type: str,
    employer_name: str = "",
    comment: str = "",
    link_nonce: str | None = None,
) -> FollowUp:
    """The situation at one horizon, once. The young person (through their link: `by` None, and
    `link_nonce` the link's, checked under the lock against a link replaced meanwhile) and their
    prescriber answer a follow-up still to do; the school may also give news after an automatic
    « sans nouvelles », or correct an answer (audited)."""
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("exit__enrolment__cohort__school", "exit__enrolment__learner")
        .get(pk=follow_up.pk)
    )
    _check_reporter(follow_up, by, source, link_nonce)
    today = timezone.localdate()
    team = source == FollowUpSource.SOCIAL_WORKER
    if follow_up.status == FollowUpStatus.DONE and not team:
        raise ValidationError("Ce suivi est déjà renseigné : une seule réponse est possible.")
    if follow_up.status == FollowUpStatus.NO_NEWS and not team:
        raise ValidationError("Ce suivi est clos « sans nouvelles » : contactez l'école.")
    if today < opens_on(follow_up):
        raise ValidationError(
            f"Ce suivi se renseigne à partir du {opens_on(follow_up):%d/%m/%Y} "
            f"(échéance le {follow_up.due_on:%d/%m/%Y})."
        )
    if not team and today > no_news_on(follow_up):
        raise ValidationError("Le délai pour répondre à ce suivi est passé.")
    if situation_type not in ExitType.values or (situation_type == ExitType.NO_NEWS and not team):
        raise ValidationError({"situation_type": "Choisissez une situation dans la liste."})
    previous = {"status": follow_up.status, "situation_type": follow_up.situation_type}
    follow_up.status = FollowUpStatus.NO_NEWS if situation_type == ExitType.NO_NEWS else FollowUpStatus.DONE
    follow_up.situation_type = situation_type
    follow_up.employer_name = _clean_text(employer_name, "employer_name", MAX_NAME)
    follow_up.comment = _clean_text(comment, "comment", MAX_TEXT)
    follow_up.source = source
    follow_up.answered_at = timezone.now()
    follow_up.answered_by = by
    follow_up.save()
    audit_log(
        actor=by,
        action="follow_up.record" if previous["status"] == FollowUpStatus.DUE else "follow_up.correct",
        obj=follow_up,
        school=follow_up.exit.enrolment.cohort.school,
        details={
            "horizon": follow_up.horizon,
            "source": source,
            "category": follow_up.category,
            **({"previous": previous} if previous["status"] != FollowUpStatus.DUE else {}),
        },
    )
    events.announce(events.followup_recorded, follow_up)
    return follow_up


@transaction.atomic
def follow_ups_expire(today: dt.date | None = None) -> int:
    """Every follow-up still to do whose due date is more than 30 days past becomes « sans
    nouvelles » (source automatique). One UPDATE, whatever the number; run daily."""
    today = today or timezone.localdate()
    stale = FollowUp.objects.due().filter(due_on__lt=today - dt.timedelta(days=NO_NEWS_AFTER_DAYS))
    # No signal from update(): the rollup of their schools (one query).
    derived.mark(
        "school", stale.order_by().values_list("exit__enrolment__cohort__school", flat=True).distinct()
    )
    count = stale.update(
        status=FollowUpStatus.NO_NEWS,
        situation_type=ExitType.NO_NEWS,
        category=CATEGORY_OF[ExitType.NO_NEWS],
        source=FollowUpSource.SYSTEM,
        answered_at=timezone.now(),
        answered_by=None,
    )
    if count:
        audit_log(actor=None, action="follow_up.expire", details={"count": count, "on": today.isoformat()})
    return count


# --- the young person's link ------------------------------------------------------------------


class LinkReplaced(Exception):
    """A genuine link whose follow-up has been given a new one since: it opens nothing."""


def follow_up_token(follow_up: FollowUp) -> str:
    return signing.Signer(salt=LINK_SALT).sign(f"{follow_up.pk}.{follow_up.link_nonce}")


def follow_up_link(follow_up: FollowUp) -> str:
    return reverse("outcomes:answer", args=[follow_up_token(follow_up)])


def follow_up_for_token(token: str) -> FollowUp | None:
    """The follow-up a link names; None when it was forged or tampered with (or its follow-up is
    gone). A genuine link replaced since (or one sent before links had a nonce) raises
    LinkReplaced."""
    try:
        value = signing.Signer(salt=LINK_SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk, _, nonce = value.partition(".")
    if not pk.isdigit() or len(pk) > 18:
        return None
    follow_up = (
        FollowUp.objects.select_related("exit__enrolment__learner", "exit__enrolment__cohort__school")
        .filter(pk=int(pk))
        .first()
    )
    if follow_up is not None and not constant_time_compare(nonce, follow_up.link_nonce):
        raise LinkReplaced
    return follow_up


@transaction.atomic
def follow_up_link_renew(*, follow_up: FollowUp, by: User) -> FollowUp:
    """A new link for a follow-up still to do (the old one went to a wrong address, was lost, or
    shared): the nonce changes, every link given before is refused from now on. The school's
    team only; audited. The caller e-mails the new link when the young person has an address."""
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("exit__enrolment__cohort__school", "exit__enrolment__learner")
        .get(pk=follow_up.pk)
    )
    school = follow_up.exit.enrolment.cohort.school
    _check_team(by, school)
    if follow_up.status != FollowUpStatus.DUE:
        raise ValidationError("Ce suivi n'est plus à faire : il n'a plus de lien.")
    follow_up.link_nonce = new_link_nonce()
    follow_up.save(update_fields=["link_nonce"])
    audit_log(
        actor=by,
        action="follow_up.link_renew",
        obj=follow_up,
        school=school,
        details={"horizon": follow_up.horizon},
    )
    return follow_up


def link_state(follow_up: FollowUp, today: dt.date | None = None) -> str:
    """« open », « answered », « early » or « expired »: what the link page shows."""
    today = today or timezone.localdate()
    if follow_up.status != FollowUpStatus.DUE:
        return "answered" if follow_up.status == FollowUpStatus.DONE else "expired"
    if today > no_news_on(follow_up):
        return "expired"
    if today < opens_on(follow_up):
        return "early"
    return "open"
