"""Kept for the support app's imports and its first migration: encryption at rest now lives in
`plombiers.privacy.crypto` (the base layer), so that every app of the path — referrals and cohorts
included — encrypts its free texts with the same keys and the same `rotate_keys`."""

from plombiers.privacy.crypto import (  # noqa: F401 — re-exported
    EncryptedTextField,
    decrypt,
    encrypt,
    fernet,
    load_keys,
    rotate,
)
