"""The subject-access export over the API: `GET /api/v1/learners/{id}/export` (a ZIP).

The record is fetched through `Learner.objects.visible_to` (404 for another school's); only the
school's direction and social workers and the network's staff export (403 for the other roles)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.errors import HttpError

from plombiers.api.schemas import ErrorOut, Id
from plombiers.referrals.models import Learner

from . import services

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
