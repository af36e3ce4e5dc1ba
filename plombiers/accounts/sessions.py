"""How long a session lasts: short for the people who read personal data on shared school
computers, long for the young people on their own phones.

Two limits per policy (settings.PLOMBIERS_SESSION_TIMEOUTS): *idle* — the time since the last
request — and *absolute* — the time since the login. Staff (every role but learner): 2 hours idle,
12 hours absolute; learners: 30 days idle, 90 days absolute.

The stamps are written at login (`session_start`, on Django's `user_logged_in` signal: every way
of logging in gets them) and checked on each request by `SessionTimeoutMiddleware`. The last-seen
stamp is written at most once a minute, so that a page does not save the session each time. A
logged-in session without stamps is one opened before these rules: it ends at its next request.
"""

import time

from django.conf import settings

from .enums import Role

SESSION_KEY = "plombiers_session"
# Seconds between two writes of the last-seen stamp.
TOUCH_EVERY = 60


def policy_for(user) -> str:
    """ "learner" for someone whose only roles are learner ones, "staff" for everyone else."""
    if user.is_staff or user.is_superuser:
        return "staff"
    roles = set(user.memberships.values_list("role", flat=True))
    return "learner" if roles and roles <= {Role.LEARNER} else "staff"


def session_start(request, user) -> None:
    now = time.time()
    request.session[SESSION_KEY] = {"policy": policy_for(user), "auth_at": now, "seen_at": now}


def expiry(request, now: float | None = None) -> str | None:
    """Why the logged-in session of this request is over ("idle", "absolute", "unknown"), or None
    while it holds; refreshes the last-seen stamp when it is time."""
    stamps = request.session.get(SESSION_KEY)
    if not isinstance(stamps, dict):
        return "unknown"
    now = now or time.time()
    limits = settings.PLOMBIERS_SESSION_TIMEOUTS.get(
        stamps.get("policy"), settings.PLOMBIERS_SESSION_TIMEOUTS["staff"]
    )
    if now - stamps.get("auth_at", 0) > limits["absolute"].total_seconds():
        return "absolute"
    if now - stamps.get("seen_at", 0) > limits["idle"].total_seconds():
        return "idle"
    if now - stamps["seen_at"] >= TOUCH_EVERY:
        request.session[SESSION_KEY] = {**stamps, "seen_at": now}
    return None
