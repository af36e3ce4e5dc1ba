from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("formations/", views.cohort_list, name="cohort_list"),
    path("formations/communes/", views.commune_suggestions, name="commune_suggestions"),
    path("formations/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("formations/<int:pk>/candidater/", views.apply, name="apply"),
    path("formations/<int:pk>/candidature-envoyee/", views.applied, name="applied"),
]
