from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("webhooks/", views.subscription_list, name="subscription_list"),
    path("webhooks/nouveau/", views.subscription_create, name="subscription_create"),
    path("webhooks/<int:pk>/", views.subscription_detail, name="subscription_detail"),
    path("webhooks/<int:pk>/supprimer/", views.subscription_delete, name="subscription_delete"),
    path("webhooks/livraisons/<int:pk>/renvoyer/", views.delivery_redeliver, name="delivery_redeliver"),
]
