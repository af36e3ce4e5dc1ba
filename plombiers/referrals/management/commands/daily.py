from django.core.management.base import BaseCommand
from django.utils import timezone

from plombiers.alerts.tasks import compute_alerts
from plombiers.funding.tasks import send_report_reminders
from plombiers.impact.tasks import refresh_rollup
from plombiers.operations.worker import requeue_dead_tasks
from plombiers.outcomes.services import follow_ups_expire
from plombiers.outcomes.tasks import notify_follow_ups_due
from plombiers.privacy.nightly import purge_job
from plombiers.referrals.services import referrals_expire


class Command(BaseCommand):
    help = (
        "Travaux quotidiens (à lancer chaque nuit par cron ou un timer systemd) : expiration des "
        "prescriptions, calcul des alertes de décrochage, suivis de sortie (à faire, sans nouvelles), "
        "rappels des comptes rendus aux financeurs, cumuls des indicateurs d'impact."
    )

    def _enqueue(self, task, *args, done, queued: str) -> None:
        """Put `task` in the queue and say what became of it: `done(result)` when the backend ran
        it at once, `queued` when a worker will."""
        result = task.enqueue(*args)
        self.stdout.write(done(result.return_value) if result.is_finished else queued)

    def handle(self, *args, **options):
        requeued, failed = requeue_dead_tasks()
        if requeued or failed:
            self.stdout.write(
                f"{requeued} tâche(s) d'un worker mort remise(s) dans la file, {failed} abandonnée(s)."
            )
        expired = referrals_expire()
        self.stdout.write(f"{expired} prescription(s) expirée(s) après 60 jours sans suite.")
        self._enqueue(
            compute_alerts,
            done=lambda n: f"{n} alerte(s) de décrochage levée(s).",
            queued="Calcul des alertes de décrochage confié à la file des tâches.",
        )
        today = timezone.localdate()
        no_news = follow_ups_expire(today)
        self.stdout.write(
            f"{no_news} suivi(s) de sortie noté(s) « sans nouvelles » (30 jours après l'échéance)."
        )
        self._enqueue(
            notify_follow_ups_due,
            today.isoformat(),
            done=lambda n: f"{n} suivi(s) de sortie à faire aujourd'hui (e-mails envoyés).",
            queued="Les e-mails des suivis de sortie du jour sont confiés à la file des tâches.",
        )
        self._enqueue(
            send_report_reminders,
            done=lambda n: f"{n} rappel(s) de compte rendu aux financeurs envoyé(s).",
            queued="Rappels des comptes rendus aux financeurs confiés à la file des tâches.",
        )
        self.stdout.write(purge_job())  # the layers branch moves it to the nightly registry
        self._enqueue(
            refresh_rollup,
            done=lambda run: (
                f"Cumuls des indicateurs recalculés : {run['rows']} ligne(s), {run['schools']} école(s), "
                f"{run['seconds']} s."
            ),
            queued="Recalcul des cumuls des indicateurs confié à la file des tâches.",
        )
