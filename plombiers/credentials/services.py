"""Issuing and revoking attestations de compétences. Each is one atomic service."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.network.models import School
from plombiers.privacy.services import audit_log

from . import credential as ob3
from . import status
from .keys import current_key, private_key
from .models import STATUS_LIST_SIZE, Attestation, StatusList
from .proof import sign
from .snapshot import snapshot as take_snapshot
from .urls_public import issuer_url


def can_issue(user, school: School) -> bool:
    """The school manager (and network staff) issue and revoke attestations."""
    return user.acts_for(school, Role.SCHOOL_MANAGER)


def signer(school: School):
    """A function signing documents with the school's current key (read once)."""
    key = current_key(school)
    secret = private_key(key)
    method = f"{issuer_url(school.slug)}#{key.public_key_multibase}"

    def sign_at(document: dict, at) -> dict:
        return sign(document, secret, verification_method=method, created=ob3.datetime_z(at), as_list=True)

    return sign_at


def sign_for_school(document: dict, school: School, at) -> dict:
    """Sign with the school's current key."""
    return signer(school)(document, at)


def _status_list(school: School) -> StatusList:
    """The school's status list, locked for this transaction (positions are handed out in order)."""
    status_list, _ = StatusList.objects.get_or_create(school=school)
    return StatusList.objects.select_for_update().get(pk=status_list.pk)


def status_list_sign(status_list: StatusList, at) -> None:
    revoked = set(
        Attestation.objects.filter(school=status_list.school, revoked_at__isnull=False).values_list(
            "status_index", flat=True
        )
    )
    document = status.build(status_list.school.slug, revoked, at)
    status_list.credential = status.dumps(sign_for_school(document, status_list.school, at))
    status_list.save(update_fields=["credential", "updated_at"])


def check_issuable(enrolment: Enrolment) -> None:
    if (
        enrolment.status not in (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT)
        or not enrolment.end_date
    ):
        raise ValidationError("Une attestation se délivre quand le parcours est terminé (ou interrompu).")
    if Attestation.objects.filter(enrolment=enrolment, revoked_at__isnull=True).exists():
        raise ValidationError(
            "Ce parcours a déjà une attestation valide. Pour la corriger, révoquez-la puis délivrez-en une nouvelle."
        )
    if enrolment.cohort.framework_id is None:
        raise ValidationError("La promotion n'a pas de référentiel de compétences : rien à attester.")


@transaction.atomic
def attestation_issue(enrolment: Enrolment, *, by, at=None) -> Attestation:
    """Freeze the gestures acquired (acquis or maîtrisé) by block, the dates, hours, school,
    trade and network; sign the Open Badges 3.0 credential; store both, never to be edited."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("cohort__school")
        .get(pk=enrolment.pk)
    )
    school = enrolment.cohort.school
    if by is not None and not can_issue(by, school):
        raise PermissionDenied
    check_issuable(enrolment)
    at = at or timezone.now()
    status_list = _status_list(school)
    if status_list.next_index >= STATUS_LIST_SIZE:
        raise ValidationError("La liste de statut de l'école est pleine.")
    content = take_snapshot(enrolment)
    if not content["acquired"]:
        raise ValidationError(
            "Aucun geste n'est encore observé au niveau acquis ou maîtrisé : rien à attester."
        )
    attestation = Attestation(
        enrolment=enrolment,
        school=school,
        partial=content["partial"],
        snapshot=content,
        status_index=status_list.next_index,
        issued_at=at,
        issued_by=by,
    )
    document = ob3.build(
        public_id=attestation.public_id,
        snapshot=content,
        issued_at=at,
        status_index=attestation.status_index,
        salt=secrets.token_hex(8),
    )
    attestation.credential = status.dumps(sign_for_school(document, school, at))
    attestation.save()
    status_list.next_index += 1
    status_list.save(update_fields=["next_index", "updated_at"])
    if not status_list.credential:
        status_list_sign(status_list, at)
    audit_log(actor=by, action="attestation.issue", obj=attestation, school=school)
    return attestation


@transaction.atomic
def attestation_revoke(attestation: Attestation, *, by, reason: str, at=None) -> Attestation:
    """Revoke with a reason: the school's status list is re-signed in the same transaction, so
    every verifier sees it at once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de la révocation."})
    attestation = (
        Attestation.objects.select_for_update(of=("self",)).select_related("school").get(pk=attestation.pk)
    )
    if by is not None and not can_issue(by, attestation.school):
        raise PermissionDenied
    if attestation.revoked_at:
        raise ValidationError("Cette attestation est déjà révoquée.")
    at = at or timezone.now()
    status_list = _status_list(attestation.school)
    attestation.revoked_at, attestation.revoked_by, attestation.revocation_reason = at, by, reason
    attestation.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    status_list_sign(status_list, at)
    audit_log(
        actor=by,
        action="attestation.revoke",
        obj=attestation,
        school=attestation.school,
        details={"reason": reason},
    )
    return attestation
