from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "plombiers.impact"
    verbose_name = "Impact"

    def ready(self):
        # Every write that changes a measure keeps the rollup exact, in its own transaction.
        from . import maintain

        maintain.connect()
