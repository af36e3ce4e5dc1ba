"""W3C Bitstring Status List v1.0: one signed list per school, bit i = 1 when the credential at
position i is revoked. Bit 0 is the left-most bit of the first byte."""

import base64
import datetime as dt
import gzip
import json

from .models import STATUS_LIST_SIZE
from .standards import VC_V2_CONTEXT
from .urls_public import issuer_url, status_list_url


def encode(revoked: set[int], size: int = STATUS_LIST_SIZE) -> str:
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList: multibase base64url attendu (préfixe « u »)")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise IndexError(index)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def build(school_slug: str, revoked: set[int], at: dt.datetime) -> dict:
    url = status_list_url(school_slug)
    return {
        "@context": [VC_V2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url(school_slug),
        "validFrom": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode(revoked),
        },
    }


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
