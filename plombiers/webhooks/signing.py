"""The signature of a webhook body, Stripe's way: `Plombiers-Signature: t=<unix>,v1=<hex>` where the
hex is HMAC-SHA256 of `f"{t}.{body}"` keyed by the subscription's secret (docs/api.md, « Webhooks »,
has the receiver's side)."""

import hashlib
import hmac
import json
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 — a prefix, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def encode(payload: dict) -> bytes:
    """The body sent: compact JSON, UTF-8, the keys in a fixed order (the same bytes at each try)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def digest(payload: dict) -> str:
    """SHA-256 of the encoded body: the same figures give the same digest."""
    return hashlib.sha256(encode(payload)).hexdigest()
