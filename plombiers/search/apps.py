from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "plombiers.search"
    verbose_name = "Recherche globale"
