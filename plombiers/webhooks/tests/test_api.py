"""/api/v1/webhooks: the subscriptions of one's organisation, the secret once, the delivery log."""

import pytest

from plombiers.accounts.services import api_token_create
from plombiers.tests.access import ROLES
from plombiers.webhooks.enums import DeliveryStatus
from plombiers.webhooks.models import Subscription

from .conftest import subscribe
from .test_views import PRESCRIBER_SUBSCRIPTION, USERS, delivery_of


def bearer(user):
    _token, raw = api_token_create(user=user, name="test")
    return {"authorization": f"Bearer {raw}"}


@pytest.mark.django_db
def test_create_list_deliveries_delete(cast, client, receiver):
    headers = bearer(cast.prescriber)
    created = client.post(
        "/api/v1/webhooks",
        {"organisation": cast.prescriber_org.pk, "url": receiver.url, "events": ["referral.decided"]},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["referral.decided"]
    listed = client.get("/api/v1/webhooks", headers=headers).json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]
    subscription = Subscription.objects.get()
    delivery_of(subscription, status=DeliveryStatus.FAILED, attempts=6, response_code=500)
    log = client.get(f"/api/v1/webhooks/{subscription.pk}/deliveries", headers=headers).json()
    assert log["count"] == 1
    assert (log["items"][0]["status"], log["items"][0]["attempts"], log["items"][0]["response_code"]) == (
        DeliveryStatus.FAILED,
        6,
        500,
    )
    again = client.post(
        f"/api/v1/webhooks/{subscription.pk}/deliveries/{log['items'][0]['id']}/redeliver", headers=headers
    )
    assert again.status_code == 202
    assert again.json()["event_id"] == log["items"][0]["event_id"]
    assert client.delete(f"/api/v1/webhooks/{subscription.pk}", headers=headers).status_code == 204
    assert not Subscription.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_api_scope_of_a_subscription(cast, client, receiver, role):
    subscription, _ = subscribe(cast, receiver.url)
    headers = bearer(getattr(cast, role))
    allowed = role in PRESCRIBER_SUBSCRIPTION
    listed = client.get("/api/v1/webhooks", headers=headers).json()
    assert listed["count"] == (1 if allowed else 0)
    log = client.get(f"/api/v1/webhooks/{subscription.pk}/deliveries", headers=headers)
    assert log.status_code == (200 if allowed else 404)
    created = client.post(
        "/api/v1/webhooks",
        {"organisation": cast.prescriber_org.pk, "url": receiver.url, "events": ["exit.recorded"]},
        content_type="application/json",
        headers=headers,
    )
    # The prescriber's organisation: its members and the network staff; the funder does not see it
    # (404), the roles without webhooks are refused (403).
    assert created.status_code == (201 if allowed else 404 if role in USERS else 403)
    deleted = client.delete(f"/api/v1/webhooks/{subscription.pk}", headers=headers)
    assert deleted.status_code == (204 if allowed else 404)
    assert Subscription.objects.filter(pk=subscription.pk).exists() is not allowed


@pytest.mark.django_db
def test_bad_input_is_a_422(cast, client, settings):
    settings.PLOMBIERS_WEBHOOKS_ALLOW_LOCAL = False
    headers = bearer(cast.prescriber)
    for payload in [
        {
            "organisation": cast.prescriber_org.pk,
            "url": "http://partenaire.example/",
            "events": ["exit.recorded"],
        },
        {"organisation": cast.prescriber_org.pk, "url": "https://192.168.0.2/", "events": ["exit.recorded"]},
        {"organisation": cast.prescriber_org.pk, "url": "https://93.184.215.14/", "events": []},
        {"organisation": cast.prescriber_org.pk, "url": "https://93.184.215.14/", "events": ["nope"]},
    ]:
        response = client.post("/api/v1/webhooks", payload, content_type="application/json", headers=headers)
        assert response.status_code == 422, payload
        assert response.json()["detail"]
    assert not Subscription.objects.exists()
