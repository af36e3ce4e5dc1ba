from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "plombiers.invitations"
    verbose_name = "invitations de l'équipe"
