from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "plombiers.impact"
    verbose_name = "Impact"
