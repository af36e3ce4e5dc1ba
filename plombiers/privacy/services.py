import datetime as dt
from typing import Any

from django.db import connection, models, transaction

from .chain import GENESIS, Verdict, hash_of
from .models import AuditChainAnchor, AuditChainHead, AuditEvent, _pruning, chain_head_lock


def audit_log(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    school=None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one audit event; every important write and every confidential read calls this.

    `school` defaults to the object's own school when it has one, so that the
    school manager finds the event in their school's trail.
    """
    if school is None and obj is not None:
        school = obj if obj._meta.label == "network.School" else getattr(obj, "school", None)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        school=school,
        details=details or {},
    )


@transaction.atomic
def audit_prune_before(*, before: dt.datetime) -> AuditChainAnchor | None:
    """Delete the audit events older than `before` — the only sanctioned deletion (the retention
    purge calls it). What goes is a prefix of the chain: every event before the first one kept, so
    that the rest still links; the hash of the last event removed becomes the new anchor, from which
    `audit_verify` starts. None when there is nothing to remove."""
    head = chain_head_lock()
    first_kept = (
        AuditEvent.objects.filter(created_at__gte=before).order_by("pk").values("pk", "prev_hash").first()
    )
    doomed = AuditEvent.objects.filter(pk__lt=first_kept["pk"]) if first_kept else AuditEvent.objects.all()
    last = doomed.order_by("-pk").values("pk", "hash").first()
    if last is None:
        return None
    count = doomed.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plombiers.audit_prune = 'on'")
    token = _pruning.set(True)
    try:
        doomed.delete()
    finally:
        _pruning.reset(token)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL plombiers.audit_prune = 'off'")
    anchor_hash = first_kept["prev_hash"] if first_kept else head.last_hash
    return AuditChainAnchor.objects.create(
        pruned_before=before, last_event_id=last["pk"], last_hash=anchor_hash, count=count
    )


def audit_verify(*, chunk_size: int = 2000) -> Verdict:
    """Walk the chain from the last anchor (or the start) and report the first broken link:
    an event whose content no longer gives its hash, or that does not follow the one before it."""
    anchor = AuditChainAnchor.objects.order_by("-pk").first()
    expected = anchor.last_hash if anchor else GENESIS
    count, last_pk = 0, None
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=chunk_size):
        if event.prev_hash != expected:
            reason = "elle ne suit pas l'événement précédent (un événement a été retiré ou inséré)"
            return Verdict(count=count, broken_at=event.pk, reason=reason)
        if hash_of(event) != event.hash:
            return Verdict(count=count, broken_at=event.pk, reason="son contenu a été modifié")
        expected, last_pk = event.hash, event.pk
        count += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash and head.last_hash != expected:
        return Verdict(
            count=count, broken_at=last_pk or 0, reason="les événements qui le suivaient ont été retirés"
        )
    return Verdict(count=count)
