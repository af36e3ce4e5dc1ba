from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "plombiers.outcomes"
    verbose_name = "Sorties et suivis"
