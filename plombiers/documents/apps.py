from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "plombiers.documents"
    verbose_name = "documents OPCO et Qualiopi"
