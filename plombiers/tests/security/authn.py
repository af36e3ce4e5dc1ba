"""Helpers of the authentication regression tests: a real login, a real second factor."""

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import Client

PASSWORD = "demo-plombiers"
TOKEN_URL = "/api/v1/auth/token"
LOGIN_URL = "/comptes/login/"


def totp_on(user) -> str:
    """Turn on an authenticator app (and its recovery codes) for `user`; return its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_code(secret: str, steps_ago: int = 0) -> str:
    """The code the person's phone shows now (or showed `steps_ago` periods of 30 s ago)."""
    counter = int(time.time()) // app_settings.TOTP_PERIOD - steps_ago
    return format_hotp_value(hotp_value(secret, counter))


def recovery_codes(user) -> list[str]:
    return RecoveryCodes(Authenticator.objects.get(user=user, type="recovery_codes")).get_unused_codes()


def login_form(client: Client, email: str, password: str = PASSWORD, **extra):
    """The login form, as a browser posts it."""
    return client.post(LOGIN_URL, {"login": email, "password": password}, **extra)


def token_request(client: Client, email: str, password: str = PASSWORD, **fields):
    return client.post(
        TOKEN_URL, {"email": email, "password": password, **fields}, content_type="application/json"
    )


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session
