"""A decision on a referral reaches the partner's receiver, signed as docs/api.md says, retried with
backoff, built as the API shows it to the subscriber — and nothing the subscriber may not read."""

import datetime as dt
import json
import re
import socket
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction

from plombiers.accounts.services import api_token_create
from plombiers.cohorts import services as cohorts_services
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.lib import events
from plombiers.outcomes.tests.factories import ExitFactory, FollowUpFactory
from plombiers.privacy.models import RetentionSetting
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.services import referral_transition
from plombiers.referrals.tests.factories import ReferralFactory, referred_by
from plombiers.webhooks import services, transport
from plombiers.webhooks.enums import DeliveryStatus, WebhookEvent
from plombiers.webhooks.models import Delivery

from .conftest import interview, subscribe

DOCS = Path(__file__).resolve().parents[3] / "docs" / "api.md"
NOW = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


def documented_verifier():
    """The receiver's check exactly as docs/api.md gives it (the block after « Vérifier »)."""
    text = DOCS.read_text()
    code = re.search(r"<!-- webhook-verify -->\s*```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 — our own documentation, checked here
    return namespace["verify_signature"]


def admit(cast, referral):
    referral_transition(referral=referral, to=ReferralStatus.ADMITTED, by=cast.manager_a)


def api_items(client, user, path):
    _token, raw = api_token_create(user=user, name="test")
    response = client.get(path, headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    return response.json()["items"]


@pytest.mark.django_db(transaction=False)
def test_a_decision_is_delivered_signed_and_the_signature_checks(
    cast, receiver, client, django_capture_on_commit_callbacks
):
    subscription, secret = subscribe(cast, receiver.url)
    referral = interview(cast)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        admit(cast, referral)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1
    assert delivery.response_code == 200 and delivery.delivered_at == NOW
    assert request["headers"]["Plombiers-Event"] == WebhookEvent.REFERRAL_DECIDED
    assert request["headers"]["Plombiers-Delivery"] == str(delivery.uuid)
    signature = request["headers"]["Plombiers-Signature"]
    assert signature.startswith(f"t={int(NOW.timestamp())},v1=")
    verify = documented_verifier()
    with time_machine.travel(NOW + dt.timedelta(seconds=30), tick=False):
        assert verify(secret, request["body"], signature) is True
        assert verify(secret, request["body"] + b" ", signature) is False
        assert verify("whsec_autre", request["body"], signature) is False
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        assert verify(secret, request["body"], signature) is False  # too old: a replay

    body = json.loads(request["body"])
    assert set(body) == {"id", "type", "created", "data"}
    assert body["type"] == "referral.decided" and body["id"] == str(delivery.event_id)
    # The data is the referral exactly as the API lists it to the subscriber's member.
    (listed,) = [
        item for item in api_items(client, cast.prescriber, "/api/v1/referrals") if item["id"] == referral.pk
    ]
    assert body["data"] == listed
    assert body["data"]["status"] == ReferralStatus.ADMITTED
    assert subscription.secret not in request["body"].decode()


@pytest.mark.django_db
def test_a_failure_is_retried_after_the_backoff(cast, receiver, django_capture_on_commit_callbacks):
    subscribe(cast, receiver.url)
    receiver.answers = [500]
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        admit(cast, interview(cast))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.RETRYING, 1, 500)
    assert delivery.next_attempt_at == NOW + dt.timedelta(minutes=1)
    assert '"received": false' in delivery.response_excerpt

    with time_machine.travel(NOW + dt.timedelta(seconds=59), tick=False):
        assert services.deliveries_retry_due() == 0  # not yet due
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        assert services.deliveries_retry_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.SUCCEEDED, 2, 200)
    assert delivery.next_attempt_at is None
    first, second = receiver.requests
    assert first["body"] == second["body"]  # the same event, the same bytes
    assert first["headers"]["Plombiers-Signature"] != second["headers"]["Plombiers-Signature"]  # new t


@pytest.mark.django_db
def test_the_backoff_runs_1_5_30_minutes_2_and_12_hours_then_fails(
    cast, receiver, django_capture_on_commit_callbacks
):
    subscribe(cast, receiver.url)
    receiver.answers = [503] * 10
    with time_machine.travel(NOW, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            admit(cast, interview(cast))
        waits = []
        delivery = Delivery.objects.get()
        while delivery.status == DeliveryStatus.RETRYING:
            waits.append(delivery.next_attempt_at - dt.datetime.now(dt.UTC))
            traveller.move_to(delivery.next_attempt_at)
            services.deliveries_retry_due()
            delivery.refresh_from_db()
    assert waits == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=30),
        dt.timedelta(hours=2),
        dt.timedelta(hours=12),
    ]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 6, None)
    assert len(receiver.requests) == 6
    assert services.deliveries_retry_due() == 0


@pytest.mark.django_db
def test_nothing_the_subscriber_cannot_read_is_delivered(cast, receiver, django_capture_on_commit_callbacks):
    """Another school's referral, another prescriber's referral at the same school (the API shows a
    prescriber their own): no delivery."""
    subscribe(cast, receiver.url)
    other_school = ReferralFactory(school=cast.school_b, status=ReferralStatus.INTERVIEW)
    someone_else = ReferralFactory(school=cast.school_a, status=ReferralStatus.INTERVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        referral_transition(referral=other_school, to=ReferralStatus.ADMITTED, by=cast.manager_b)
        admit(cast, someone_else)
    assert Delivery.objects.count() == 0
    assert receiver.requests == []

    with django_capture_on_commit_callbacks(execute=True):
        admit(cast, interview(cast))
    assert [d.subscription.organisation for d in Delivery.objects.all()] == [cast.prescriber_org]
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_no_delivery_when_the_transaction_rolls_back(cast, receiver, django_capture_on_commit_callbacks):
    subscribe(cast, receiver.url)
    referral = interview(cast)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        admit(cast, referral)
        raise RuntimeError("la suite échoue")
    assert callbacks == []
    assert Delivery.objects.count() == 0 and receiver.requests == []
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.INTERVIEW


@pytest.mark.django_db
def test_an_unsubscribed_event_is_not_sent(cast, receiver, django_capture_on_commit_callbacks):
    subscribe(cast, receiver.url, events=[WebhookEvent.EXIT_RECORDED])
    with django_capture_on_commit_callbacks(execute=True):
        admit(cast, interview(cast))
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_an_enrolment_of_the_prescribers_referral_is_delivered_as_the_api_lists_it(
    cast, receiver, client, django_capture_on_commit_callbacks
):
    subscribe(cast, receiver.url)
    referral = interview(cast)
    referral.status = ReferralStatus.ADMITTED
    referral.save()
    cohort = CohortFactory(
        school=cast.school_a, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18)
    )
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        enrolment = cohorts_services.enrolment_create(
            learner=referral.learner, cohort=cohort, by=cast.manager_a, referral=referral
        )
    (body,) = receiver.bodies()
    assert body["type"] == "enrolment.created"
    (listed,) = [
        e for e in api_items(client, cast.prescriber, "/api/v1/enrolments") if e["id"] == enrolment.pk
    ]
    assert body["data"] == listed


@pytest.mark.django_db
def test_exits_and_follow_ups_carry_the_api_schema_and_only_for_the_prescribers_learners(
    cast, receiver, client
):
    subscribe(cast, receiver.url)
    cohort = CohortFactory(school=cast.school_a)
    mine = EnrolmentFactory(cohort=cohort, learner=interview(cast).learner, end_date=dt.date(2026, 12, 18))
    referred_by(cast.prescriber, mine.learner, cast.school_a)
    theirs = EnrolmentFactory(cohort=cohort, learner=ReferralFactory(school=cast.school_a).learner)
    exit_mine, exit_theirs = ExitFactory(enrolment=mine), ExitFactory(enrolment=theirs)
    follow_up = FollowUpFactory(exit=exit_mine)

    assert services.deliveries_create(event=WebhookEvent.EXIT_RECORDED, instance=exit_theirs) == []
    (exit_delivery,) = services.deliveries_create(event=WebhookEvent.EXIT_RECORDED, instance=exit_mine)
    (follow_delivery,) = services.deliveries_create(event=WebhookEvent.FOLLOWUP_RECORDED, instance=follow_up)
    (exit_listed,) = api_items(client, cast.prescriber, "/api/v1/exits")
    assert exit_delivery.payload["data"] == exit_listed
    follow_ups = api_items(client, cast.prescriber, "/api/v1/follow-ups")
    assert follow_delivery.payload["data"] == next(f for f in follow_ups if f["id"] == follow_up.pk)


def test_the_services_announce_their_events():
    """Each service of the path sends its signal (one line each, after the commit)."""
    root = Path(__file__).resolve().parents[2]
    for app, signal in [
        ("referrals", "referral_decided"),
        ("cohorts", "enrolment_created"),
        ("outcomes", "exit_recorded"),
        ("outcomes", "followup_recorded"),
    ]:
        assert f"events.announce(events.{signal}," in (root / app / "services.py").read_text()
        assert hasattr(events, signal)


@pytest.mark.django_db
def test_a_deactivated_subscription_sends_nothing_more(cast, receiver, django_capture_on_commit_callbacks):
    subscription, _ = subscribe(cast, receiver.url)
    receiver.answers = [500]
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        admit(cast, interview(cast))
    subscription.active = False
    subscription.save()
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        assert services.deliveries_retry_due() == 0
    assert len(receiver.requests) == 1


def test_the_ssrf_guard_refuses_private_targets_outside_debug_and_tests(settings):
    settings.PLOMBIERS_WEBHOOKS_ALLOW_LOCAL = False
    for url in [
        "http://example.org/hooks",  # not https
        "http://127.0.0.1:8000/hooks",
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.1.10/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://user:pass@93.184.215.14/hooks",
        "ftp://93.184.215.14/",
        "https:///nohost",
        "https://[::1/hooks",
        "https://exemple.fr:99999/hooks",
        "https://exemple.fr/\x00",
        "https://exem ple.fr/",
    ]:
        with pytest.raises(ValidationError):
            transport.check_url(url)
    transport.check_url("https://93.184.215.14/hooks")  # a public address
    refused = transport.post("https://10.1.2.3/hooks", b"{}", {})
    assert refused.code is None and "réseau privé" in refused.excerpt


def test_the_connection_goes_to_the_checked_address_not_a_second_answer_of_the_dns(
    settings, receiver, monkeypatch
):
    """DNS rebinding: a name that resolves to a public address for the check, then to this machine.
    The connection goes to the address checked (refused here, no Internet), never to the receiver."""
    settings.PLOMBIERS_WEBHOOKS_ALLOW_LOCAL = False
    port = receiver.server.server_address[1]
    answers = iter(["93.184.215.14", "127.0.0.1", "127.0.0.1"])
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.create_connection

    def rebinding_dns(host, *args, **kwargs):
        if host != "rebind.example":
            return real_getaddrinfo(host, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    connected = []

    def connect(address, *args, **kwargs):
        connected.append(address[0])
        if address[0] == "93.184.215.14":
            raise ConnectionRefusedError("no Internet in the tests")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    monkeypatch.setattr(socket, "create_connection", connect)
    response = transport.post(f"https://rebind.example:{port}/hooks", b"{}", {})
    assert connected == ["93.184.215.14"]
    assert response.code is None and "Pas de réponse" in response.excerpt
    assert receiver.requests == []


def test_http_to_this_machine_is_allowed_in_debug_and_tests_only(settings):
    transport.check_url("http://127.0.0.1:8000/hooks")
    with pytest.raises(ValidationError):
        transport.check_url("http://example.org/hooks")
    settings.PLOMBIERS_WEBHOOKS_ALLOW_LOCAL = False
    with pytest.raises(ValidationError):
        transport.check_url("http://127.0.0.1:8000/hooks")


@pytest.mark.django_db
def test_a_redirect_is_not_followed(cast, receiver, django_capture_on_commit_callbacks):
    subscribe(cast, receiver.url)
    receiver.answers = [302]
    with django_capture_on_commit_callbacks(execute=True):
        admit(cast, interview(cast))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_code) == (DeliveryStatus.RETRYING, 302)
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_old_deliveries_are_purged(cast, receiver, django_capture_on_commit_callbacks):
    subscribe(cast, receiver.url)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        admit(cast, interview(cast))
    # The retention rule « webhook_deliveries »: one month after the sending, or what the network set.
    assert services.deliveries_purge(now=NOW + dt.timedelta(days=31)) == 0  # 5 November: one month
    RetentionSetting.objects.create(network=cast.network, key="webhook_deliveries", months=3)
    assert services.deliveries_purge(now=NOW + dt.timedelta(days=32)) == 0
    RetentionSetting.objects.all().delete()
    assert services.deliveries_purge(now=NOW + dt.timedelta(days=32)) == 1  # 6 November


@pytest.mark.django_db
def test_a_subscription_deleted_during_an_attempt_leaves_no_error(
    cast, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    subscription, _ = subscribe(cast, receiver.url)

    def post_then_delete(url, body, headers):
        services.subscription_delete(subscription=subscription, by=cast.prescriber)
        return transport.Response(500, "")

    monkeypatch.setattr(transport, "post", post_then_delete)
    with django_capture_on_commit_callbacks(execute=True):
        admit(cast, interview(cast))
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_with_the_database_queue_the_retry_is_a_task_deferred_to_its_time(
    cast, receiver, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    subscribe(cast, receiver.url)
    receiver.answers = [500]
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        admit(cast, interview(cast))
    delivery = Delivery.objects.get()
    deliveries = DBTaskResult.objects.filter(task_path__endswith="webhooks.tasks.deliver")
    first = deliveries.get()  # queued for a worker, not sent yet (beside the prescriber's e-mail)
    assert first.args_kwargs["args"] == [delivery.pk] and receiver.requests == []
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.delivery_attempt(delivery.pk) == DeliveryStatus.RETRYING
    retry = deliveries.exclude(pk=first.pk).get()
    assert retry.args_kwargs["args"] == [delivery.pk]
    assert retry.run_after == NOW + dt.timedelta(minutes=1)
