"""The demo's webhooks: the Mission Locale of Chelles has its tool subscribed to the decisions on its
referrals, and the log shows what was sent — delivered at once, delivered after a retry, and one
that failed (the tool was down for a day). The address is a reserved `.example` name: nothing
leaves the machine. Idempotent: the subscription and its log are written once."""

import datetime as dt

from django.utils import timezone

from plombiers.referrals.enums import DECISIONS
from plombiers.referrals.models import Referral
from plombiers.webhooks import payloads, signing
from plombiers.webhooks.enums import DeliveryStatus, WebhookEvent
from plombiers.webhooks.models import Delivery, Subscription

from .network import DemoNetwork

DEMO_PRESCRIBER = "prescription@plombiers.example"
DEMO_URL = "https://outil.mission-locale-chelles.example/plombiers/webhooks"
# (status, attempts, last response code, excerpt) of the latest deliveries, the latest first.
LOG = [
    (DeliveryStatus.SUCCEEDED, 1, 200, '{"ok": true}'),
    (DeliveryStatus.SUCCEEDED, 3, 200, '{"ok": true}'),
    (DeliveryStatus.FAILED, 6, 503, "Service Unavailable"),
    (DeliveryStatus.SUCCEEDED, 1, 204, ""),
]


class WebhooksBuilder:
    def __init__(self, seed: int = 2017):
        self.seed = seed

    def build(self, demo: DemoNetwork) -> Subscription | None:
        user = demo.users.get(DEMO_PRESCRIBER)
        membership = user.memberships.filter(organisation__isnull=False).first() if user else None
        if membership is None:
            return None
        subscription, created = Subscription.objects.get_or_create(
            organisation=membership.organisation,
            url=DEMO_URL,
            defaults={
                "events": [WebhookEvent.REFERRAL_DECIDED, WebhookEvent.ENROLMENT_CREATED],
                "description": "Outil de suivi de la Mission Locale",
                "secret": signing.new_secret(),
                "created_by": user,
            },
        )
        if not created:
            return subscription
        decided = Referral.objects.filter(prescriber=user, status__in=DECISIONS).order_by(
            "-status_changed_at", "-pk"
        )
        now = timezone.now()
        for (status, attempts, code, excerpt), referral in zip(LOG, decided, strict=False):
            data = payloads.data_for(WebhookEvent.REFERRAL_DECIDED, referral, membership.organisation)
            if data is None:
                continue
            at = referral.status_changed_at or now
            delivery = Delivery(subscription=subscription, event=WebhookEvent.REFERRAL_DECIDED)
            delivery.payload = {
                "id": str(delivery.event_id),
                "type": WebhookEvent.REFERRAL_DECIDED,
                "created": at.isoformat(),
                "data": data,
            }
            delivery.status, delivery.attempts = status, attempts
            delivery.response_code, delivery.response_excerpt = code, excerpt
            delivery.last_attempt_at = at + dt.timedelta(hours=attempts - 1)
            if status == DeliveryStatus.SUCCEEDED:
                delivery.delivered_at = delivery.last_attempt_at
            delivery.save()
            Delivery.objects.filter(pk=delivery.pk).update(created_at=at)
        return subscription


def demo_webhook_counts(network) -> dict[str, int]:
    deliveries = Delivery.objects.filter(subscription__organisation__network=network)
    return {
        "abonnement(s)": Subscription.objects.filter(organisation__network=network).count(),
        "livraison(s)": deliveries.count(),
    }
