"""The reads the « Webhooks » pages and the API share."""

from .models import Delivery, Subscription


def subscriptions_for(user):
    return Subscription.objects.visible_to(user).select_related("organisation")


def deliveries_of(subscription: Subscription):
    return Delivery.objects.filter(subscription=subscription).order_by("-created_at", "-pk")
