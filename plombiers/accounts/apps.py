from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "plombiers.accounts"
    verbose_name = "Comptes et rôles"
