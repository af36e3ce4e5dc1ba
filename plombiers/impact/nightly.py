"""The impact's nightly work, last of the night: the indicators' rollup (by the task queue), after
every job that changes a figure it sums — a check of the rollup every write keeps, which reports
the rows it had to correct."""

from plombiers.lib.nightly import Job, enqueue

from .tasks import refresh_rollup


def rollup() -> str:
    return enqueue(
        refresh_rollup,
        done=lambda run: (
            f"Cumuls des indicateurs recalculés : {run['rows']} ligne(s), {run['schools']} école(s), "
            f"{run['seconds']} s, {run['corrected']} ligne(s) corrigée(s)."
        ),
        queued="Recalcul des cumuls des indicateurs confié à la file des tâches.",
    )


JOBS = [Job(order=90, name="refresh_rollup", run=rollup)]
