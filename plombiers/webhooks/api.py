"""Webhooks over the API: the subscriptions of one's organisation and their delivery log."""

import datetime as dt
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from plombiers.lib.api import ErrorOut, Id, Pagination
from plombiers.network.models import Organisation

from . import services
from .enums import DeliveryStatus, WebhookEvent
from .models import Delivery
from .permissions import may_use_webhooks
from .selectors import deliveries_of, subscriptions_for

router = Router(tags=["webhooks"])
REFUSED = "Les webhooks sont réservés aux structures prescriptrices, aux financeurs et à la tête de réseau."


class SubscriptionIn(Schema):
    organisation: Id = Field(..., description="l'organisation abonnée (prescripteur ou financeur)")
    url: str = Field(..., min_length=1, max_length=500, description="https:// ; reçoit un POST par événement")
    events: list[WebhookEvent] = Field(..., min_length=1, max_length=len(WebhookEvent.values))
    description: str = Field("", max_length=200)


class SubscriptionOut(Schema):
    id: int
    organisation: int = Field(..., alias="organisation_id")
    organisation_name: str = Field(..., alias="organisation.name")
    url: str
    events: list[WebhookEvent]
    description: str
    active: bool
    created_at: dt.datetime


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(..., description="la clé des signatures : donnée une seule fois, à garder")


class DeliveryOut(Schema):
    id: int
    delivery: UUID = Field(..., alias="uuid", description="l'en-tête Plombiers-Delivery")
    event_id: UUID = Field(..., description="le champ id du corps")
    event: WebhookEvent
    status: DeliveryStatus
    attempts: int
    next_attempt_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    response_code: int | None
    response_excerpt: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None


def _subscription(user, pk: int):
    return get_object_or_404(subscriptions_for(user), pk=pk)


@router.get("/webhooks", response=list[SubscriptionOut])
@paginate(Pagination)
def subscription_list(request):
    """The subscriptions of one's organisation (of the network's partners, for its staff)."""
    return subscriptions_for(request.user).order_by("-created_at", "-pk")


@router.post("/webhooks", response={201: SubscriptionCreatedOut, 404: ErrorOut})
def subscription_create(request, payload: SubscriptionIn):
    """A new subscription: its `secret` is in this answer only."""
    if not may_use_webhooks(request.user):
        raise PermissionDenied(REFUSED)
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=payload.organisation)
    subscription, secret = services.subscription_create(
        organisation=organisation,
        url=payload.url,
        events=[str(event) for event in payload.events],
        description=payload.description,
        by=request.user,
    )
    subscription.secret = secret
    return Status(201, subscription)


@router.delete("/webhooks/{subscription_id}", response={204: None})
def subscription_delete(request, subscription_id: Id):
    services.subscription_delete(subscription=_subscription(request.user, subscription_id), by=request.user)
    return Status(204, None)


@router.get("/webhooks/{subscription_id}/deliveries", response=list[DeliveryOut])
@paginate(Pagination)
def delivery_list(request, subscription_id: Id):
    """The delivery log of a subscription, the latest first."""
    return deliveries_of(_subscription(request.user, subscription_id))


@router.post("/webhooks/{subscription_id}/deliveries/{delivery_id}/redeliver", response={202: DeliveryOut})
def delivery_redeliver(request, subscription_id: Id, delivery_id: Id):
    """Send a delivery's event again (a new delivery, the same `id` and body)."""
    subscription = _subscription(request.user, subscription_id)
    delivery = get_object_or_404(Delivery.objects.filter(subscription=subscription), pk=delivery_id)
    again = services.delivery_redeliver(delivery=delivery, by=request.user)
    again.refresh_from_db()
    return Status(202, again)
