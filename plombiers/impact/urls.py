from django.urls import path

from . import views

app_name = "impact"

urlpatterns = [
    path("ecoles/<slug:slug>/resultats/", views.public_results, name="public_results"),
    path("impact/", views.home, name="home"),
    path("impact/reseau/", views.network, name="network"),
    path("impact/reseau/<int:pk>/", views.network, name="network_detail"),
    path("impact/reseau/<int:pk>/cumuls/", views.rollup_refresh, name="rollup_refresh"),
    path("impact/ecoles/<slug:slug>/", views.school, name="school"),
    path("impact/ecoles/<slug:slug>/rapport-<int:year>.pdf", views.report, name="report"),
    path("impact/promotions/<int:pk>/", views.cohort, name="cohort"),
    path("impact/financeurs/<int:pk>/", views.funder, name="funder"),
    path("impact/apprenants/", views.learners, name="learners"),
    path("impact/methode/", views.method, name="method"),
    path("impact/opendata.csv", views.open_data_csv, name="opendata"),
]
