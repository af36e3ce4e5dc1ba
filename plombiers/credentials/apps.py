from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "plombiers.credentials"
    verbose_name = "Attestations de compétences"
