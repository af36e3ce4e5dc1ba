from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("confidentialite/conservation/", views.retention_page, name="retention"),
    path("reseau/conservation/", views.retention_settings, name="retention_settings"),
    path("jeunes/<int:pk>/effacement/", views.learner_erasure, name="learner_erasure"),
]
