from django.apps import AppConfig


class OfferConfig(AppConfig):
    name = "plombiers.offer"
    verbose_name = "Offre de formation (LHEO)"
