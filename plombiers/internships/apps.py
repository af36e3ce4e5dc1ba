from django.apps import AppConfig


class InternshipsConfig(AppConfig):
    name = "plombiers.internships"
    verbose_name = "Stages, offres et rapprochement"
