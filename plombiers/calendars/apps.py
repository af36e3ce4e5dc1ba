from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "plombiers.calendars"
    verbose_name = "Agendas (flux iCalendar)"

    def ready(self):
        from plombiers.lib.slots import contribute

        from . import blocks

        contribute("cohort_actions", blocks.cohort_feed_link)
