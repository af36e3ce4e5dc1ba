from django.urls import path

from . import views

app_name = "offer"

urlpatterns = [
    path("offre.lheo.xml", views.all_lheo, name="all_lheo"),
    path("ecoles/<slug:slug>/offre.lheo.xml", views.school_lheo, name="school_lheo"),
]
