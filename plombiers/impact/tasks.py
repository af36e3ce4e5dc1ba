"""Background work of the impact app (django-tasks: a database queue, `plombiers db_worker`)."""

from django_tasks import task


@task()
def refresh_rollup() -> dict:
    """Recompute the rollup of every school (`plombiers daily` enqueues it each night; the network
    staff can ask for it from a dashboard). Returns what the run did."""
    from .rollup import refresh

    run = refresh()
    return {
        "rows": run.rows,
        "schools": run.schools,
        "seconds": round(run.seconds, 3),
        "corrected": run.corrected,
    }
