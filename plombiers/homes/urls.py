from django.urls import path

from . import pwa, views

app_name = "homes"

urlpatterns = [
    path("mon-espace/", views.learner_space, name="learner"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
]
