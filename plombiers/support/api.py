"""Social support over the API: the same services, scoping and reading rules as the pages.

- barriers: the prescriber gets the category, the level and whether it is lifted, never a summary,
  and only while the young person's latest consent to share with the prescriber is given (403
  otherwise: withdrawing it takes effect at once);
  trainers and network staff get every summary except the health one;
- actions and notes: the prescriber gets a 403 (they see the young person, not the support); notes
  come through `journal_read`: confidential entries for the school's social workers only, each one
  read leaves an audit event;
- writes: the school's social workers and managers only (403 for those who only read).
"""

import datetime as dt
import re
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from plombiers.lib.api import Id, Pagination
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Commune, Organisation
from plombiers.referrals.models import Learner

from . import permissions, services
from .enums import ActionStatus, BarrierLevel, EntryKind, Visibility
from .models import Action, Barrier, BarrierCategory, JournalEntry, PartnerService
from .permissions import HEALTH, PRESCRIBER, SUPPORT, access_of

router = Router(tags=["support"])
NOT_FOR_PRESCRIBERS = (
    "Le détail de l'accompagnement reste à l'école : le prescripteur n'en voit que les freins."
)
NOT_SHARED = (
    "Le ou la jeune n'a pas donné son accord pour partager son accompagnement avec vous, ou l'a retiré."
)
READ_ONLY = "Seul·es l'accompagnement socio-professionnel et la direction de l'école écrivent ici."


# --- schemas ----------------------------------------------------------------


class CategoryOut(Schema):
    code: str
    name: str


class BarrierBriefOut(Schema):
    """What the prescriber reads: no text at all."""

    category: CategoryOut
    level: BarrierLevel
    lifted: bool


class BarrierOut(BarrierBriefOut):
    id: int
    summary: str | None = Field(..., description="null : résumé réservé à l'équipe d'accompagnement (santé)")
    raised_on: dt.date
    lifted_on: dt.date | None


class BarrierPage(Schema):
    items: list[BarrierOut]
    count: int


class BarrierBriefPage(Schema):
    items: list[BarrierBriefOut]
    count: int


class BarrierIn(Schema):
    category: str = Field(..., max_length=30, description="code de la catégorie (logement, mobilite…)")
    level: BarrierLevel
    summary: str = Field("", max_length=2000)


class PartnerRef(Schema):
    id: int
    name: str


class ActionOut(Schema):
    id: int
    barrier: int = Field(..., alias="barrier_id")
    category: str = Field(..., alias="barrier.category.code")
    description: str
    partner: PartnerRef | None
    due_on: dt.date
    status: ActionStatus
    outcome: str


class ActionIn(Schema):
    barrier: Id
    description: str = Field(..., max_length=250)
    due_on: dt.date
    partner: Id | None = Field(None, description="organisation (service social) de l'annuaire")


class NoteOut(Schema):
    id: int
    kind: EntryKind
    occurred_on: dt.date
    visibility: Visibility
    text: str
    author: str | None

    @staticmethod
    def resolve_author(obj):
        return obj.author.email if obj.author else None


class NotesPage(Schema):
    items: list[NoteOut]
    count: int


class NoteIn(Schema):
    kind: EntryKind
    text: str = Field(..., max_length=10000)
    occurred_on: dt.date | None = None
    visibility: Visibility = Visibility.TEAM


class ServiceOut(Schema):
    id: int
    name: str
    commune: str | None
    categories: list[str]
    distance_km: float | None


# --- helpers ----------------------------------------------------------------


def _learner(request, learner_id: int):
    learner = get_object_or_404(
        Learner.objects.visible_to(request.user).select_related("commune", "school"), pk=learner_id
    )
    return learner, access_of(request.user, learner)


def _not_prescriber(access) -> None:
    if access.mode == PRESCRIBER:
        raise HttpError(403, NOT_FOR_PRESCRIBERS)


def _writer(access) -> None:
    if access.mode != SUPPORT:
        raise HttpError(403, READ_ONLY)


def _barrier(barrier: Barrier, access) -> dict:
    brief = {
        "category": barrier.category,
        "level": barrier.level,
        "lifted": barrier.is_lifted,
    }
    if access.mode == PRESCRIBER:
        return brief
    hidden = access.mode != SUPPORT and barrier.category.code == HEALTH
    return {
        **brief,
        "id": barrier.pk,
        "summary": None if hidden else barrier.summary,
        "raised_on": barrier.raised_on,
        "lifted_on": barrier.lifted_on,
    }


# --- barriers ---------------------------------------------------------------


@router.get(
    "/learners/{learner_id}/barriers",
    response={
        200: Annotated[BarrierPage | BarrierBriefPage, Field(union_mode="left_to_right")],
    },
)
def barrier_list(request, learner_id: Id, pagination: Query[Pagination.Input]):
    """The diagnosis, `{items, count}`. A prescriber gets items of `{category, level, lifted}` only."""
    learner, access = _learner(request, learner_id)
    if not access.shared:
        raise HttpError(403, NOT_SHARED)
    barriers = (
        Barrier.objects.visible_to(request.user)
        .filter(learner=learner)
        .select_related("category")
        .order_by("category__position", "pk")
    )
    page = barriers[pagination.offset : pagination.offset + pagination.limit]
    return {"items": [_barrier(b, access) for b in page], "count": barriers.count()}


@router.post("/learners/{learner_id}/barriers", response={201: BarrierOut})
def barrier_set(request, learner_id: Id, payload: BarrierIn):
    """Diagnose or update a barrier (back to `aucun`: lifted today)."""
    learner, access = _learner(request, learner_id)
    _writer(access)
    barrier = services.barrier_set(
        learner=learner,
        category=payload.category,
        level=payload.level,
        summary=payload.summary,
        by=request.user,
    )
    return Status(201, _barrier(barrier, access))


# --- actions ----------------------------------------------------------------


@router.get("/learners/{learner_id}/actions", response=list[ActionOut])
@paginate(Pagination)
def action_list(request, learner_id: Id):
    learner, access = _learner(request, learner_id)
    _not_prescriber(access)
    return (
        Action.objects.filter(barrier__learner=learner)
        .select_related("barrier__category", "partner")
        .order_by("due_on", "pk")
    )


@router.post("/learners/{learner_id}/actions", response={201: ActionOut})
def action_create(request, learner_id: Id, payload: ActionIn):
    """Plan an action for one of the young person's barriers, with a partner service if any."""
    learner, access = _learner(request, learner_id)
    _writer(access)
    barrier = Barrier.objects.filter(learner=learner, pk=payload.barrier).select_related("category").first()
    if barrier is None:
        raise HttpError(422, "Ce frein n'est pas celui de ce ou cette jeune.")
    partner = None
    if payload.partner is not None:
        partner = Organisation.objects.filter(
            pk=payload.partner, kind=OrganisationKind.SOCIAL_SERVICE, network=learner.school.network_id
        ).first()
        if partner is None:
            raise HttpError(422, "Choisissez un service partenaire de l'annuaire.")
    action = services.action_create(
        barrier=barrier,
        description=payload.description,
        due_on=payload.due_on,
        partner=partner,
        by=request.user,
    )
    return Status(201, action)


# --- notes ------------------------------------------------------------------


@router.get("/learners/{learner_id}/notes", response=NotesPage)
def note_list(request, learner_id: Id, pagination: Query[Pagination.Input]):
    """The journal entries this caller may read, newest first; each confidential entry returned is
    audited. A prescriber gets a 403."""
    learner, access = _learner(request, learner_id)
    _not_prescriber(access)
    count = JournalEntry.objects.visible_to(request.user).filter(learner=learner).count()
    items = services.journal_read(
        by=request.user, learner=learner, limit=pagination.limit, offset=pagination.offset
    )
    return {"items": items, "count": count}


@router.post("/learners/{learner_id}/notes", response={201: NoteOut})
def note_add(request, learner_id: Id, payload: NoteIn):
    """Write in the journal; `confidentiel` is for the school's social worker only."""
    learner, access = _learner(request, learner_id)
    _writer(access)
    entry = services.journal_add(
        learner=learner,
        by=request.user,
        kind=payload.kind,
        text=payload.text,
        visibility=payload.visibility,
        occurred_on=payload.occurred_on,
    )
    return Status(201, entry)


# --- the directory of partner services ----------------------------------------


@router.get("/services", response=list[ServiceOut])
@paginate(Pagination)
def service_list(
    request,
    category: str | None = Query(None, max_length=30, description="code de la catégorie de frein"),
    near: str | None = Query(None, max_length=9, description="code INSEE de la commune"),
):
    """Partner services handling a category, the nearest first (within 30 km of `near`)."""
    if not permissions.reads_directory(request.user):
        raise HttpError(403, "L'annuaire est celui des équipes des écoles.")
    # A code is a slug: anything else (a NUL byte, which PostgreSQL refuses in a query) is unknown.
    if category and (
        not re.fullmatch(r"[\w-]+", category)
        or not BarrierCategory.objects.visible_to(request.user).filter(code=category).exists()
    ):
        raise HttpError(422, "Catégorie de frein inconnue.")
    commune = None
    if near:
        commune = Commune.objects.filter(insee_code=near.upper(), kind=Commune.Kind.COMMUNE).first()
        if commune is None:
            raise HttpError(422, f"Commune inconnue (code INSEE « {near} »).")
    return [
        {
            "id": found.service.organisation_id,
            "name": found.service.organisation.name,
            "commune": found.service.organisation.commune.insee_code
            if found.service.organisation.commune
            else None,
            "categories": [c.code for c in found.service.categories.all()],
            "distance_km": round(found.distance_km, 1) if found.distance_km is not None else None,
        }
        for found in services.services_near(
            services=PartnerService.objects.visible_to(request.user), category=category or None, near=commune
        )
    ]
