"""The subject-access export over the API: `GET /api/v1/learners/{id}/export` (a ZIP).

The record is fetched through `Learner.objects.visible_to` (404 for another school's); only the
school's direction and social workers and the network's staff export (403 for the other roles)."""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from plombiers.lib.api import ErrorOut, Id
from plombiers.referrals.models import Learner

from . import services
from .erasure import erasure_record_and_accept

router = Router(tags=["rights"])


@router.get(
    "/learners/{learner_id}/export",
    response={200: None, 403: ErrorOut, 404: ErrorOut},
    summary="Toutes les données d'une personne (RGPD art. 15), en ZIP",
    description="Un ZIP : resume.pdf (à lire), donnees.json (chaque enregistrement), fichiers/ (photos, justificatifs). Tracé.",
)
def learner_export(request, learner_id: Id):
    learner = get_object_or_404(
        Learner.objects.visible_to(request.user).select_related("school"), pk=learner_id
    )
    if not services.may_export(request.user, learner):
        raise HttpError(403, "Seul·es la direction et l'accompagnement de l'école exportent ces données.")
    response = HttpResponse(
        services.export_for(learner=learner, by=request.user), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="donnees-{learner.pk}.zip"'
    return response


class ErasureIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000, description="motif de la demande")


class ErasureOut(Schema):
    id: int
    learner: int = Field(..., alias="learner_id")
    decision: str
    decided_at: dt.datetime | None
    kept: list[str]
    anonymised: bool


@router.post(
    "/learners/{learner_id}/erasure",
    response={201: ErasureOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Effacer les données d'une personne (RGPD art. 17)",
)
def learner_erase(request, learner_id: Id, payload: ErasureIn):
    """Record the request and accept it: the person is anonymised at once, except what a legal
    obligation keeps (`kept`). For the school's manager and the network staff."""
    learner = get_object_or_404(
        Learner.objects.visible_to(request.user).select_related("school"), pk=learner_id
    )
    erasure = erasure_record_and_accept(learner=learner, by=request.user, reason=payload.reason)
    return Status(
        201,
        {
            "id": erasure.pk,
            "learner_id": learner.pk,
            "decision": erasure.decision,
            "decided_at": erasure.decided_at,
            "kept": erasure.kept.splitlines(),
            "anonymised": True,
        },
    )
