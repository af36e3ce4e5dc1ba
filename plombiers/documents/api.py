"""`GET /api/v1/cohorts/{id}/documents/{kind}`: the cohort's documents in PDF (or the ZIP)."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from plombiers.lib.api import Id
from plombiers.privacy.services import audit_log

from . import services
from .downloads import download_response
from .services import KINDS, NothingToPrint

router = Router(tags=["documents"])


KIND_LIST = ", ".join(KINDS)
PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
ZIP = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}


class WeekIn(Schema):
    week: dt.date | None = Field(
        None,
        description="Pour `emargement` : une date de la semaine voulue (AAAA-MM-JJ, le lundi "
        "en principe) ; sans elle, toutes les semaines.",
    )


@router.get(
    "/cohorts/{cohort_id}/documents/{kind}",
    response={200: None},
    summary="Documents OPCO et Qualiopi d'une promotion",
    description=(
        "Un PDF, une partie par jeune (ou par semaine pour l'émargement) : "
        "`conventions` (conventions de formation, programme annexé), "
        "`emargement` (feuilles d'émargement signées ; `?week=AAAA-MM-JJ` pour une seule semaine), "
        "`certificats-realisation` (certificats de réalisation, heures des feuilles signées), "
        "`attestations-fin-formation` (attestations de fin de formation, compétences acquises) ; "
        "ou `zip` : le dossier complet, un fichier par document. "
        "Réservé à l'équipe de l'école et à la tête de réseau ; chaque téléchargement est journalisé."
    ),
    openapi_extra={
        "responses": {
            200: {"description": "Le document (PDF, ou ZIP pour `zip`).", "content": {**PDF, **ZIP}},
            404: {"description": "Promotion introuvable, type de document inconnu ou document vide."},
        }
    },
)
def cohort_document(request, cohort_id: Id, kind: str, filters: Query[WeekIn]):
    cohort = get_object_or_404(services.visible_cohorts(request.user).select_related("school"), pk=cohort_id)
    if kind not in KINDS:
        raise HttpError(404, f"Type de document inconnu « {kind} » : choisissez parmi {KIND_LIST}.")
    week = filters.week if kind == services.ATTENDANCE else None
    try:
        name, content = services.cohort_document(cohort=cohort, kind=kind, week=week)
    except NothingToPrint as error:
        raise HttpError(404, str(error)) from None
    audit_log(
        actor=request.user,
        action="documents.download",
        obj=cohort,
        school=cohort.school,
        details={"kind": kind, "api": True, **({"week": week.isoformat()} if week else {})},
    )
    return download_response(name, content)
