from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "plombiers.cohorts"
    verbose_name = "Promotions et inscriptions"

    def ready(self):
        from plombiers.lib import slots

        from . import blocks

        slots.contribute("school_detail", blocks.school_cohorts)
        slots.contribute("learner_detail", blocks.learner_enrolments)
