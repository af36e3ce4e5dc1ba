"""E-mails sent once per event, whatever happens to the task that sends them.

A task can run twice: its worker died (kill -9, a machine restart) and the task was queued again
(plombiers/operations/worker.py), or the nightly job was run twice. Each e-mail therefore has a
key naming its event (ids and dates, never an address) and a row in `SentEmail`, claimed in a
transaction before sending: a second run finds the row and sends nothing. The claim is committed
before the SMTP conversation (a write lock held during a network call would stop every other
writer on SQLite), so an attempt that dies after sending and before marking leaves the row
« sending »: the next run cannot know whether the message left, and counts it as sent (« never
twice » wins over « at least once »), marking it « uncertain ». A send that fails with an error
gives the claim back, so that running the task again sends it.
"""

import logging
from collections.abc import Callable

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import SentEmail

logger = logging.getLogger(__name__)
State = SentEmail.State


def send_mail_once(
    *,
    key: str,
    subject: str,
    message: str,
    recipient_list: list[str],
    then: Callable[[], object] | None = None,
) -> bool:
    """Send the e-mail of the event `key` unless it was sent (or its sending began) already;
    `then()` runs in the transaction that marks it sent — or that marks an interrupted attempt
    uncertain — e.g. to note the date of a reminder. True when sent now."""
    with transaction.atomic():
        marker, created = SentEmail.objects.select_for_update().get_or_create(
            key=key, defaults={"state": State.SENDING}
        )
        if not created:
            if marker.state == State.SENDING:
                logger.warning("E-mail %s : un envoi précédent a été interrompu, il n'est pas refait.", key)
                marker.state = State.UNCERTAIN
                marker.save(update_fields=["state"])
                if then is not None:
                    then()
            return False
    try:
        send_mail(subject=subject, message=message, from_email=None, recipient_list=recipient_list)
    except Exception:
        SentEmail.objects.filter(pk=marker.pk, state=State.SENDING).delete()
        raise
    with transaction.atomic():
        SentEmail.objects.filter(pk=marker.pk).update(state=State.SENT, sent_at=timezone.now())
        if then is not None:
            then()
    return True
