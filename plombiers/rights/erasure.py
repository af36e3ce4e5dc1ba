"""The right to erasure (RGPD art. 17): the school's manager or the network staff record a request
and decide it. Accepted, the person is anonymised at once (`purge.learner_anonymise`): what a legal
obligation keeps stays, and the decision says so (`KEPT`)."""

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.privacy.models import ErasureDecision, ErasureRequest
from plombiers.privacy.services import audit_log

from .purge import learner_anonymise

#: What an accepted erasure keeps, and why: shown on the decision page and stored with it.
KEPT = (
    "Les feuilles d'émargement (présences et signatures) jusqu'à cinq ans après la fin de la "
    "formation : preuve due aux financeurs (OPCO) et aux audits Qualiopi ; elles sont ensuite "
    "effacées par la purge.",
    "L'attestation de compétences : le credential signé ne contient ni nom ni date de naissance "
    "et reste vérifiable par son ou sa titulaire ; le nom est retiré de l'attestation.",
    "Les factures et pièces comptables des financements (Code de commerce, article L123-22) ; "
    "elles ne nomment pas les jeunes.",
    "Les chiffres anonymes (indicateurs, données ouvertes) : la personne y reste comptée sans "
    "pouvoir être reconnue.",
)


def can_decide_erasure(user, learner) -> bool:
    """The manager of the person's school, or the staff of its network."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.acts_for(learner.school, Role.SCHOOL_MANAGER)


def _check(*, user, learner) -> None:
    if not can_decide_erasure(user, learner):
        raise PermissionDenied("Seule la direction de l'école ou la tête de réseau décide d'un effacement.")


@transaction.atomic
def erasure_request_record(*, learner, by, reason: str) -> ErasureRequest:
    _check(user=by, learner=learner)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Indiquez le motif de la demande d'effacement.")
    request = ErasureRequest.objects.create(learner=learner, requested_by=by, reason=reason)
    audit_log(actor=by, action="privacy.erasure_requested", obj=request, school=learner.school)
    return request


@transaction.atomic
def erasure_accept(*, request: ErasureRequest, by) -> ErasureRequest:
    """Anonymise the person at once, keeping what a legal obligation keeps."""
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    learner = apps.get_model("referrals.Learner").objects.select_related("school").get(pk=request.learner_id)
    _check(user=by, learner=learner)
    if request.decision != ErasureDecision.PENDING:
        raise ValidationError("Cette demande est déjà décidée.")
    learner_anonymise(learner=learner, keep_training_proofs=True)
    request.decision = ErasureDecision.ACCEPTED
    request.decided_by, request.decided_at = by, timezone.now()
    request.kept = "\n".join(KEPT)
    # The reason may name the person: it goes with them.
    request.reason = "(motif effacé avec les données de la personne)"
    request.save(update_fields=["decision", "decided_by", "decided_at", "kept", "reason"])
    audit_log(actor=by, action="privacy.erasure_accepted", obj=request, school=learner.school)
    return request


@transaction.atomic
def erasure_refuse(*, request: ErasureRequest, by, reason: str) -> ErasureRequest:
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    learner = apps.get_model("referrals.Learner").objects.select_related("school").get(pk=request.learner_id)
    _check(user=by, learner=learner)
    if request.decision != ErasureDecision.PENDING:
        raise ValidationError("Cette demande est déjà décidée.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Indiquez le motif du refus.")
    request.decision = ErasureDecision.REFUSED
    request.decided_by, request.decided_at = by, timezone.now()
    request.refusal_reason = reason
    request.save(update_fields=["decision", "decided_by", "decided_at", "refusal_reason"])
    audit_log(actor=by, action="privacy.erasure_refused", obj=request, school=learner.school)
    return request


@transaction.atomic
def erasure_record_and_accept(*, learner, by, reason: str) -> ErasureRequest:
    """The API's one call: record the request and accept it, all or nothing."""
    return erasure_accept(request=erasure_request_record(learner=learner, by=by, reason=reason), by=by)
