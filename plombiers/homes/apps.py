from django.apps import AppConfig


class HomesConfig(AppConfig):
    name = "plombiers.homes"
    verbose_name = "Accueils par rôle"
