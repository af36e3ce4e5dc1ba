from django.apps import AppConfig


class OfferConfig(AppConfig):
    name = "plombiers.offer"
    verbose_name = "Offre de formation (LHEO)"

    def ready(self):
        from plombiers.lib import slots

        from . import blocks

        slots.contribute("school_detail", blocks.school_offer)
