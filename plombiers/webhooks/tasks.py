"""The webhooks' background work (django-tasks: `plombiers db_worker`)."""

from django_tasks import task


@task()
def deliver(delivery_id: int) -> str:
    """One attempt of one delivery (services.delivery_attempt)."""
    from . import services

    return services.delivery_attempt(delivery_id)
