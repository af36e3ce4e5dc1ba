from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "plombiers.funding"
    verbose_name = "Financements"
