"""`GET /api/v1/schools/{id}/lheo`: a school's offer in LHEO 2.3 (XML), for those who see the school."""

from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.errors import HttpError

from plombiers.lib.api import ErrorOut, Id
from plombiers.network.models import School

from .exports import NOTHING_TO_DECLARE, xml_response
from .selectors import school_offers

router = Router(tags=["offer"])


@router.get(
    "/schools/{school_id}/lheo",
    response={200: None, 404: ErrorOut},
    summary="L'offre de formation d'une école en LHEO 2.3",
    description=(
        "Le document XML LHEO 2.3 (Carif-Oref) de l'école : sa formation, son action et une session "
        "par promotion à venir, le porteur de projet comme organisme responsable. 404 pour une école "
        "que l'appelant ne voit pas, ou qui n'a rien à déclarer."
    ),
    openapi_extra={
        "responses": {
            200: {
                "description": "Le document LHEO 2.3.",
                "content": {"application/xml": {"schema": {"type": "string"}}},
            },
        }
    },
)
def school_lheo(request, school_id: Id):
    school = get_object_or_404(School.objects.visible_to(request.user), pk=school_id)
    offers = school_offers(School.objects.filter(pk=school.pk))
    if not offers:
        raise HttpError(404, NOTHING_TO_DECLARE)
    return xml_response(request, offers, filename=f"offre-{school.slug}.lheo.xml")
