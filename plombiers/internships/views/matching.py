"""Matching pages: the offers for a young person, the young people for an offer, « Proposer »."""

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from plombiers.cohorts.models import Enrolment

from .. import matching
from ..enums import OfferStatus
from ..matching import team_enrolments
from ..models import Application, Offer
from ..permissions import can_manage_internships, reads_offers
from ..services import application_create


def _check_team(user) -> None:
    """The school's team and the network staff: anybody else finds no such page."""
    if not reads_offers(user):
        raise Http404


def _enrolment(request, pk) -> Enrolment:
    _check_team(request.user)
    return get_object_or_404(
        team_enrolments(request.user).select_related("learner__commune", "cohort__school"), pk=pk
    )


def _offer(request, pk) -> Offer:
    _check_team(request.user)
    return get_object_or_404(
        Offer.objects.visible_to(request.user).select_related("company", "commune"), pk=pk
    )


def learner_offers(request, pk):
    enrolment = _enrolment(request, pk)
    learner = enrolment.learner
    matches = matching.learner_matches(enrolment)
    offers = Offer.objects.select_related("company", "commune").in_bulk([m.offer_id for m in matches])
    proposed = set(Application.objects.filter(enrolment=enrolment).values_list("offer_id", flat=True))
    context = {
        "enrolment": enrolment,
        "learner": learner,
        "travel_km": learner.max_travel_km
        if learner.max_travel_km is not None
        else matching.DEFAULT_TRAVEL_KM,
        "is_current": matching.is_current(enrolment),
        "can_propose": can_manage_internships(request.user, enrolment.cohort.school),
        "rows": [
            SimpleNamespace(
                match=m,
                percent=round(m.score * 100),
                offer=offers[m.offer_id],
                proposed=m.offer_id in proposed,
            )
            for m in matches
        ],
    }
    return render(request, "internships/matching/learner_offers.html", context)


def offer_learners(request, pk):
    offer = _offer(request, pk)
    matches = matching.offer_matches(offer, among=team_enrolments(request.user))
    enrolments = Enrolment.objects.select_related("learner__commune", "cohort__school").in_bulk(
        [m.enrolment_id for m in matches]
    )
    proposed = set(Application.objects.filter(offer=offer).values_list("enrolment_id", flat=True))
    rows = []
    for m in matches:
        enrolment = enrolments[m.enrolment_id]
        rows.append(
            SimpleNamespace(
                match=m,
                percent=round(m.score * 100),
                enrolment=enrolment,
                proposed=m.enrolment_id in proposed,
                can_propose=can_manage_internships(request.user, enrolment.cohort.school),
            )
        )
    context = {"offer": offer, "is_open": offer.status == OfferStatus.OPEN, "rows": rows}
    return render(request, "internships/matching/offer_learners.html", context)


@require_POST
def match_propose(request, pk, offer_pk):
    """Propose the young person for the offer (an application), back to the page one came from."""
    enrolment = _enrolment(request, pk)
    offer = _offer(request, offer_pk)
    back = (
        redirect("internships:offer_learners", offer.pk)
        if request.POST.get("back") == "offre"
        else redirect("internships:learner_offers", enrolment.pk)
    )
    try:
        application_create(offer=offer, enrolment=enrolment, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    else:
        messages.success(
            request, f"{enrolment.learner} est proposé·e pour « {offer.title} » ({offer.company.name})."
        )
    return back
