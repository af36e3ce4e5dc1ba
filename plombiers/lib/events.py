"""The events of the path that a higher app may listen to (the webhooks), without the app that
announces them knowing who listens: Django signals, in the base layer.

A service announces an event with one line, `events.announce(events.referral_decided, referral)`:
the signal is sent once the transaction commits (`transaction.on_commit`), so that a rolled-back
write announces nothing. Receivers are called with `instance=` (the object, as saved) and run with
`send_robust`: a listener that fails never fails the write that already committed.

Inside `with events.silenced():` nothing is announced: an import of a school's history records
years-old decisions and exits, which partners must not receive as news (they read them by the API)."""

import contextlib
import contextvars
import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

#: A referral received a decision (admitted, waiting list, redirected, refused): `instance` the Referral.
referral_decided = Signal()
#: A young person entered a cohort: `instance` the Enrolment.
enrolment_created = Signal()
#: The situation at exit was recorded: `instance` the Exit.
exit_recorded = Signal()
#: A follow-up (1, 3, 6, 12 months) was answered: `instance` the FollowUp.
followup_recorded = Signal()


_silenced = contextvars.ContextVar("events_silenced", default=False)


@contextlib.contextmanager
def silenced():
    """Announce nothing of what is written inside the block (a history import)."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def announce(signal: Signal, instance) -> None:
    """Send `signal` for `instance` when the current transaction commits (at once outside one)."""
    if _silenced.get():
        return

    def send():
        for receiver, result in signal.send_robust(sender=type(instance), instance=instance):
            if isinstance(result, Exception):
                logger.error("event receiver %r failed", receiver, exc_info=result)

    transaction.on_commit(send)
