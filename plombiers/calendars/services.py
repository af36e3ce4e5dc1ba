"""The writes of the calendar feeds: create (which revokes the previous address of the same
target), revoke, and what a read records (its time, the events' revisions)."""

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from plombiers.privacy.services import audit_log

from .enums import FeedKind
from .models import CalendarFeed, EventRevision
from .permissions import can_subscribe_cohort, can_subscribe_learner
from .selectors import Event


@transaction.atomic
def feed_create(*, by, kind: str, cohort=None) -> tuple[CalendarFeed, str]:
    """A new secret address for `by`, returned with its raw secret, shown once and never stored.
    The address they had for the same target stops working. `cohort` must be one `by` sees (the
    view fetched it through `visible_to`)."""
    if kind == FeedKind.COHORT:
        if cohort is None or not can_subscribe_cohort(by, cohort):
            raise PermissionDenied("L'agenda d'une promotion est réservé à l'équipe de son école.")
    elif kind == FeedKind.LEARNER:
        cohort = None
        if not can_subscribe_learner(by):
            raise PermissionDenied("Cet agenda est celui d'un ou d'une jeune en formation.")
    else:
        raise ValidationError("Agenda inconnu.", code="kind")
    now = timezone.now()
    previous = CalendarFeed.objects.active().filter(owner=by, kind=kind, cohort=cohort)
    revoked = previous.update(revoked_at=now)
    raw, key_hash = CalendarFeed.new_raw()
    feed = CalendarFeed.objects.create(owner=by, kind=kind, cohort=cohort, key_hash=key_hash)
    audit_log(
        actor=by,
        action="calendar_feed.create",
        obj=feed,
        school=cohort.school if cohort else None,
        details={"kind": kind, "cohort": cohort.pk if cohort else None, "revoked": revoked},
    )
    return feed, raw


@transaction.atomic
def feed_revoke(*, feed: CalendarFeed, by) -> CalendarFeed:
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_log(
            actor=by,
            action="calendar_feed.revoke",
            obj=feed,
            school=feed.cohort.school if feed.cohort_id else None,
            details={"kind": feed.kind},
        )
    return feed


def feed_read_record(feed: CalendarFeed) -> None:
    """When the feed was last read: one UPDATE."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())


def _digest(event: Event) -> str:
    said = [event.summary, str(event.start), str(event.end), event.location, event.description]
    return hashlib.sha256(json.dumps(said).encode()).hexdigest()


@transaction.atomic
def event_revisions_record(events: dict[str, Event]) -> dict[str, EventRevision]:
    """The revision of each event (by UID), numbered again where what it says changed. One query,
    and one more for each kind of write there is (new events, changed events)."""
    now = timezone.now()
    known = {r.uid: r for r in EventRevision.objects.filter(uid__in=list(events))}
    new, changed = [], []
    for uid, event in events.items():
        digest = _digest(event)
        revision = known.get(uid)
        if revision is None:
            revision = known[uid] = EventRevision(uid=uid, digest=digest, sequence=0, changed_at=now)
            new.append(revision)
        elif revision.digest != digest:
            revision.digest, revision.sequence, revision.changed_at = digest, revision.sequence + 1, now
            changed.append(revision)
    if new:
        # Two feeds read at once may both add an event: the second one's row is the same.
        EventRevision.objects.bulk_create(new, ignore_conflicts=True)
    if changed:
        EventRevision.objects.bulk_update(changed, ["digest", "sequence", "changed_at"])
    return known
