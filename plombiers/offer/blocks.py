"""The « Offre de formation » block of a school's page (network, plombiers/lib/slots.py): the link
to the school's public LHEO export; no query."""

from .permissions import sees_offer_export


def school_offer(request, school):
    if not sees_offer_export(request.user, school):
        return None
    return "offer/includes/school_offer.html", {"school": school}
