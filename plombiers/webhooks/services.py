"""The webhooks' writes: subscriptions, the deliveries an event makes, each attempt and its backoff."""

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from plombiers.accounts.models import User
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Network, Organisation
from plombiers.privacy.retention import months_before, months_for
from plombiers.privacy.services import audit_log

from . import payloads, permissions, signing, tasks, transport
from .enums import RECORD_EVENTS, DeliveryStatus, WebhookEvent
from .models import Delivery, Subscription

logger = logging.getLogger(__name__)

#: The waits after the 1st, 2nd… failed attempt; after the last one, the delivery has failed.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# While an attempt runs, the delivery is claimed for this long (more than the timeout): a second
# worker given the same delivery finds it not yet due and sends nothing.
CLAIM = dt.timedelta(seconds=transport.TIMEOUT_SECONDS * 6)
#: Deliveries (and the personal data of their bodies) are kept this long, then purged each night.


# --- subscriptions --------------------------------------------------------------------------------


def _clean_events(events, organisation: Organisation) -> list[str]:
    chosen = [event for event in WebhookEvent.values if event in set(events or ())]
    if not chosen or len(chosen) != len(set(events)):
        raise ValidationError({"events": "Choisissez au moins un événement dans la liste."})
    if organisation.kind == OrganisationKind.FUNDER and set(chosen) & set(RECORD_EVENTS):
        raise ValidationError(
            {
                "events": "Un financeur ne voit aucun parcours individuel : il ne peut recevoir que "
                "« Indicateurs mis à jour »."
            }
        )
    if organisation.kind != OrganisationKind.FUNDER and WebhookEvent.IMPACT_UPDATED in chosen:
        raise ValidationError(
            {"events": "« Indicateurs mis à jour » est réservé aux financeurs, qui ont un tableau de bord."}
        )
    return chosen


@transaction.atomic
def subscription_create(
    *, organisation: Organisation, url: str, events: list[str], by: User, description: str = ""
) -> tuple[Subscription, str]:
    """A new subscription and its secret, returned once (to show once: it is never given back)."""
    if not permissions.subscribable_organisations(by).filter(pk=organisation.pk).exists():
        raise PermissionDenied("Vous ne pouvez pas abonner cette organisation aux webhooks.")
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationError({"url": "L'adresse est trop longue (500 caractères au plus)."})
    transport.check_url(url)
    description = (description or "").strip().replace("\x00", "")[:200]
    secret = signing.new_secret()
    subscription = Subscription.objects.create(
        organisation=organisation,
        url=url,
        events=_clean_events(events, organisation),
        description=description,
        secret=secret,
        created_by=by,
    )
    audit_log(
        actor=by,
        action="webhook.subscribe",
        obj=subscription,
        details={"organisation": organisation.pk, "events": subscription.events},
    )
    return subscription, secret


@transaction.atomic
def subscription_delete(*, subscription: Subscription, by: User) -> None:
    audit_log(
        actor=by,
        action="webhook.unsubscribe",
        obj=subscription,
        details={"organisation": subscription.organisation_id, "url": subscription.url},
    )
    subscription.delete()


# --- deliveries -----------------------------------------------------------------------------------


def _enqueue(delivery_ids: list[int]) -> None:
    for pk in delivery_ids:
        tasks.deliver.enqueue(pk)


@transaction.atomic
def deliveries_create(*, event: str, instance) -> list[Delivery]:
    """One delivery per active subscription to `event` whose organisation may read `instance` through
    the API, the body built as the API shows it to them; sent by the task queue after the commit."""
    kind = payloads.KINDS[WebhookEvent(event)]
    subscriptions = Subscription.objects.active().filter(
        organisation__network__schools=kind.school_id(instance)
    )
    now = timezone.now()
    deliveries = []
    for subscription in subscriptions.select_related("organisation"):
        if event not in subscription.events:
            continue
        data = payloads.data_for(event, instance, subscription.organisation)
        if data is None:
            continue
        deliveries.append(_delivery(subscription, event, data, now))
    ids = [delivery.pk for delivery in deliveries]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return deliveries


def _delivery(subscription: Subscription, event: str, data: dict, now: dt.datetime) -> Delivery:
    delivery = Delivery(subscription=subscription, event=event, next_attempt_at=now)
    delivery.payload = {"id": str(delivery.event_id), "type": event, "created": now.isoformat(), "data": data}
    delivery.save()
    return delivery


@transaction.atomic
def impact_deliveries_create(now: dt.datetime | None = None) -> int:
    """`impact.updated`, each night after the rollup: to each subscribed funder whose figures changed
    since the last body sent, the body of `GET /impact` as a member of the funder reads it (their
    dashboard's scope by school, statistical secrecy applied) — aggregates only, never a record."""
    now = now or timezone.now()
    subscriptions = (
        Subscription.objects.active()
        .filter(organisation__kind=OrganisationKind.FUNDER)
        .select_related("organisation")
        .order_by("pk")
    )
    ids = []
    for subscription in subscriptions:
        if WebhookEvent.IMPACT_UPDATED not in subscription.events:
            continue
        data = payloads.impact_for(subscription.organisation)
        if data is None:
            continue
        # The figures, not when they were consolidated (which changes each night).
        digest = signing.digest({key: value for key, value in data.items() if key != "consolidated_at"})
        if digest == subscription.impact_digest:
            continue
        ids.append(_delivery(subscription, WebhookEvent.IMPACT_UPDATED, data, now).pk)
        Subscription.objects.filter(pk=subscription.pk).update(impact_digest=digest)
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return len(ids)


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery, by: User) -> Delivery:
    """« Renvoyer »: the same event (same `id`, same body) sent again as a new delivery."""
    if not delivery.subscription.active:
        raise ValidationError("Cet abonnement est désactivé : rien n'est renvoyé.")
    again = Delivery.objects.create(
        subscription=delivery.subscription,
        event=delivery.event,
        event_id=delivery.event_id,
        payload=delivery.payload,
        next_attempt_at=timezone.now(),
    )
    audit_log(actor=by, action="webhook.redeliver", obj=again, details={"of": delivery.pk})
    transaction.on_commit(lambda: _enqueue([again.pk]))
    return again


def delivery_attempt(delivery_id: int) -> str:
    """Send a due delivery once and record the answer: 2xx is delivered; anything else waits the
    next step of `BACKOFF`, then fails. Returns the new status (or "" when it was not due)."""
    now = timezone.now()
    claimed = (
        Delivery.objects.open()
        .filter(pk=delivery_id, next_attempt_at__lte=now, subscription__active=True)
        .update(next_attempt_at=now + CLAIM)
    )
    if not claimed:
        return ""
    delivery = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    body = signing.encode(delivery.payload)
    timestamp = int(now.timestamp())
    headers = {
        "User-Agent": "Plombiers-Webhooks/1",
        "Plombiers-Event": delivery.event,
        "Plombiers-Delivery": str(delivery.uuid),
        "Plombiers-Signature": signing.sign(delivery.subscription.secret, body, timestamp),
    }
    response = transport.post(delivery.subscription.url, body, headers)
    return _record(delivery, response, now)


RECORDED = (
    "attempts",
    "last_attempt_at",
    "response_code",
    "response_excerpt",
    "status",
    "delivered_at",
    "next_attempt_at",
)


@transaction.atomic
def _record(delivery: Delivery, response: transport.Response, now: dt.datetime) -> str:
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_code = response.code
    delivery.response_excerpt = response.excerpt
    if response.code is not None and 200 <= response.code < 300:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
        _schedule(delivery.pk, delivery.next_attempt_at)
    # An update, not a save: a subscription deleted meanwhile took its deliveries away.
    Delivery.objects.filter(pk=delivery.pk).update(**{field: getattr(delivery, field) for field in RECORDED})
    return delivery.status


def _schedule(delivery_id: int, when: dt.datetime) -> None:
    """The task queue runs the next attempt when it is due; a queue that cannot wait (the immediate
    backend of the tests) leaves it to `deliveries_retry_due`."""
    if tasks.deliver.get_backend().supports_defer:
        transaction.on_commit(lambda: tasks.deliver.using(run_after=when).enqueue(delivery_id))


def deliveries_retry_due(now: dt.datetime | None = None) -> int:
    """Queue every delivery due and not sent (a lost task, a queue that cannot wait): the safety net
    of the nightly jobs, and what a queue without deferred tasks runs."""
    now = now or timezone.now()
    ids = list(
        Delivery.objects.open()
        .filter(next_attempt_at__lte=now, subscription__active=True)
        .values_list("pk", flat=True)
    )
    _enqueue(ids)
    return len(ids)


def deliveries_purge(now: dt.datetime | None = None) -> int:
    """Forget the deliveries older than the retention rule « webhook_deliveries » of their network
    (one month unless the network set its own): their bodies carry personal data."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    count = 0
    done = Delivery.objects.exclude(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING])
    for network in Network.objects.all():
        since = months_before(today, months_for(network, "webhook_deliveries"))
        deleted, _ = done.filter(
            subscription__organisation__network=network, created_at__date__lt=since
        ).delete()
        count += deleted
    return count
