from django.urls import path

from . import views

app_name = "openings"

urlpatterns = [
    path("ouvrir-une-ecole/", views.school_open, name="school_open"),
    path("ecoles/<slug:slug>/ouverture/", views.checklist, name="checklist"),
    path("ecoles/<slug:slug>/ouverture/calendrier/", views.calendar, name="calendar"),
    path("ecoles/<slug:slug>/ouverture/promotion/", views.cohort, name="cohort"),
    path("ecoles/<slug:slug>/ouverture/information-collective/", views.information, name="information"),
    path("ecoles/<slug:slug>/ouverture/partenaires/", views.partners, name="partners"),
    path("ecoles/<slug:slug>/ouverture/publier/", views.publish, name="publish"),
    path("ecoles/<slug:slug>/ouverture/copier/", views.copy_settings, name="copy_settings"),
]
