import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import User
from plombiers.lib import events
from plombiers.lib.text import de, fold
from plombiers.network.enums import SchoolStatus
from plombiers.network.models import Organisation, School
from plombiers.privacy.services import audit_log

from . import eligibility, permissions, tasks
from .enums import DECISIONS, NEEDS_REASON, OPEN_STATUSES, ReferralSource, ReferralStatus
from .models import (
    InformationSession,
    Invitation,
    Learner,
    Referral,
    ReferralEvent,
    identity_key,
    referrable_schools,
    session_schools,
)

EXPIRY_DAYS = 60
# What trainers and social workers may do on a referral: move it through the study stages.
STUDY_STATUSES = {ReferralStatus.REVIEW, ReferralStatus.INFO_SESSION, ReferralStatus.INTERVIEW}

LEARNER_FIELDS = [
    "first_name", "last_name", "birth_date", "gender", "phone", "email", "commune", "address",
    "lives_in_qpv", "highest_diploma", "last_class", "neet_since", "is_neet", "has_rqth",
    "driving_licence", "transport", "max_travel_km", "france_travail_id",
]  # fmt: skip


def learner_find_duplicate(
    *, user: User, last_name: str, first_name: str, birth_date: dt.date, school: School | None = None
) -> Learner | None:
    """A record of the same person that this user may already see (in `school` first, when given).
    Records the user cannot see are never looked at: a match must not tell anyone that a person is
    known elsewhere."""
    key = identity_key(last_name=last_name, first_name=first_name, birth_date=birth_date)
    known = Learner.objects.visible_to(user).filter(identity_key=key).select_related("school")
    if school is not None and (here := known.filter(school=school).first()):
        return here
    return known.order_by("-pk").first()


def _school_record(*, school: School, learner_data: dict[str, Any]) -> Learner | None:
    """The school's own record of this person, if it has one (locked: two referrals of the same
    person at once must not both create one)."""
    key = identity_key(
        last_name=learner_data["last_name"],
        first_name=learner_data["first_name"],
        birth_date=learner_data["birth_date"],
    )
    return Learner.objects.select_for_update().filter(school=school, identity_key=key).first()


def _eligibility_day(school: School, default: dt.date) -> dt.date:
    """The age rule applies at the start of the next cohort the young person could join."""
    cohort = (
        school.cohorts.open_for_admission().filter(start_date__gte=default).order_by("start_date").first()
    )
    return cohort.start_date if cohort else default


@dataclass
class ReferralResult:
    referral: Referral
    created: bool  # False when an idempotent retry returned the first referral
    learner_matched: bool  # True when the caller already saw the record reused


OLDEST_BIRTH_YEARS = 100


def check_birth_date(value: dt.date) -> str | None:
    """A French sentence when a birth date cannot be right, else None."""
    today = timezone.localdate()
    if value > today:
        return "La date de naissance ne peut pas être dans le futur."
    if value.year < today.year - OLDEST_BIRTH_YEARS:
        return f"La date de naissance est trop ancienne (plus de {OLDEST_BIRTH_YEARS} ans)."
    return None


def check_learner_data(learner_data: dict[str, Any]) -> None:
    """What a referral says of a person, checked before any record is made or completed with it:
    a ValidationError per field, in French (the page shows it beside the field, the API as a 422)."""
    errors = {}
    if not fold(learner_data.get("first_name") or "") or not fold(learner_data.get("last_name") or ""):
        errors["last_name"] = "Le nom et le prénom sont obligatoires."
    if learner_data.get("birth_date") and (error := check_birth_date(learner_data["birth_date"])):
        errors["birth_date"] = error
    neet_since = learner_data.get("neet_since")
    if neet_since and neet_since > timezone.localdate():
        errors["neet_since"] = "La date « sans emploi ni formation depuis » ne peut pas être dans le futur."
    if learner_data.get("email"):
        try:
            validate_email(learner_data["email"])
        except ValidationError:
            errors["email"] = "Adresse e-mail invalide."
    if errors:
        raise ValidationError(errors)


DUPLICATE = "Une prescription de ce ou cette jeune vers cette école est déjà en cours"


def referral_create(
    *,
    by: User | None,
    school: School,
    learner_data: dict[str, Any],
    prescriber_organisation: Organisation | None = None,
    motivation: str = "",
    idempotency_key: str = "",
    source: str = ReferralSource.PRESCRIPTION,
    contact_consent: bool = False,
) -> ReferralResult:
    """Refer a young person to a school. The school's own record of the person is reused, never
    duplicated; a person known only by other schools gets a new record at this school (nothing of the
    other schools' records is copied or shown). `learner_matched` is True only when the caller could
    already see the record reused.

    A self-referral (`source=ReferralSource.SELF_REFERRAL`, from the public catalogue) has no account
    behind it (`by=None`) and no prescriber; the same rules match the person and refuse a second
    open referral. `contact_consent` records that the young person agreed to be contacted.

    A retried call with the same idempotency key returns the first referral.
    """
    if by is None and source != ReferralSource.SELF_REFERRAL:
        raise PermissionDenied("Seul·e un·e jeune candidate sans compte, depuis le catalogue.")
    if idempotency_key and (
        existing := Referral.objects.filter(created_by=by, idempotency_key=idempotency_key).first()
    ):
        return ReferralResult(existing, created=False, learner_matched=False)
    try:
        with transaction.atomic():
            return _referral_create(
                by=by,
                school=school,
                learner_data=learner_data,
                prescriber_organisation=prescriber_organisation,
                motivation=motivation,
                idempotency_key=idempotency_key,
                source=source,
                contact_consent=contact_consent,
            )
    except IntegrityError:
        # Two identical submissions raced: the other one won, hand it back.
        if idempotency_key and (
            existing := Referral.objects.filter(created_by=by, idempotency_key=idempotency_key).first()
        ):
            return ReferralResult(existing, created=False, learner_matched=False)
        raise ValidationError(f"{DUPLICATE}.", code="duplicate_referral") from None


def _referral_create(
    *, by, school, learner_data, prescriber_organisation, motivation, idempotency_key, source, contact_consent
):
    if source not in ReferralSource.values:
        raise ValidationError(f"Origine inconnue : « {source} ».", code="unknown_source")
    if by is None:
        # A young person applies to any school of the catalogue (the catalogue shows no closed one).
        if not School.objects.exclude(status=SchoolStatus.CLOSED).filter(pk=school.pk).exists():
            raise PermissionDenied("Cette école ne reçoit pas de candidature.")
        prescriber_organisation = None
    elif not referrable_schools(by).filter(pk=school.pk).exists():
        raise PermissionDenied("Vous ne pouvez pas orienter de jeune vers cette école.")
    unknown = set(learner_data) - set(LEARNER_FIELDS)
    if unknown:
        raise ValueError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    check_learner_data(learner_data)
    is_prescriber = by is not None and by.has_role(Role.PRESCRIBER)
    if prescriber_organisation is None and is_prescriber:
        prescriber_organisation = next(
            (m.organisation for m in by.membership_list if m.role == Role.PRESCRIBER), None
        )
    learner = _school_record(school=school, learner_data=learner_data)
    matched = (
        by is not None
        and learner is not None
        and Learner.objects.visible_to(by).filter(pk=learner.pk).exists()
    )
    if learner is None:
        learner = Learner(school=school, **learner_data)
        learner.identity_key = identity_key(
            last_name=learner.last_name, first_name=learner.first_name, birth_date=learner.birth_date
        )
        learner.full_clean()
        learner.save()
        audit_log(actor=by, action="learner.create", obj=learner, school=school)
    elif by is not None:
        # What the prescriber knows fills the gaps of the existing record; it never overwrites it.
        # (A self-referral, made without an account, writes nothing into an existing record: its
        # motivation carries what the young person said.)
        filled = [
            f for f, v in learner_data.items() if v not in (None, "") and getattr(learner, f) in (None, "")
        ]
        for name in filled:
            setattr(learner, name, learner_data[name])
        if filled:
            learner.save(update_fields=filled)
    open_referral = learner.referrals.filter(
        school=school, status__in=[*OPEN_STATUSES, ReferralStatus.WAITLIST]
    ).first()
    if open_referral is not None:
        # Nothing of a record this person cannot see: not even its status.
        status = f" (statut : {open_referral.get_status_display().lower()})" if matched else ""
        raise ValidationError(f"{DUPLICATE}{status}.", code="duplicate_referral")
    today = timezone.localdate()
    result = eligibility.evaluate_learner(learner, on=_eligibility_day(school, today))
    referral = Referral.objects.create(
        learner=learner,
        school=school,
        prescriber=by if is_prescriber else None,
        prescriber_organisation=prescriber_organisation,
        motivation=motivation,
        source=source,
        contact_consent_at=timezone.now() if contact_consent else None,
        referred_on=today,
        eligibility=result.as_dict(),
        idempotency_key=idempotency_key,
        created_by=by,
    )
    ReferralEvent.objects.create(referral=referral, to_status=ReferralStatus.NEW, by=by)
    audit_log(
        actor=by,
        action="referral.create",
        obj=referral,
        details={"learner_matched": matched, "source": source, "contact_consent": contact_consent},
    )
    return ReferralResult(referral, created=True, learner_matched=matched)


def referral_allowed_statuses(referral: Referral, user: User) -> list[str]:
    """The statuses this person may move this referral to, in workflow order."""
    from .enums import TRANSITIONS

    possible = TRANSITIONS[referral.status]
    if permissions.can_decide(user, referral):
        allowed = possible
    elif permissions.can_study(user, referral):
        allowed = possible & STUDY_STATUSES
    elif permissions.can_cancel(user, referral):
        allowed = possible & {ReferralStatus.CANCELLED}
    else:
        allowed = frozenset()
    return [s for s in ReferralStatus.values if s in allowed and s != ReferralStatus.EXPIRED]


@transaction.atomic
def referral_transition(
    *,
    referral: Referral,
    to: str,
    by: User | None,
    reason: str = "",
    reason_detail: str = "",
    reason_shared: bool = False,
    note: str = "",
    justification: str = "",
) -> Referral:
    """Move a referral along its workflow; an illegal move changes nothing.

    `by=None` is the system (expiry). Decisions are e-mailed to the prescriber.
    """
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if to not in ReferralStatus.values:
        raise ValidationError(f"Statut inconnu : « {to} ».", code="unknown_status")
    if not referral.can_move_to(to):
        raise ValidationError(
            f"Passage impossible de « {referral.get_status_display()} » à « {ReferralStatus(to).label} ».",
            code="illegal_transition",
        )
    if by is not None and to not in referral_allowed_statuses(referral, by):
        raise PermissionDenied("Vous ne pouvez pas prendre cette décision sur cette prescription.")
    if to in NEEDS_REASON and not reason:
        raise ValidationError("Un motif est obligatoire pour refuser ou réorienter.", code="reason_required")
    if to == ReferralStatus.ADMITTED and not referral.is_eligible and not justification.strip():
        raise ValidationError(
            "Ce ou cette jeune ne remplit pas les critères d'éligibilité : "
            "une justification écrite est obligatoire pour l'admettre.",
            code="justification_required",
        )
    previous = referral.status
    referral.status = to
    referral.status_changed_at = timezone.now()
    fields = ["status", "status_changed_at"]
    if to in DECISIONS or to in NEEDS_REASON:
        referral.reason, referral.reason_detail, referral.reason_shared = reason, reason_detail, reason_shared
        fields += ["reason", "reason_detail", "reason_shared"]
    if justification.strip():
        referral.eligibility_override = justification.strip()
        fields.append("eligibility_override")
    referral.save(update_fields=fields)
    event = ReferralEvent.objects.create(
        referral=referral, from_status=previous, to_status=to, by=by, reason=reason, note=note
    )
    audit_log(actor=by, action="referral.transition", obj=referral, details={"from": previous, "to": to})
    if to in DECISIONS:
        events.announce(events.referral_decided, referral)
    if to in DECISIONS and referral.prescriber_id and referral.prescriber.email:
        transaction.on_commit(lambda: tasks.send_referral_decision.enqueue(event.pk))
    return referral


def referrals_expire(*, now: dt.datetime | None = None) -> int:
    """Expire open referrals untouched for 60 days (run daily)."""
    now = now or timezone.now()
    stale = Referral.objects.open().filter(status_changed_at__lt=now - dt.timedelta(days=EXPIRY_DAYS))
    count = 0
    for referral in stale.iterator():
        referral_transition(
            referral=referral, to=ReferralStatus.EXPIRED, by=None, note="Sans suite depuis 60 jours."
        )
        count += 1
    return count


@transaction.atomic
def session_create(*, school: School, by: User, **fields) -> InformationSession:
    if not session_schools(by).filter(pk=school.pk).exists():
        raise PermissionDenied("Seule l'équipe de l'école organise ses informations collectives.")
    session = InformationSession(school=school, **fields)
    session.full_clean()
    session.save()
    audit_log(actor=by, action="information_session.create", obj=session, school=school)
    return session


@transaction.atomic
def session_invite(*, session: InformationSession, referrals: list[Referral], by: User) -> int:
    """Invite candidates of the school; a new or studied referral moves to « information collective »."""
    session = InformationSession.objects.select_for_update().get(pk=session.pk)
    new = [r for r in referrals if not session.invitations.filter(referral=r).exists()]
    for referral in new:
        if referral.school_id != session.school_id:
            raise ValidationError(
                "Seuls les candidats de cette école peuvent être invités.", code="other_school"
            )
        if referral.status not in (*OPEN_STATUSES, ReferralStatus.WAITLIST):
            raise ValidationError(
                f"La prescription {de(referral.learner)} n'est plus en cours : impossible de l'inviter.",
                code="closed_referral",
            )
    if session.invitations.count() + len(new) > session.capacity:
        raise ValidationError(
            f"Plus assez de places : {session.invitations.count()} invité·es pour {session.capacity} places.",
            code="session_full",
        )
    for referral in new:
        Invitation.objects.create(session=session, referral=referral)
        if referral.status in (ReferralStatus.NEW, ReferralStatus.REVIEW):
            referral_transition(
                referral=referral, to=ReferralStatus.INFO_SESSION, by=by, note=f"Invité·e : {session}"
            )
    audit_log(actor=by, action="information_session.invite", obj=session, details={"count": len(new)})
    return len(new)


@transaction.atomic
def session_record_attendance(*, session: InformationSession, present_ids: set[int], by: User) -> None:
    for invitation in session.invitations.select_for_update():
        attended = invitation.referral_id in present_ids
        if invitation.attended != attended:
            invitation.attended = attended
            invitation.save(update_fields=["attended"])
    audit_log(actor=by, action="information_session.attendance", obj=session)
