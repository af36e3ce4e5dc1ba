from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "plombiers.alerts"
    verbose_name = "Alertes de décrochage"
