"""The demo's webhooks: the Mission Locale's subscription and a log with what the API would show it."""

import pytest

from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.network import Builder
from plombiers.demo.webhooks import DEMO_PRESCRIBER, WebhooksBuilder
from plombiers.frameworks.loader import frameworks_load
from plombiers.referrals.models import Referral
from plombiers.webhooks.enums import DeliveryStatus
from plombiers.webhooks.models import Delivery, Subscription


@pytest.fixture
def demo(communes):
    demo = Builder().build()
    frameworks_load()
    intake = IntakeBuilder()
    intake.save(intake.plan(demo, intake.prescribers(demo), only={"chelles"}))
    return demo


def test_demo_webhooks(demo):
    subscription = WebhooksBuilder().build(demo)
    WebhooksBuilder().build(demo)  # idempotent
    assert Subscription.objects.get() == subscription
    prescriber = demo.users[DEMO_PRESCRIBER]
    assert subscription.organisation.memberships.filter(user=prescriber).exists()
    deliveries = Delivery.objects.filter(subscription=subscription)
    assert deliveries.count() >= 3
    assert {d.status for d in deliveries} >= {DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED}
    mine = set(Referral.objects.visible_to(prescriber).values_list("pk", flat=True))
    assert all(d.payload["data"]["id"] in mine for d in deliveries)
