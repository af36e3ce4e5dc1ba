"""The worker's nightly work: the tasks a dead worker left RUNNING go back in the queue."""

from plombiers.lib.nightly import Job

from .worker import requeue_dead_tasks


def requeue() -> str:
    requeued, failed = requeue_dead_tasks()
    if not (requeued or failed):
        return ""
    return f"{requeued} tâche(s) d'un worker mort remise(s) dans la file, {failed} abandonnée(s)."


JOBS = [Job(order=10, name="requeue_dead_tasks", run=requeue)]
