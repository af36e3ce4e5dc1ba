from django.core.management.base import BaseCommand
from django.utils import timezone

from plombiers.alerts.tasks import compute_alerts
from plombiers.funding.tasks import send_report_reminders
from plombiers.impact.tasks import refresh_rollup
from plombiers.outcomes.services import follow_ups_expire
from plombiers.outcomes.tasks import notify_follow_ups_due
from plombiers.referrals.services import referrals_expire


class Command(BaseCommand):
    help = (
        "Travaux quotidiens (à lancer chaque nuit par cron ou un timer systemd) : expiration des "
        "prescriptions, calcul des alertes de décrochage, suivis de sortie (à faire, sans nouvelles), "
        "rappels des comptes rendus aux financeurs, cumuls des indicateurs d'impact."
    )

    def handle(self, *args, **options):
        expired = referrals_expire()
        self.stdout.write(f"{expired} prescription(s) expirée(s) après 60 jours sans suite.")
        result = compute_alerts.enqueue()
        if result.is_finished:
            self.stdout.write(f"{result.return_value} alerte(s) de décrochage levée(s).")
        else:
            self.stdout.write("Calcul des alertes de décrochage confié à la file des tâches.")
        today = timezone.localdate()
        no_news = follow_ups_expire(today)
        self.stdout.write(
            f"{no_news} suivi(s) de sortie noté(s) « sans nouvelles » (30 jours après l'échéance)."
        )
        result = notify_follow_ups_due.enqueue(today.isoformat())
        if result.is_finished:
            self.stdout.write(
                f"{result.return_value} suivi(s) de sortie à faire aujourd'hui (e-mails envoyés)."
            )
        else:
            self.stdout.write("Les e-mails des suivis de sortie du jour sont confiés à la file des tâches.")
        reminders = send_report_reminders.enqueue()
        if reminders.is_finished:
            self.stdout.write(f"{reminders.return_value} rappel(s) de compte rendu aux financeurs envoyé(s).")
        else:
            self.stdout.write("Rappels des comptes rendus aux financeurs confiés à la file des tâches.")
        rollup = refresh_rollup.enqueue()
        if rollup.is_finished:
            done = rollup.return_value
            self.stdout.write(
                f"Cumuls des indicateurs recalculés : {done['rows']} ligne(s), {done['schools']} école(s), "
                f"{done['seconds']} s."
            )
        else:
            self.stdout.write("Recalcul des cumuls des indicateurs confié à la file des tâches.")
