from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "plombiers.operations"
    verbose_name = "Exploitation"
