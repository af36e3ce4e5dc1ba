"""Referrals and learners over the API: the same services and the same scoping as the pages."""

import datetime as dt
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Header, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from plombiers.lib.api import ErrorOut, Id, Pagination
from plombiers.lib.text import fold
from plombiers.network.models import Commune

from . import services
from .enums import (
    DecisionReason,
    Diploma,
    DrivingLicence,
    Gender,
    LastClass,
    ReferralSource,
    ReferralStatus,
    Transport,
)
from .models import Learner, Referral, referrable_schools
from .permissions import can_refer
from .selectors import prescriber_organisations, referral_reading

router = Router(tags=["referrals"])
S = ReferralStatus
# Errors of the workflow that are a conflict with the referral's state, not a malformed request.
CONFLICTS = {"illegal_transition", "duplicate_referral"}


# --- input ------------------------------------------------------------------


class LearnerIn(Schema):
    first_name: str = Field(..., min_length=1, max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    birth_date: dt.date
    gender: Gender | None = None
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    commune: str | None = Field(None, max_length=9, description="code INSEE de la commune de résidence")
    address: str = Field("", max_length=250)
    lives_in_qpv: bool = False
    highest_diploma: Diploma
    last_class: LastClass | None = None
    neet_since: dt.date | None = None
    is_neet: bool = True
    has_rqth: bool = False
    driving_licence: DrivingLicence = DrivingLicence.NONE
    transport: Transport | None = None
    max_travel_km: int | None = Field(None, ge=0, le=500)
    france_travail_id: str = Field("", max_length=20)


class ReferralIn(Schema):
    school: Id = Field(..., description="identifiant de l'école")
    learner: LearnerIn
    motivation: str = Field("", max_length=5000)
    prescriber_organisation: Id | None = Field(None, description="structure prescriptrice (facultatif)")


class TransitionIn(Schema):
    to: ReferralStatus
    reason: DecisionReason | None = None
    reason_detail: str = Field("", max_length=5000)
    reason_shared: bool = False
    note: str = Field("", max_length=2000)
    justification: str = Field("", max_length=5000)


class ReferralFilter(FilterSchema):
    status: ReferralStatus | None = None
    school: Annotated[Id | None, FilterLookup("school_id"), Field(description="identifiant de l'école")] = (
        None
    )


class LearnerFilter(FilterSchema):
    q: str | None = Field(None, max_length=100, description="nom ou prénom")


# --- output -----------------------------------------------------------------


class SchoolRef(Schema):
    id: int
    name: str


class LearnerRef(Schema):
    id: int
    first_name: str
    last_name: str


class _ReferralFields(Schema):
    id: int
    status: ReferralStatus
    next_step: str
    referred_on: dt.date
    school: SchoolRef
    learner: LearnerRef
    prescriber_organisation: str | None = None
    eligible: bool
    source: ReferralSource = Field(
        ..., description="« candidature_directe » : le ou la jeune a candidaté depuis le catalogue public"
    )


class ReferralOut(_ReferralFields):
    @staticmethod
    def resolve_prescriber_organisation(obj):
        return obj.prescriber_organisation.name if obj.prescriber_organisation else None

    @staticmethod
    def resolve_eligible(obj):
        return obj.is_eligible


class EligibilityOut(Schema):
    eligible: bool
    checked_on: dt.date | None = None
    reasons: list[str] = []
    explanations: list[str] = []
    priorities: list[str] = []


class EventOut(Schema):
    from_status: ReferralStatus | None
    to_status: ReferralStatus
    at: dt.datetime
    by: str | None
    reason: DecisionReason | None = Field(None, description="pour l'équipe de l'école seulement")


class ReferralDetailOut(_ReferralFields):
    motivation: str
    eligibility: EligibilityOut
    reason: DecisionReason | None = Field(None, description="motif de la décision, s'il est visible")
    reason_detail: str = ""
    reason_shared: bool | None = Field(None, description="pour l'équipe de l'école seulement")
    events: list[EventOut]
    allowed_transitions: list[ReferralStatus]


class ReferralCreatedOut(ReferralDetailOut):
    learner_matched: bool = Field(
        ...,
        description="la fiche que vous voyiez déjà pour ce ou cette jeune dans cette école a été reprise "
        "(jamais vrai pour une personne connue seulement d'autres écoles ou d'autres prescripteurs)",
    )


class LearnerOut(Schema):
    id: int
    first_name: str
    last_name: str
    birth_date: dt.date
    commune: str | None = Field(None, alias="commune.insee_code")
    lives_in_qpv: bool
    has_rqth: bool
    highest_diploma: Diploma


class LearnerDetailOut(LearnerOut):
    gender: str
    phone: str
    email: str
    address: str
    last_class: str
    neet_since: dt.date | None
    is_neet: bool
    driving_licence: DrivingLicence
    transport: str
    max_travel_km: int | None
    france_travail_id: str
    referrals: list[ReferralOut] = Field(..., alias="referrals_visible")


# --- helpers ----------------------------------------------------------------


def _detail(referral: Referral, user, **extra) -> dict:
    """The referral as this caller may read it: the unshared reason and the school's notes stay at
    the school."""
    reading = referral_reading(referral, user)
    eligibility = referral.eligibility or {}
    return {
        "id": referral.pk,
        "status": referral.status,
        "next_step": referral.next_step,
        "referred_on": referral.referred_on,
        "school": referral.school,
        "learner": referral.learner,
        "prescriber_organisation": referral.prescriber_organisation.name
        if referral.prescriber_organisation
        else None,
        "eligible": referral.is_eligible,
        "source": referral.source,
        "motivation": referral.motivation,
        "eligibility": {
            "eligible": bool(eligibility.get("eligible")),
            "checked_on": eligibility.get("checked_on"),
            "reasons": eligibility.get("reasons", []),
            "explanations": eligibility.get("explanations", []),
            "priorities": eligibility.get("priorities", []),
        },
        "reason": reading.reason or None,
        "reason_detail": reading.reason_detail,
        "reason_shared": reading.reason_shared,
        "events": [
            {
                "from_status": event.from_status or None,
                "to_status": event.to_status,
                "at": event.at,
                "by": (event.by.get_full_name() or event.by.email) if event.by else None,
                "reason": reading.event_reason(event) or None,
            }
            for event in referral.events.select_related("by")
        ],
        "allowed_transitions": services.referral_allowed_statuses(referral, user),
        **extra,
    }


def _visible(user):
    return Referral.objects.visible_to(user).with_list_related_data()


def _learner_data(payload: LearnerIn) -> dict:
    """The person as the service reads it (which checks it): the commune from its INSEE code."""
    data = payload.dict()
    if code := data["commune"]:
        commune = Commune.objects.filter(insee_code=code.upper()).first()
        if commune is None:
            raise HttpError(422, f"Commune inconnue : « {code} » n'est pas un code INSEE connu.")
        data["commune"] = commune
    else:
        data["commune"] = None  # an empty code is no commune, not a 500
    for name in ("gender", "last_class", "transport"):
        data[name] = data[name] or ""
    return data


# --- referrals --------------------------------------------------------------


@router.post(
    "/referrals",
    response={200: ReferralCreatedOut, 201: ReferralCreatedOut,
              409: ErrorOut, 404: ErrorOut},
)  # fmt: skip
def referral_create(
    request,
    payload: ReferralIn,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key", max_length=64)] = "",
):
    """Refer a young person to a school. The school's record of a person it already knows is reused
    (`learner_matched` when you already saw it); a retry with the same `Idempotency-Key` returns the
    first referral with 200 instead of 201."""
    user = request.user
    if not can_refer(user):
        raise HttpError(
            403, "Seuls les prescripteurs, les responsables d'école et la tête de réseau prescrivent."
        )
    school = referrable_schools(user).filter(pk=payload.school).first()
    if school is None:
        raise HttpError(404, "École introuvable.")
    organisation = None
    if payload.prescriber_organisation is not None:
        organisation = prescriber_organisations(user).filter(pk=payload.prescriber_organisation).first()
        if organisation is None:
            raise HttpError(422, "Structure prescriptrice introuvable.")
    learner_data = _learner_data(payload.learner)
    result = services.referral_create(
        by=user,
        school=school,
        learner_data=learner_data,
        prescriber_organisation=organisation,
        motivation=payload.motivation,
        idempotency_key=idempotency_key.strip(),
    )
    referral = _visible(user).get(pk=result.referral.pk)
    body = _detail(referral, user, learner_matched=result.learner_matched)
    return Status(201 if result.created else 200, body)


@router.get("/referrals", response=list[ReferralOut])
@paginate(Pagination)
def referral_list(request, filters: Query[ReferralFilter]):
    return filters.filter(Referral.objects.visible_to(request.user).listed()).order_by("-referred_on", "-pk")


@router.get("/referrals/{referral_id}", response=ReferralDetailOut)
def referral_detail(request, referral_id: Id):
    return _detail(get_object_or_404(_visible(request.user), pk=referral_id), request.user)


@router.post(
    "/referrals/{referral_id}/transitions",
    response={200: ReferralDetailOut, 409: ErrorOut},
)
def referral_transition(request, referral_id: Id, payload: TransitionIn):
    """Move a referral: `{"to": status, "reason", "reason_detail", "reason_shared", "note", "justification"}`.
    An illegal move is a 409, a missing reason a 400, a move this caller may not make a 403."""
    user = request.user
    referral = get_object_or_404(_visible(user), pk=referral_id)
    services.referral_transition(
        referral=referral,
        to=payload.to,
        by=user,
        reason=payload.reason or "",
        reason_detail=payload.reason_detail,
        reason_shared=payload.reason_shared,
        note=payload.note,
        justification=payload.justification,
    )
    return _detail(_visible(user).get(pk=referral.pk), user)


# --- learners ---------------------------------------------------------------


@router.get("/learners", response=list[LearnerOut])
@paginate(Pagination)
def learner_list(request, filters: Query[LearnerFilter]):
    learners = Learner.objects.visible_to(request.user).select_related("commune")
    for word in fold(filters.q or "").split():
        learners = learners.filter(identity_key__contains=word)
    return learners.order_by("last_name", "first_name", "pk")


@router.get("/learners/{learner_id}", response=LearnerDetailOut)
def learner_detail(request, learner_id: Id):
    learner = get_object_or_404(
        Learner.objects.visible_to(request.user).select_related("commune"), pk=learner_id
    )
    learner.referrals_visible = list(
        Referral.objects.visible_to(request.user).filter(learner=learner).listed()
    )
    return learner
