from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "plombiers.bench"
    verbose_name = "banc d'essai des performances"
