"""Memoised JSON-LD context processing for pyld.

pyld caches a processed context per active context, keyed by the active context's `_uuid`. But a
type-scoped context (the Open Badges context has one for each of Achievement, Alignment, Profile,
Evidence…) is processed against a fresh clone of the active context, with a fresh `_uuid`: so it
is processed again for every node of every document, which is half the canonicalisation time.

Here the result of processing a given context on a given active context is kept, keyed by the
active context's `_uuid` and the identity of the local context (pinned contexts are cached
objects that live as long as the process). Processed active contexts are never mutated by pyld
once built (it clones them to change them), so sharing them is safe; the official test vector,
and every credential the tests sign, give the same canonical N-Quads with and without it."""

import threading
import uuid

from pyld.jsonld import JsonLdProcessor

_original = JsonLdProcessor._process_context
_memo: dict[tuple, tuple] = {}
_lock = threading.Lock()
MAX_ENTRIES = 20_000


def _context_key(local_ctx):
    if isinstance(local_ctx, str):
        return local_ctx
    if isinstance(local_ctx, list):
        # URLs by value, embedded contexts by identity (the strict expansion adds the same object
        # to every document's list: see `proof.expand_strictly`)
        return tuple(c if isinstance(c, str) else ("id", id(c)) for c in local_ctx)
    return ("id", id(local_ctx))


def _process_context(
    self,
    active_ctx,
    local_ctx,
    options,
    override_protected=False,
    propagate=True,
    validate_scoped=True,
    cycles=None,
):
    active_id = (
        active_ctx.get("_uuid") if isinstance(active_ctx, dict) or hasattr(active_ctx, "get") else None
    )
    if active_id is None or cycles:
        return _original(
            self, active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
    key = (
        active_id,
        _context_key(local_ctx),
        override_protected,
        propagate,
        validate_scoped,
        id(options.get("documentLoader")),
    )
    hit = _memo.get(key)
    if hit is not None:
        return hit[0]
    result = _original(
        self, active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
    )
    if isinstance(result, dict) and "_uuid" not in result:
        result["_uuid"] = str(uuid.uuid1())
    with _lock:
        if len(_memo) >= MAX_ENTRIES:
            _memo.clear()
        # Keep the local context and the active context alive: their ids are part of the key.
        _memo[key] = (result, local_ctx, active_ctx)
    return result


def install() -> None:
    JsonLdProcessor._process_context = _process_context


def uninstall() -> None:
    JsonLdProcessor._process_context = _original
