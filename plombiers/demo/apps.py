from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "plombiers.demo"
    verbose_name = "Réseau de démonstration"
