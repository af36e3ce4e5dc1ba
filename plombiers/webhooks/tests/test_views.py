"""The « Webhooks » pages: who opens them (the access rows of webhooks:…), the secret shown once, the
delivery log and « Renvoyer »."""

import pytest
from django.urls import reverse

from plombiers.tests.access import ROLES
from plombiers.webhooks.enums import DeliveryStatus, WebhookEvent
from plombiers.webhooks.models import Delivery, Subscription

from .conftest import subscribe

#: Who opens the « Webhooks » page: the prescribing and funding organisations, the network staff
#: (another network's staff too: their own network's subscriptions, none of the cast's).
USERS = {"staff", "prescriber", "funder", "staff_other"}
#: Who reads (and deletes, and sends again) the prescriber organisation's subscription.
PRESCRIBER_SUBSCRIPTION = {"staff", "prescriber"}


def delivery_of(subscription, **fields):
    return Delivery.objects.create(
        subscription=subscription,
        event=WebhookEvent.REFERRAL_DECIDED,
        payload={"id": "x", "type": WebhookEvent.REFERRAL_DECIDED, "created": "", "data": {}},
        **fields,
    )


@pytest.fixture
def hooked(cast, receiver):
    subscription, _secret = subscribe(cast, receiver.url)
    receiver.answers = [500]
    return subscription


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_who_opens_the_webhooks_page(cast, client, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("webhooks:subscription_list"))
    assert response.status_code == (200 if role in USERS else 403)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_who_reads_deletes_and_sends_again_the_prescribers_subscription(cast, client, hooked, role):
    delivery = delivery_of(hooked, status=DeliveryStatus.FAILED, attempts=6, response_code=500)
    client.force_login(getattr(cast, role))
    allowed = role in PRESCRIBER_SUBSCRIPTION
    detail = client.get(reverse("webhooks:subscription_detail", args=[hooked.pk]))
    assert detail.status_code == (200 if allowed else 404)
    again = client.post(reverse("webhooks:delivery_redeliver", args=[delivery.pk]))
    assert again.status_code == (302 if allowed else 404)
    assert Delivery.objects.filter(subscription=hooked).count() == (2 if allowed else 1)
    delete = client.post(reverse("webhooks:subscription_delete", args=[hooked.pk]))
    assert delete.status_code == (302 if allowed else 404)
    assert Subscription.objects.filter(pk=hooked.pk).exists() is not allowed


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, cast, hooked):
    for name, args, method in [
        ("webhooks:subscription_list", [], "get"),
        ("webhooks:subscription_create", [], "post"),
        ("webhooks:subscription_detail", [hooked.pk], "get"),
        ("webhooks:subscription_delete", [hooked.pk], "post"),
        ("webhooks:delivery_redeliver", [delivery_of(hooked).pk], "post"),
    ]:
        response = getattr(client, method)(reverse(name, args=args))
        assert response.status_code == 302 and response["Location"].startswith("/comptes/login/"), name


@pytest.mark.django_db
def test_a_subscription_is_created_and_its_secret_shown_once(cast, client, receiver):
    client.force_login(cast.prescriber)
    response = client.post(
        reverse("webhooks:subscription_create"),
        {"organisation": cast.prescriber_org.pk, "url": receiver.url, "events": [WebhookEvent.EXIT_RECORDED]},
    )
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.events == [WebhookEvent.EXIT_RECORDED]
    assert subscription.secret in response.content.decode()
    assert "il ne sera plus jamais affiché" in response.content.decode()
    again = client.get(reverse("webhooks:subscription_list"))
    assert subscription.secret not in again.content.decode()
    assert receiver.url in again.content.decode()


@pytest.mark.django_db
def test_bad_input_gives_a_french_error_and_nothing_is_created(cast, client, settings):
    settings.PLOMBIERS_WEBHOOKS_ALLOW_LOCAL = False
    client.force_login(cast.prescriber)
    url = reverse("webhooks:subscription_create")
    cases = [
        ({"organisation": cast.prescriber_org.pk, "url": "http://partenaire.example/", "events": ["exit.recorded"]}, "https://"),
        ({"organisation": cast.prescriber_org.pk, "url": "https://10.0.0.5/", "events": ["exit.recorded"]}, "réseau privé"),
        ({"organisation": cast.prescriber_org.pk, "url": "https://93.184.215.14/", "events": []}, "obligatoire"),
        ({"organisation": cast.funder_org.pk, "url": "https://93.184.215.14/", "events": ["exit.recorded"]}, "Sélectionnez un choix valide"),
    ]  # fmt: skip
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_the_delivery_log_shows_status_attempts_and_code_in_constant_queries(
    cast, client, hooked, django_assert_num_queries
):
    for _ in range(3):
        delivery_of(hooked, status=DeliveryStatus.RETRYING, attempts=2, response_code=503)
    client.force_login(cast.prescriber)
    url = reverse("webhooks:subscription_detail", args=[hooked.pk])
    client.get(url)
    # session, user, memberships (menu), the subscription with its organisation, count, the page
    with django_assert_num_queries(6):
        response = client.get(url)
    page = response.content.decode()
    assert page.count("Nouvel essai prévu") == 3 and "503" in page and "Renvoyer" in page
    for _ in range(5):
        delivery_of(hooked, status=DeliveryStatus.SUCCEEDED, attempts=1, response_code=200)
    with django_assert_num_queries(6):
        client.get(url)


@pytest.mark.django_db
def test_network_staff_subscribe_for_a_partner_of_their_network(cast, client, receiver):
    client.force_login(cast.staff)
    page = client.get(reverse("webhooks:subscription_list")).content.decode()
    assert cast.prescriber_org.name in page and cast.funder_org.name in page
    assert cast.company_a.name not in page  # a company receives no webhooks
    response = client.post(
        reverse("webhooks:subscription_create"),
        {"organisation": cast.funder_org.pk, "url": receiver.url, "events": [WebhookEvent.IMPACT_UPDATED]},
    )
    assert response.status_code == 200
    assert Subscription.objects.get().organisation == cast.funder_org
