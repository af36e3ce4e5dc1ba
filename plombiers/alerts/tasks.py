"""Background work of the alerts app (django-tasks: a database queue, `plombiers db_worker`)."""

import datetime as dt

from django_tasks import task


@task()
def compute_alerts(on: str | None = None) -> int:
    """The daily computation of the drop-out alerts (`plombiers daily` enqueues it)."""
    from .services import alerts_compute

    return alerts_compute(on=dt.date.fromisoformat(on) if on else None)
