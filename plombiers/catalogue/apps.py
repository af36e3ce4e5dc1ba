from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "plombiers.catalogue"
    verbose_name = "Catalogue public des formations"
