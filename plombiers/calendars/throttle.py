"""The feed's throttle: a calendar application reads a feed every hour or so; an address asking
far more often (or guessing secrets) is answered 429 for the rest of the window. Counted per client
address in the shared cache (the database: every process sees the same count)."""

import time

from django.conf import settings
from django.core.cache import cache

from plombiers.accounts.throttle import client_address

# Reads per address and per window (seconds); `PLOMBIERS_CALENDAR_FEED_THROTTLE` overrides it.
DEFAULT_LIMIT = (120, 600)


def limit() -> tuple[int, int]:
    return getattr(settings, "PLOMBIERS_CALENDAR_FEED_THROTTLE", DEFAULT_LIMIT)


def allow(request) -> bool:
    """Count this read; False once the address is over the limit of the current window."""
    reads, window = limit()
    bucket = int(time.time() // window)
    key = f"calendars:feed:{client_address(request)}:{bucket}"
    # A read and a write (not `incr`, which would put back the default timeout); two reads at the
    # same instant may count once: a limit overshot by the requests in flight, taking no lock.
    count = cache.get(key, 0) + 1
    cache.set(key, count, timeout=window)
    return count <= reads
