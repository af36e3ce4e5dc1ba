from django.urls import path

from . import views

app_name = "invitations"

urlpatterns = [
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/<int:pk>/renvoyer/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoquer/", views.invitation_revoke, name="invitation_revoke"),
    path("invitation/<str:token>/", views.accept, name="accept"),
]
