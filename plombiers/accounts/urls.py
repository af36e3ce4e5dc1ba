from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("double-authentification/", views.mfa_setup, name="mfa_setup"),
    path("jetons/", views.token_list, name="token_list"),
    path("jetons/nouveau/", views.token_create, name="token_create"),
    path("jetons/<int:pk>/revoquer/", views.token_revoke, name="token_revoke"),
]
