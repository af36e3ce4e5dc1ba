from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.job_list, name="job_list"),
    path("imports/<int:pk>/", views.job_detail, name="job_detail"),
    path("imports/<int:pk>/verifier/", views.job_check, name="job_check"),
    path("imports/<int:pk>/importer/", views.job_start, name="job_start"),
    path("imports/<int:pk>/progression/", views.job_progress, name="job_progress"),
    path("imports/<int:pk>/annuler/", views.job_undo, name="job_undo"),
]
