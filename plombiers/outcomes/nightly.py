"""The outcomes' nightly work: the follow-ups 30 days past due become « sans nouvelles », then the
e-mails of the follow-ups due today are sent (by the task queue)."""

from django.utils import timezone

from plombiers.lib.nightly import Job, enqueue

from .services import follow_ups_expire
from .tasks import notify_follow_ups_due


def expire() -> str:
    no_news = follow_ups_expire(timezone.localdate())
    return f"{no_news} suivi(s) de sortie noté(s) « sans nouvelles » (30 jours après l'échéance)."


def notify() -> str:
    return enqueue(
        notify_follow_ups_due,
        timezone.localdate().isoformat(),
        done=lambda n: f"{n} suivi(s) de sortie à faire aujourd'hui (e-mails envoyés).",
        queued="Les e-mails des suivis de sortie du jour sont confiés à la file des tâches.",
    )


JOBS = [
    Job(order=40, name="follow_ups_expire", run=expire),
    Job(order=50, name="notify_follow_ups_due", run=notify),
]
