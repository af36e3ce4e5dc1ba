from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "plombiers.network"
    verbose_name = "Réseau et écoles"
