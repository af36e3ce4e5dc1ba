from django.apps import AppConfig


class OpeningsConfig(AppConfig):
    name = "plombiers.openings"
    verbose_name = "Ouvrir une école"

    def ready(self):
        from plombiers.lib import slots

        from . import blocks

        slots.contribute("school_detail", blocks.school_to_complete)
