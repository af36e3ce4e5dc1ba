from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "plombiers.cohorts"
    verbose_name = "Promotions et inscriptions"
