from django.urls import path

from . import views

app_name = "skills"

urlpatterns = [
    path("promotions/<int:pk>/competences/", views.cohort_matrix, name="cohort_matrix"),
    path("promotions/<int:pk>/competences/observer/", views.observation_create, name="observation_create"),
    path("promotions/<int:pk>/competences/exercice/", views.observation_group, name="observation_group"),
    path("inscriptions/<int:pk>/progression/", views.enrolment_progress, name="enrolment_progress"),
    path("preuves/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("referentiels/", views.framework_list, name="framework_list"),
    path("referentiels/<int:pk>/", views.framework_detail, name="framework_detail"),
]
