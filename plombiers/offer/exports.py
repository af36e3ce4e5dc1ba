"""The HTTP answer of an LHEO export, shared by the public pages and the API."""

import hashlib

from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control

from . import lheo
from .selectors import SchoolOffer

CONTENT_TYPE = "application/xml; charset=utf-8"
NOTHING_TO_DECLARE = (
    "Aucune offre à déclarer : pas de promotion à venir, ou une école sans porteur de projet "
    "déclaré (SIRET et numéro de déclaration d'activité)."
)


def xml_response(request, offers: list[SchoolOffer], *, filename: str) -> HttpResponse:
    """The document, with an ETag (a crawler that has it gets 304) and an hour of caching."""
    content = lheo.render(offers)
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        content, content_type=CONTENT_TYPE
    )
    response["ETag"] = etag
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    patch_cache_control(response, public=True, max_age=3600)
    return response
