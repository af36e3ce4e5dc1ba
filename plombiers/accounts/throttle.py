"""The login throttle: one rule for every way in.

The login form, the admin (whose login is that same form), the second-factor step, the
reauthentication before a sensitive change, and `POST /api/v1/auth/token` all go through `check`
before a password or a code is looked at, and through `record_failure` / `record_success` after.
Failures on one count on the others.

Why not allauth's own limit: it keeps its counters in the cache (here the database cache) behind a
lock taken with `cache.add`; a login that cannot take the lock within a second is treated as
limited, so under 50 logins at once correct passwords got 429 (issue 16, point 15). Here an attempt
is a row appended to `LoginAttempt` (an INSERT, never an UPDATE of a shared counter: nothing to lock,
nothing to refuse under contention), and a decision is a few counts over indexed windows.

What is counted, per *account* (an HMAC of the normalised e-mail typed, whether an account has it or
not) and per *address* (the client's IP, as allauth reads it: `ALLAUTH_TRUSTED_PROXY_COUNT` behind a
proxy; an IPv6 /64 counts as one address):
- a failure: a wrong password, an unknown e-mail, a wrong second-factor code;
- a success: a complete login (the password and, when the account has one, the second factor);
- a reset: the password was reset through the e-mailed link (guesses at the old one no longer count).

The rules, over a sliding window (15 minutes by default), decided before anything is checked:
1. **The pair** (account, address) with 5 failures since its last success or the account's last
   reset is refused: the ordinary brute force, one account from one place.
2. **An address** with 30 failures is refused for the accounts it has been failing on (a pair with at
   least one failure in the window). A school behind one NAT keeps logging in: a trainer whose
   password is right is never refused because a neighbour, or an attacker on the same network, keeps
   failing on other accounts. Unknown e-mails are treated like accounts: refusing them alone would
   tell an attacker which e-mails have an account.
3. **Spraying and spreading**: an address with 100 failures (one password tried over many accounts),
   or an account with 20 failures from anywhere (guesses spread over many addresses), is refused
   except from the addresses where that account logged in successfully in the last 30 days. Under
   such an attack people still log in from the places they use; a first login from a new place
   waits for the window to pass (or for a password reset).

Refused attempts are not counted: a lock ends one window after the last counted failure instead of
being extended for ever by the attacker, and the table stays bounded. Attempts checked at the same
instant may each pass before the others are counted, so a limit can be overshot by the number of
requests in flight — the price of taking no lock, and small beside the limits.

The limits are `settings.PLOMBIERS_LOGIN_THROTTLE`. Failures are kept one day and successes 30 days
(rule 3 needs them); older rows are deleted whenever a success is recorded.
"""

import datetime as dt
import functools
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .enums import LoginOutcome
from .models import LoginAttempt

THROTTLED_MESSAGE = (
    "Trop de tentatives de connexion infructueuses pour ce compte depuis cet endroit. "
    "Réessayez dans {minutes} minutes, ou réinitialisez votre mot de passe."
)


class LoginThrottled(ValidationError):
    """Refused before the password was looked at; `retry_after` in seconds (an upper bound)."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        minutes = max(1, round(retry_after / 60))
        super().__init__(THROTTLED_MESSAGE.format(minutes=minutes), code="too_many_login_attempts")


@dataclass(frozen=True)
class Limits:
    window: dt.timedelta
    pair: int
    address: int
    address_spray: int
    account: int
    known_days: int

    @classmethod
    def from_settings(cls) -> "Limits":
        conf = settings.PLOMBIERS_LOGIN_THROTTLE
        return cls(
            window=dt.timedelta(minutes=conf["window_minutes"]),
            pair=conf["pair_failures"],
            address=conf["address_failures"],
            address_spray=conf["address_spray_failures"],
            account=conf["account_failures"],
            known_days=conf["known_address_days"],
        )


def account_key(login: str) -> str:
    """The account as the throttle knows it: the e-mail typed, normalised, under an HMAC."""
    return salted_hmac("plombiers.accounts.throttle", (login or "").strip().lower()).hexdigest()


def client_address(request) -> str:
    from allauth.account.adapter import get_adapter

    raw = get_adapter(request).get_client_ip(request)
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:45]
    if address.version == 6:
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)


def _pair_known(key: str, address: str, *, now, limits: Limits) -> bool:
    since = now - dt.timedelta(days=limits.known_days)
    return LoginAttempt.objects.filter(
        account_key=key, address=address, outcome=LoginOutcome.SUCCESS, created_at__gt=since
    ).exists()


def refusal(*, key: str, address: str, now=None, limits: Limits | None = None) -> str | None:
    """Which rule refuses an attempt on `key` from `address` now, if one does ("pair", "address",
    "spray", "account"); None when the attempt may go on. Two queries, a third under attack."""
    now = now or timezone.now()
    limits = limits or Limits.from_settings()
    since = now - limits.window
    # What clears the account's failures: its last success from this address, its last reset.
    marks = (
        LoginAttempt.objects.filter(account_key=key)
        .in_window(since)
        .aggregate(
            success_here=Max("created_at", filter=Q(address=address, outcome=LoginOutcome.SUCCESS)),
            reset=Max("created_at", filter=Q(outcome=LoginOutcome.RESET)),
        )
    )
    last_success_here, last_reset = marks["success_here"], marks["reset"]
    cleared = max(t for t in (since, last_success_here, last_reset) if t is not None)
    counts = (
        LoginAttempt.objects.filter(Q(account_key=key) | Q(address=address), outcome=LoginOutcome.FAILURE)
        .in_window(since)
        .aggregate(
            pair=Count("pk", filter=Q(account_key=key, address=address, created_at__gt=cleared)),
            account=Count("pk", filter=Q(account_key=key, created_at__gt=max(since, last_reset or since))),
            address=Count("pk", filter=Q(address=address)),
        )
    )
    if counts["pair"] >= limits.pair:
        return "pair"
    if counts["address"] >= limits.address and counts["pair"] >= 1:
        return "address"
    under_attack = counts["address"] >= limits.address_spray or counts["account"] >= limits.account
    if under_attack and not _pair_known(key, address, now=now, limits=limits):
        return "spray" if counts["address"] >= limits.address_spray else "account"
    return None


def check(request, *, login: str) -> None:
    """Raise `LoginThrottled` when an attempt on `login` from this request's address is refused.

    The request is marked (`request.login_throttled`) so that the page answers 429."""
    limits = Limits.from_settings()
    rule = refusal(key=account_key(login), address=client_address(request), limits=limits)
    if rule is not None:
        request.login_throttled = True
        raise LoginThrottled(retry_after=int(limits.window.total_seconds()))


def _channel(request, channel: str | None) -> str:
    if channel:
        return channel
    return "api" if request.path_info.startswith("/api/") else "form"


def record_failure(request, *, login: str, channel: str | None = None) -> None:
    LoginAttempt.objects.create(
        account_key=account_key(login),
        address=client_address(request),
        outcome=LoginOutcome.FAILURE,
        channel=_channel(request, channel),
    )


def record_success(request, *, login: str, channel: str | None = None) -> None:
    LoginAttempt.objects.create(
        account_key=account_key(login),
        address=client_address(request),
        outcome=LoginOutcome.SUCCESS,
        channel=_channel(request, channel),
    )
    purge()


def record_reset(request, *, login: str) -> None:
    LoginAttempt.objects.create(
        account_key=account_key(login),
        address=client_address(request),
        outcome=LoginOutcome.RESET,
        channel="reset",
    )


def purge(now=None) -> int:
    """Delete what no rule reads any more: failures after a day, the rest after the known-address
    period. An indexed range delete, usually of nothing."""
    now = now or timezone.now()
    limits = Limits.from_settings()
    deleted, _ = LoginAttempt.objects.filter(
        Q(outcome=LoginOutcome.FAILURE, created_at__lt=now - max(limits.window, dt.timedelta(days=1)))
        | Q(created_at__lt=now - dt.timedelta(days=limits.known_days))
    ).delete()
    return deleted


def status_429(view):
    """Wrap a login page (allauth's login form, its second-factor step): when the throttle refused
    the attempt, the page shows the form with its French message and answers 429."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if getattr(request, "login_throttled", False) and response.status_code == 200:
            response.status_code = 429
            response["Retry-After"] = str(int(Limits.from_settings().window.total_seconds()))
        return response

    return wrapper
