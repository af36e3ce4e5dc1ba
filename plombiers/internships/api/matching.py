"""Matching in the API: the offers for a young person, the young people for an offer."""

from datetime import date

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from plombiers.cohorts.models import Enrolment
from plombiers.lib.api import Id
from plombiers.referrals.models import Learner

from .. import matching
from ..matching import team_enrolments
from ..models import Offer
from ..permissions import reads_offers

router = Router(tags=["matching"])


def _check_team(user) -> None:
    """The school's team and the network staff, as on the pages: anybody else finds nothing (404)."""
    if not reads_offers(user):
        raise Http404


class MatchOut(Schema):
    offer_id: int
    offer_title: str
    company: str
    enrolment_id: int
    learner_id: int
    learner_name: str
    score: float = Field(..., description="de 0 à 1")
    skills_matched: int
    skills_required: int
    distance_km: float
    licence_ok: bool
    starts_on: date | None
    explanation: str


class MatchesOut(Schema):
    items: list[MatchOut]
    count: int


class MatchQuery(Schema):
    limit: int = Field(50, ge=1, le=200, description="nombre de résultats (1 à 200)")


def _out(matches, offers: dict, enrolments: dict) -> dict:
    items = []
    for m in matches:
        offer, enrolment = offers[m.offer_id], enrolments[m.enrolment_id]
        items.append(
            {
                **m.__dict__,
                "offer_title": offer.title,
                "company": offer.company.name,
                "learner_id": enrolment.learner_id,
                "learner_name": str(enrolment.learner),
            }
        )
    return {"items": items, "count": len(items)}


@router.get("/learners/{learner_id}/matches", response=MatchesOut)
def learner_matches(request, learner_id: Id, query: Query[MatchQuery]):
    """The open offers for a young person (through their current enrolment: in training, or
    finished less than three months ago), best first, each explained. School team and network
    staff only."""
    _check_team(request.user)
    learner = get_object_or_404(
        Learner.objects.filter(pk__in=team_enrolments(request.user).values("learner")), pk=learner_id
    )
    enrolment = matching.current_enrolments(team_enrolments(request.user).filter(learner=learner)).order_by(
        "-entry_date", "-pk"
    )
    enrolment = enrolment.select_related("learner").first()
    if enrolment is None:
        return {"items": [], "count": 0}
    matches = matching.learner_matches(enrolment, limit=query.limit)
    offers = Offer.objects.select_related("company").in_bulk([m.offer_id for m in matches])
    return _out(matches, offers, {enrolment.pk: enrolment})


@router.get("/offers/{offer_id}/matches", response=MatchesOut)
def offer_matches(request, offer_id: Id, query: Query[MatchQuery]):
    """The young people for an open offer, best first, each explained (those of the schools one
    works in, or of the network)."""
    _check_team(request.user)
    offer = get_object_or_404(Offer.objects.visible_to(request.user).select_related("company"), pk=offer_id)
    matches = matching.offer_matches(offer, limit=query.limit, among=team_enrolments(request.user))
    enrolments = Enrolment.objects.select_related("learner").in_bulk([m.enrolment_id for m in matches])
    return _out(matches, {offer.pk: offer}, enrolments)
