from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "plombiers.surveys"
    verbose_name = "Enquêtes de satisfaction"
