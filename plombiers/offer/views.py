"""The public LHEO exports: one school's offer, and every school's. Public by nature (a Carif-Oref
collects them): nothing in them but the schools' offer and their legal entity."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from plombiers.network.enums import SchoolStatus
from plombiers.network.models import School

from .exports import NOTHING_TO_DECLARE, xml_response
from .selectors import school_offers


@login_not_required
@require_safe
def school_lheo(request, slug):
    school = get_object_or_404(School.objects.filter(status=SchoolStatus.OPEN), slug=slug)
    offers = school_offers(School.objects.filter(pk=school.pk))
    if not offers:
        raise Http404(NOTHING_TO_DECLARE)
    return xml_response(request, offers, filename=f"offre-{school.slug}.lheo.xml")


@login_not_required
@require_safe
def all_lheo(request):
    offers = school_offers()
    if not offers:
        raise Http404(NOTHING_TO_DECLARE)
    return xml_response(request, offers, filename="offre.lheo.xml")
