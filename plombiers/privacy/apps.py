from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "plombiers.privacy"
    verbose_name = "Protection des données"
