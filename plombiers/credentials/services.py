"""Issuing, revoking and re-issuing attestations de compétences. Each is one atomic service."""

import json
import secrets
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.network.models import School
from plombiers.privacy.services import audit_log

from . import credential as ob3
from . import status
from .keys import current_key, private_key
from .models import STATUS_LIST_SIZE, Attestation, StatusList
from .permissions import can_issue
from .proof import ProofError, expand_strictly, sign
from .snapshot import issuer_data
from .snapshot import snapshot as take_snapshot
from .urls_public import issuer_url

NOT_MANAGER = "Seule la direction de l'école délivre et révoque les attestations."


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
        raise PermissionDenied(NOT_MANAGER)
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
        raise PermissionDenied(NOT_MANAGER)
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


COMPLIANCE_REASON = "mise en conformité"


def needs_reissue(attestation: Attestation) -> bool:
    """A valid attestation whose signed credential verifiers refuse: it does not expand
    completely (the credentials signed before issue 17 had a type no context defines)."""
    if attestation.revoked_at is not None:
        return False
    try:
        expand_strictly({k: v for k, v in json.loads(attestation.credential).items() if k != "proof"})
    except (ValueError, ProofError):
        return True
    return False


def _salt_of(attestation: Attestation) -> str:
    """The salt of the holder's identity hash, kept so that the hash stays the same."""
    try:
        return json.loads(attestation.credential)["credentialSubject"]["identifier"][0]["salt"]
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


@transaction.atomic
def attestation_reissue(attestation: Attestation, *, by=None, at=None) -> Attestation:
    """Sign the attestation again, in the current form, under the same public id — the holder's
    links, QR codes and full-name key keep working — and from the same frozen content (the
    issuer's address and SIRET added if the snapshot predates them). The old row is revoked
    with the reason « mise en conformité », its position set in the school's status list, and
    points to the new one; it takes a new public id of its own."""
    old = Attestation.objects.select_for_update(of=("self",)).select_related("school").get(pk=attestation.pk)
    if by is not None and not can_issue(by, old.school):
        raise PermissionDenied(NOT_MANAGER)
    if old.revoked_at is not None:
        raise ValidationError("Cette attestation est révoquée : il n'y a rien à remettre en conformité.")
    at = at or timezone.now()
    school = old.school
    status_list = _status_list(school)
    if status_list.next_index >= STATUS_LIST_SIZE:
        raise ValidationError("La liste de statut de l'école est pleine.")
    public_id = old.public_id
    old.public_id, old.revoked_at, old.revoked_by, old.revocation_reason = (
        uuid.uuid4(),
        at,
        by,
        COMPLIANCE_REASON,
    )
    old.save(update_fields=["public_id", "revoked_at", "revoked_by", "revocation_reason"])
    content = dict(old.snapshot)
    content["school"] = {**issuer_data(school)["school"], **old.snapshot["school"]}
    new = Attestation(
        public_id=public_id,
        enrolment_id=old.enrolment_id,
        school=school,
        partial=old.partial,
        snapshot=content,
        status_index=status_list.next_index,
        issued_at=old.issued_at,
        issued_by=old.issued_by,
    )
    document = ob3.build(
        public_id=public_id,
        snapshot=content,
        issued_at=old.issued_at,
        status_index=new.status_index,
        salt=_salt_of(old) or secrets.token_hex(8),
    )
    new.credential = status.dumps(sign_for_school(document, school, at))
    new.save()
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    status_list.next_index += 1
    status_list.save(update_fields=["next_index", "updated_at"])
    status_list_sign(status_list, at)
    audit_log(
        actor=by, action="attestation.revoke", obj=old, school=school, details={"reason": COMPLIANCE_REASON}
    )
    audit_log(
        actor=by,
        action="attestation.reissue",
        obj=new,
        school=school,
        details={"reason": COMPLIANCE_REASON, "replaces": old.pk, "public_id": str(public_id)},
    )
    return new


@dataclass
class ReissueReport:
    reissued: dict[str, int] = field(default_factory=dict)  # school name → count
    compliant: int = 0
    revoked: int = 0

    @property
    def total(self) -> int:
        return sum(self.reissued.values())


def attestations_reissue_affected(*, by=None, dry_run: bool = False) -> ReissueReport:
    """Re-issue every valid attestation verifiers refuse (`needs_reissue`), each in its own
    transaction: a second run finds none. Audited one by one, and as a whole."""
    report = ReissueReport(revoked=Attestation.objects.filter(revoked_at__isnull=False).count())
    order = ("school__name", "issued_at", "pk")
    # the ids first: re-issuing inserts rows, which a running query should not meet
    ids = list(Attestation.objects.valid().order_by(*order).values_list("pk", flat=True))
    for start in range(0, len(ids), 200):
        chunk = Attestation.objects.filter(pk__in=ids[start : start + 200]).select_related("school")
        for attestation in chunk.order_by(*order):
            if not needs_reissue(attestation):
                report.compliant += 1
                continue
            if not dry_run:
                attestation_reissue(attestation, by=by)
            name = attestation.school.name
            report.reissued[name] = report.reissued.get(name, 0) + 1
    if report.total and not dry_run:
        audit_log(
            actor=by,
            action="credentials.reissue_all_affected",
            details={"reason": COMPLIANCE_REASON, "reissued": report.total, "by_school": report.reissued},
        )
    return report
