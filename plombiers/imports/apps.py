from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "plombiers.imports"
    verbose_name = "imports de tableurs"
