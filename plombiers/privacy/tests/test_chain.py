import datetime as dt
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from plombiers.privacy.models import AppendOnlyError, AuditChainAnchor, AuditEvent
from plombiers.privacy.services import audit_log, audit_prune_before, audit_verify

PARIS = dt.timezone(dt.timedelta(hours=1))


def _three(cast):
    return [
        audit_log(
            actor=cast.manager_a,
            action=f"test.{i}",
            obj=cast.school_a,
            details={"n": i, "on": dt.date(2026, 1, i + 1)},
        )
        for i in range(3)
    ]


def test_each_event_is_chained_to_the_one_before(cast):
    first, second, third = _three(cast)
    assert first.prev_hash == "" and second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert str(audit_verify()) == "chaîne intacte (3 événements)"


def test_bulk_created_events_are_chained_too(cast):
    first = audit_log(actor=cast.manager_a, action="test.first")
    AuditEvent.objects.bulk_create(AuditEvent(action=f"test.bulk.{i}") for i in range(2))
    events = list(AuditEvent.objects.order_by("pk"))
    assert [e.prev_hash for e in events] == ["", first.hash, events[1].hash]
    assert audit_verify().intact


def test_the_orm_refuses_updates_and_deletes(cast):
    event = audit_log(actor=cast.manager_a, action="test.x")
    event.action = "test.y"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="test.y")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get().action == "test.x"


def _raw(sql, params):
    """A write that goes around the ORM, as a person with a database shell would."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _tamper(sql, params):
    if connection.vendor == "postgresql":  # the trigger refuses it: tamper with the trigger off
        _raw("ALTER TABLE privacy_auditevent DISABLE TRIGGER privacy_auditevent_append_only", [])
        _raw(sql, params)
        _raw("ALTER TABLE privacy_auditevent ENABLE TRIGGER privacy_auditevent_append_only", [])
    else:
        _raw(sql, params)


def test_verify_names_the_first_modified_event(cast):
    _first, second, _third = _three(cast)
    _tamper("UPDATE privacy_auditevent SET action = %s WHERE id = %s", ["test.forged", second.pk])
    verdict = audit_verify()
    assert (verdict.broken_at, verdict.count) == (second.pk, 1)
    assert str(verdict) == f"chaîne rompue à l'événement n° {second.pk} : son contenu a été modifié"


def test_verify_names_the_event_after_a_removed_one(cast):
    _first, second, third = _three(cast)
    _tamper("DELETE FROM privacy_auditevent WHERE id = %s", [second.pk])
    verdict = audit_verify()
    assert verdict.broken_at == third.pk and "retiré" in verdict.reason


def test_verify_sees_the_last_events_removed(cast):
    _first, second, third = _three(cast)
    _tamper("DELETE FROM privacy_auditevent WHERE id = %s", [third.pk])
    verdict = audit_verify()
    assert not verdict.intact and verdict.broken_at == second.pk


def test_audit_verify_command(cast, capsys):
    _three(cast)
    call_command("audit", "verify")
    assert capsys.readouterr().out.strip() == "chaîne intacte (3 événements)"
    _tamper(
        "UPDATE privacy_auditevent SET details = %s WHERE id = (SELECT MIN(id) FROM privacy_auditevent)",
        ['{"n": 9}'],
    )
    with pytest.raises(CommandError, match="chaîne rompue à l'événement n° "):
        call_command("audit", "verify")


def test_prune_removes_a_prefix_and_verify_starts_from_the_anchor(cast):
    with time_machine.travel(dt.datetime(2025, 1, 1, 12, tzinfo=PARIS), tick=False):
        old = [audit_log(actor=cast.manager_a, action=f"test.old.{i}") for i in range(2)]
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=PARIS), tick=False):
        kept = audit_log(actor=cast.manager_a, action="test.kept")
    anchor = audit_prune_before(before=dt.datetime(2026, 1, 1, tzinfo=PARIS))
    assert (anchor.count, anchor.last_event_id, anchor.last_hash) == (2, old[1].pk, old[1].hash)
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    after = audit_log(actor=cast.manager_a, action="test.after")
    assert after.prev_hash == kept.hash
    assert str(audit_verify()) == "chaîne intacte (2 événements)"
    assert audit_prune_before(before=dt.datetime(2026, 1, 1, tzinfo=PARIS)) is None


def test_prune_of_everything_keeps_the_chain_going(cast):
    with time_machine.travel(dt.datetime(2025, 1, 1, 12, tzinfo=PARIS), tick=False):
        old = audit_log(actor=cast.manager_a, action="test.old")
    audit_prune_before(before=dt.datetime(2026, 1, 1, tzinfo=PARIS))
    assert not AuditEvent.objects.exists() and AuditChainAnchor.objects.get().last_hash == old.hash
    new = audit_log(actor=cast.manager_a, action="test.new")
    assert new.prev_hash == old.hash and audit_verify().intact


def test_the_trail_keeps_the_ids_of_a_deleted_actor(cast):
    event = audit_log(actor=cast.outsider, action="test.x")
    cast.outsider.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_id == event.actor_id
    assert audit_verify().intact


def test_postgresql_trigger_refuses_raw_update_and_delete(cast):
    event = audit_log(actor=cast.manager_a, action="test.x")
    if connection.vendor != "postgresql":
        assert connection.vendor == "sqlite"  # no trigger there: the model and its queryset guard
        return
    for sql in (
        "UPDATE privacy_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM privacy_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.x"


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain(cast):
    writers, each = 4, 5
    start = threading.Barrier(writers)
    errors = []

    def write(n):
        try:
            start.wait()
            for i in range(each):
                audit_log(actor=None, action=f"test.{n}.{i}")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert str(audit_verify()) == f"chaîne intacte ({writers * each} événements)"
    assert AuditEvent.objects.values("prev_hash").distinct().count() == writers * each
