"""The credentials API: issue, list and revoke attestations; verify any credential (public).

A service refusal is a 400, an enrolment or attestation the user may not see a 404, one they see
but may not act on a 403. `POST /verify` needs no account: it is what an employer's tool calls."""

import datetime as dt
import uuid
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Body, Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from plombiers.cohorts.models import Enrolment
from plombiers.lib.api import Id, Pagination

from . import services, verification
from .enums import AttestationState
from .models import Attestation
from .urls_public import credential_url, verification_url

router = Router(tags=["credentials"])


class AttestationOut(Schema):
    id: uuid.UUID = Field(description="identifiant public, celui de /verifier/<id> et /credentials/<id>.json")
    enrolment: int = Field(alias="enrolment_id")
    learner: int = Field(alias="enrolment.learner_id")
    learner_name: str
    school: int = Field(alias="school_id")
    school_name: str = Field(alias="school.name")
    issued_at: dt.datetime
    partial: bool
    status: str = Field(description="valide ou revoquee")
    revoked_at: dt.datetime | None
    revocation_reason: str
    verification_url: str
    credential_url: str

    @staticmethod
    def resolve_id(obj: Attestation):
        return obj.public_id

    @staticmethod
    def resolve_learner_name(obj: Attestation):
        return obj.snapshot["learner"]["name"]

    @staticmethod
    def resolve_status(obj: Attestation):
        return obj.state

    @staticmethod
    def resolve_verification_url(obj: Attestation):
        return verification_url(obj.public_id)

    @staticmethod
    def resolve_credential_url(obj: Attestation):
        return credential_url(obj.public_id)


class AttestationFilter(Schema):
    school: Id | None = None
    enrolment: Id | None = None
    status: str | None = Field(None, pattern="^(valide|revoquee)$")


class RevokeIn(Schema):
    reason: str = Field(min_length=1, max_length=1000)


class CheckOut(Schema):
    code: str = Field(description="schema, issuer, signature, status ou period")
    label: str = Field(description="le contrôle, en français (« Signature », « Révocation »…)")
    made: bool = Field(description="faux quand un contrôle précédent a échoué")
    passed: bool | None
    detail: str = Field(description="ce qui a été constaté, en français")


class VerdictOut(Schema):
    verified: bool
    status: str = Field(description="authentique, revoquee, alteree, emetteur_inconnu ou invalide")
    label: str
    reasons: list[str]
    checks: dict[str, bool]
    controls: list[CheckOut] = Field(
        description="les contrôles, dans l'ordre : format, clé de l'émetteur, signature, révocation, dates"
    )


def _attestations(user):
    return Attestation.objects.visible_to(user).select_related("school", "enrolment")


@router.get("/attestations", response=list[AttestationOut])
@paginate(Pagination)
def attestation_list(request, filters: Query[AttestationFilter]):
    """The attestations the user may see, the latest first."""
    attestations = _attestations(request.user).order_by("-issued_at", "-pk")
    if filters.school:
        attestations = attestations.filter(school_id=filters.school)
    if filters.enrolment:
        attestations = attestations.filter(enrolment_id=filters.enrolment)
    if filters.status:
        attestations = attestations.filter(revoked_at__isnull=filters.status == AttestationState.VALID)
    return attestations


@router.get("/attestations/{attestation_id}", response=AttestationOut)
def attestation_detail(request, attestation_id: uuid.UUID):
    return get_object_or_404(_attestations(request.user), public_id=attestation_id)


@router.post(
    "/enrolments/{enrolment_id}/attestation",
    response={201: AttestationOut},
)
def attestation_issue(request, enrolment_id: Id):
    """Issue the attestation of an enrolment that ended: frozen content, signed credential."""
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("cohort__school"), pk=enrolment_id
    )
    attestation = services.attestation_issue(enrolment, by=request.user)
    attestation = _attestations(request.user).get(pk=attestation.pk)
    return Status(201, attestation)


@router.post(
    "/attestations/{attestation_id}/revoke",
    response=AttestationOut,
)
def attestation_revoke(request, attestation_id: uuid.UUID, payload: RevokeIn):
    """Revoke with a reason; the school's status list is re-signed at once."""
    attestation = get_object_or_404(_attestations(request.user), public_id=attestation_id)
    services.attestation_revoke(attestation, by=request.user, reason=payload.reason)
    return _attestations(request.user).get(pk=attestation.pk)


@router.post("/verify", response=VerdictOut, auth=None)
def verify(request, payload: Body[dict[str, Any]]):
    """A credential (JSON) in, a verdict with its reasons out. The proof is recomputed."""
    return verification.verify(payload).as_dict()
