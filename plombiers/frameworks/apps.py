from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "plombiers.frameworks"
    verbose_name = "Référentiels de compétences"
