from django.core.management.base import BaseCommand

from plombiers.referrals.services import referrals_expire


class Command(BaseCommand):
    help = "Travaux quotidiens (à lancer chaque nuit par cron ou un timer systemd) : expiration des prescriptions."

    def handle(self, *args, **options):
        expired = referrals_expire()
        self.stdout.write(f"{expired} prescription(s) expirée(s) après 60 jours sans suite.")
