from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "plombiers.support"
    verbose_name = "Accompagnement social"
