"""The funding's nightly work: the funders' report reminders (by the task queue)."""

from plombiers.lib.nightly import Job, enqueue

from .tasks import send_report_reminders


def reminders() -> str:
    return enqueue(
        send_report_reminders,
        done=lambda n: f"{n} rappel(s) de compte rendu aux financeurs envoyé(s).",
        queued="Rappels des comptes rendus aux financeurs confiés à la file des tâches.",
    )


JOBS = [Job(order=60, name="send_report_reminders", run=reminders)]
