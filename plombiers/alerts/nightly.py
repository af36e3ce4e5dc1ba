"""The alerts' nightly work: the drop-out alerts are computed (by the task queue)."""

from plombiers.lib.nightly import Job, enqueue

from .tasks import compute_alerts


def alerts() -> str:
    return enqueue(
        compute_alerts,
        done=lambda n: f"{n} alerte(s) de décrochage levée(s).",
        queued="Calcul des alertes de décrochage confié à la file des tâches.",
    )


JOBS = [Job(order=30, name="compute_alerts", run=alerts)]
