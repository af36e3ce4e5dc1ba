from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "plombiers.referrals"
    verbose_name = "Prescriptions et jeunes"
