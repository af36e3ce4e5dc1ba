import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from plombiers.accounts.models import User
from plombiers.frameworks.models import Framework
from plombiers.lib import derived, events
from plombiers.network.models import School
from plombiers.privacy.services import audit_log
from plombiers.referrals.enums import DecisionReason, ReferralStatus
from plombiers.referrals.models import Learner, Referral
from plombiers.referrals.services import referral_transition

from .enums import CohortStatus, EnrolmentStatus
from .models import Cohort, Enrolment, WaitlistEntry
from .permissions import can_manage

# A cohort lasts three to four months: fifteen weeks unless the school says otherwise.
DEFAULT_DURATION = dt.timedelta(weeks=15)
MIN_CAPACITY, MAX_CAPACITY = 1, 30


def default_end_date(start: dt.date) -> dt.date | None:
    try:
        return start + DEFAULT_DURATION
    except OverflowError:
        return None


def _check_manager(user: User, school: School) -> None:
    if not can_manage(user, school):
        raise PermissionDenied("Seul·e le ou la responsable de l'école peut admettre ou inscrire.")


@transaction.atomic
def cohort_create(*, school: School, by: User, trainers=(), **fields: Any) -> Cohort:
    _check_manager(by, school)
    fields.setdefault("trade", school.trade)
    # The current version of the trade's framework: a later version never changes this cohort.
    fields.setdefault("framework", Framework.objects.current_for(fields["trade"]))
    if not fields.get("capacity"):
        fields["capacity"] = school.default_cohort_capacity
    cohort = Cohort(school=school, **fields)
    cohort.full_clean()
    cohort.save()
    if trainers:
        cohort.trainers.set(trainers)
    audit_log(actor=by, action="cohort.create", obj=cohort, school=school)
    return cohort


@transaction.atomic
def cohort_update(*, cohort: Cohort, by: User, data: dict[str, Any]) -> Cohort:
    _check_manager(by, cohort.school)
    trainers = data.pop("trainers", None)
    for name, value in data.items():
        setattr(cohort, name, value)
    if data:
        cohort.full_clean()
        if cohort.capacity < cohort.active_enrolment_count():
            raise ValidationError(
                {"capacity": "La promotion compte déjà plus de jeunes que ce nombre de places."}
            )
        cohort.save(update_fields=list(data))
    if trainers is not None:
        cohort.trainers.set(trainers)
    audit_log(actor=by, action="cohort.update", obj=cohort, details={"fields": sorted(data)})
    return cohort


@dataclass
class Admission:
    enrolment: Enrolment | None = None
    waitlist_entry: WaitlistEntry | None = None

    @property
    def waitlisted(self) -> bool:
        return self.waitlist_entry is not None


@transaction.atomic
def referral_admit(*, referral: Referral, cohort: Cohort, by: User, justification: str = "") -> Admission:
    """Admit a candidate into a cohort: a seat if one is left, else the cohort's waiting list.

    The cohort row is locked, so that simultaneous admissions never take more seats than there are.
    """
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    referral = Referral.objects.select_related("learner").get(pk=referral.pk)
    _check_manager(by, cohort.school)
    if referral.school_id != cohort.school_id:
        raise ValidationError(
            "Cette promotion n'est pas dans l'école de la prescription.", code="other_school"
        )
    if not cohort.is_open_for_admission:
        raise ValidationError("Cette promotion est terminée : choisissez une promotion prévue ou en cours.")
    if cohort.active_enrolment_count() >= cohort.capacity:
        if referral.status != ReferralStatus.WAITLIST:
            referral_transition(
                referral=referral,
                to=ReferralStatus.WAITLIST,
                by=by,
                reason=DecisionReason.FULL,
                reason_shared=True,
                note=f"Promotion complète : {cohort.name}",
            )
        entry, _ = WaitlistEntry.objects.get_or_create(
            cohort=cohort, referral=referral, defaults={"position": _next_position(cohort)}
        )
        return Admission(waitlist_entry=entry)
    referral_transition(
        referral=referral, to=ReferralStatus.ADMITTED, by=by, justification=justification, note=str(cohort)
    )
    enrolment = enrolment_create(
        learner=referral.learner, cohort=cohort, by=by, referral=referral, eligibility_override=justification
    )
    WaitlistEntry.objects.filter(referral=referral).delete()
    return Admission(enrolment=enrolment)


def _next_position(cohort: Cohort) -> int:
    return (cohort.waitlist.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def enrolment_create(
    *,
    learner: Learner,
    cohort: Cohort,
    by: User,
    referral: Referral | None = None,
    entry_date: dt.date | None = None,
    eligibility_override: str = "",
) -> Enrolment:
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    _check_manager(by, cohort.school)
    if not cohort.is_open_for_admission:
        raise ValidationError("Cette promotion est terminée : on ne peut plus y inscrire de jeune.")
    if cohort.active_enrolment_count() >= cohort.capacity:
        raise ValidationError("La promotion est complète.", code="cohort_full")
    if learner.school_id != cohort.school_id:
        # Each school keeps its own record of a person: another school's record never enters here.
        raise ValidationError(
            "Ce ou cette jeune n'a pas de fiche dans cette école : orientez-le ou la d'abord vers elle.",
            code="other_school",
        )
    if Enrolment.objects.filter(learner=learner, status=EnrolmentStatus.ACTIVE).exists():
        raise ValidationError(
            "Ce ou cette jeune est déjà en formation dans une autre promotion.", code="active"
        )
    if Enrolment.objects.filter(learner=learner, cohort=cohort).exists():
        raise ValidationError("Ce ou cette jeune a déjà été inscrit·e dans cette promotion.", code="already")
    entry_date = entry_date or max(cohort.start_date, timezone.localdate())
    if not cohort.start_date <= entry_date <= cohort.end_date:
        raise ValidationError("La date d'entrée doit être comprise entre le début et la fin de la promotion.")
    enrolment = Enrolment.objects.create(
        learner=learner,
        cohort=cohort,
        referral=referral,
        entry_date=entry_date,
        eligibility_override=eligibility_override,
        created_by=by,
    )
    audit_log(actor=by, action="enrolment.create", obj=enrolment, school=cohort.school)
    events.announce(events.enrolment_created, enrolment)
    return enrolment


@transaction.atomic
def enrolment_drop_out(
    *, enrolment: Enrolment, by: User, reason: str, detail: str = "", on: dt.date | None = None
) -> WaitlistEntry | None:
    """Record a drop-out; the seat it frees goes to the next candidate on the waiting list (returned)."""
    enrolment = Enrolment.objects.select_for_update().select_related("cohort__school").get(pk=enrolment.pk)
    _check_manager(by, enrolment.cohort.school)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise ValidationError("Seul un parcours en cours peut s'arrêter.")
    if not reason:
        raise ValidationError({"drop_out_reason": "Le motif d'abandon est obligatoire."})
    on = on or timezone.localdate()
    if on < enrolment.entry_date:
        raise ValidationError({"end_date": "La date d'abandon ne peut pas précéder la date d'entrée."})
    enrolment.status = EnrolmentStatus.DROPPED_OUT
    enrolment.end_date, enrolment.drop_out_reason, enrolment.drop_out_detail = on, reason, detail
    enrolment.full_clean()
    enrolment.save(update_fields=["status", "end_date", "drop_out_reason", "drop_out_detail"])
    audit_log(actor=by, action="enrolment.drop_out", obj=enrolment, school=enrolment.cohort.school)
    return enrolment.cohort.waitlist.waiting().select_related("referral__learner").first()


@transaction.atomic
def cohort_finish(*, cohort: Cohort, by: User, on: dt.date | None = None) -> int:
    """Close a cohort: every young person still in training has completed the path."""
    _check_manager(by, cohort.school)
    on = on or cohort.end_date
    count = cohort.enrolments.filter(status=EnrolmentStatus.ACTIVE).update(
        status=EnrolmentStatus.COMPLETED, end_date=on
    )
    derived.mark("cohort", [cohort.pk])  # no signal from update(): the rollup of its school
    cohort.status = CohortStatus.FINISHED
    cohort.save(update_fields=["status"])
    audit_log(actor=by, action="cohort.finish", obj=cohort, details={"completed": count})
    return count
