from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("alertes/", views.alert_list, name="alert_list"),
    path("alertes/compteur/", views.alert_badge, name="alert_badge"),
    path("alertes/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alertes/<int:pk>/prise-en-compte/", views.alert_acknowledge, name="alert_acknowledge"),
]
