"""Rows derived from the records, written in the same transaction as the records they derive from.

An app above (impact: the rollup of its indicators) keeps rows computed from the records of apps
below it. A write notes what it changed with `mark(kind, ids)` — a kind of key (« school »,
« cohort », « enrolment »…) and primary keys — and the owner of the derived rows, registered once
with `register(flush)`, recomputes them from those keys **before the transaction commits**, inside
it: the records and what is derived from them commit together or not at all, and another
connection never sees one without the other.

Django sends signals after a write and runs `transaction.on_commit` hooks after the commit, but has
no hook *before* a commit. So the first mark on a connection wraps that connection's `commit`
(the method `transaction.atomic` calls when its outermost block exits): the wrapper flushes what is
pending, then commits. Why not recompute at each write: a service writes several records (an exit
and its four follow-ups, a sheet of twelve marks), and a loader thousands; keys are cheap to note
and the work is done once per transaction, for every key noted in it. Why not at the end of each
service (a decorator): services live in the apps below and the rollup above them, and a write made
outside a service (the admin, a shell, a factory) would be missed.

- Outside a transaction (autocommit), the write has already committed when it is marked: the flush
  runs at once, in its own transaction.
- Inside one that is never committed by this code — a test's transaction — the reader calls
  `flush()` before reading derived rows: a transaction always reads its own writes.
- `paused()` ignores marks (a loader that recomputes everything afterwards).
- A rolled-back transaction leaves its marks behind, to be flushed with the next commit: recomputing
  from the records is right whatever they are, only a little wasted.
"""

import contextlib
import threading
from collections.abc import Callable, Iterable

from django.db import DEFAULT_DB_ALIAS, connections, transaction

_flushers: list[Callable[[dict[str, set], str], None]] = []
_local = threading.local()


def register(flush: Callable[[dict[str, set], str], None]) -> None:
    """`flush(keys, using)` recomputes what derives from `keys` ({kind: {pk, …}}) on `using`."""
    if flush not in _flushers:
        _flushers.append(flush)


def _state(connection) -> dict[str, set]:
    state = getattr(connection, "_derived_pending", None)
    if state is None:
        state = connection._derived_pending = {}
    return state


def pending(using: str = DEFAULT_DB_ALIAS) -> dict[str, set]:
    """The keys marked on `using` and not flushed yet (a copy)."""
    return {kind: set(ids) for kind, ids in _state(connections[using]).items()}


def mark(kind: str, ids: Iterable, using: str | None = None) -> None:
    """Note that records keyed `kind` with these primary keys changed (None ids are left out)."""
    if getattr(_local, "paused", 0):
        return
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return
    connection = connections[using or DEFAULT_DB_ALIAS]
    _state(connection).setdefault(kind, set()).update(ids)
    _install(connection)
    if connection.get_autocommit() and not connection.in_atomic_block:
        flush(connection.alias)


def flush(using: str = DEFAULT_DB_ALIAS) -> None:
    """Recompute now, on `using`, what derives from every key pending there."""
    connection = connections[using]
    keys = _state(connection)
    if not keys:
        return
    connection._derived_pending = {}
    try:
        with transaction.atomic(using=using):
            for flusher in _flushers:
                flusher(keys, using)
    except BaseException:
        # Kept for the next try: the records they stand for may still commit elsewhere.
        for kind, ids in keys.items():
            _state(connection).setdefault(kind, set()).update(ids)
        raise


def forget(using: str = DEFAULT_DB_ALIAS) -> None:
    """Drop every pending key (everything has just been recomputed)."""
    connections[using]._derived_pending = {}


@contextlib.contextmanager
def paused():
    """Marks are ignored inside (this thread): for loaders that recompute everything afterwards."""
    _local.paused = getattr(_local, "paused", 0) + 1
    try:
        yield
    finally:
        _local.paused -= 1


def _install(connection) -> None:
    """Wrap this connection's `commit` (once) so that it flushes first."""
    if getattr(connection, "_derived_installed", False):
        return
    commit = connection.commit

    def commit_after_flush():
        if _state(connection):
            try:
                flush(connection.alias)
            except BaseException:
                # Nothing of this transaction commits without what derives from it.
                connection.rollback()
                raise
        commit()

    connection.commit = commit_after_flush
    connection._derived_installed = True
