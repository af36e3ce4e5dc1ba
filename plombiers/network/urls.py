from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("ecoles/", views.school_list, name="school_list"),
    path("ecoles/nouvelle/", views.school_create, name="school_create"),
    path("ecoles/<slug:slug>/", views.school_detail, name="school_detail"),
    path("ecoles/<slug:slug>/modifier/", views.school_edit, name="school_edit"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/nouvelle/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/modifier/", views.organisation_edit, name="organisation_edit"),
    path("communes/suggestions", views.commune_suggestions, name="commune_suggestions"),
]
