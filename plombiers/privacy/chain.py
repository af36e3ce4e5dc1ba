"""The audit trail as a hash chain.

Every `AuditEvent` carries the hash of the one before it (`prev_hash`) and its own `hash`, the
SHA-256 of its canonical JSON (its fields and `prev_hash`, keys sorted, no spaces). Changing,
inserting or removing one event in the middle breaks the link to the next one, and
`plombiers audit verify` names the first broken link.

Two writers must not both append after the same event (the chain would fork): appending takes the
lock on the single `AuditChainHead` row (SELECT … FOR UPDATE on PostgreSQL; SQLite transactions
begin IMMEDIATE, so the writer already holds the database's write lock), reads the last hash,
inserts, and moves the head, all in the caller's transaction.

The only sanctioned deletion is `prune_before(date)` (the retention purge): it removes a *prefix*
of the chain and records, in an `AuditChainAnchor`, the hash of the last event it removed; the
verification starts from that anchor. On PostgreSQL a trigger refuses every UPDATE and DELETE of an
audit event unless the transaction has set `plombiers.audit_prune = 'on'`, which only
`prune_before` does.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS = ""


def canonical_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """`details` as the database gives it back (dates as strings…), so that the hash computed
    before the insert is the hash recomputed after a read."""
    return json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder))


def event_hash(
    *,
    prev_hash: str,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    school_id: int | None,
    created_at: dt.datetime,
    details: dict[str, Any],
) -> str:
    payload = {
        "prev_hash": prev_hash,
        "actor": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "school": school_id,
        "created_at": created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "details": details,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def hash_of(event) -> str:
    """The hash an event (a model instance or a historical one in a migration) should carry."""
    return event_hash(
        prev_hash=event.prev_hash,
        actor_id=event.actor_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        school_id=event.school_id,
        created_at=event.created_at,
        details=event.details,
    )


@dataclass(frozen=True)
class Verdict:
    count: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    def __str__(self) -> str:
        if self.intact:
            return f"chaîne intacte ({self.count} événements)"
        return f"chaîne rompue à l'événement n° {self.broken_at} : {self.reason}"
