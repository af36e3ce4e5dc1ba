from django.urls import path

from . import views

app_name = "homes"

urlpatterns = [
    path("mon-espace/", views.learner_space, name="learner"),
]
