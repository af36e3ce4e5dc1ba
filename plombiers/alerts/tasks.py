"""Background work of the alerts app (django-tasks: a database queue, `plombiers db_worker`)."""

import datetime as dt

from django.db import transaction
from django_tasks import task


@task()
def compute_alerts(on: str | None = None) -> int:
    """The daily computation of the drop-out alerts (`plombiers daily` enqueues it). One
    transaction: a worker killed midway leaves no rule half-applied, and the run again (an open
    alert stays the only one of its rule) raises what is missing."""
    from .services import alerts_compute

    with transaction.atomic():
        return alerts_compute(on=dt.date.fromisoformat(on) if on else None)
