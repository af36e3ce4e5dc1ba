from django.contrib import admin
from django.urls import include, path

from plombiers.api.urls import api
from plombiers.network import views as network_views

from . import views

admin.site.site_header = "Plombiers — administration"
admin.site.site_title = "Plombiers"

urlpatterns = [
    path("", network_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("comptes/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("plombiers.network.urls")),
    path("", include("plombiers.referrals.urls")),
    path("", include("plombiers.cohorts.urls")),
    path("", include("plombiers.skills.urls")),
    path("", include("plombiers.support.urls")),
    path("", include("plombiers.alerts.urls")),
    path("", include("plombiers.documents.urls")),
    path("", include("plombiers.surveys.urls")),
    path("", include("plombiers.internships.urls")),
    path("", include("plombiers.credentials.urls")),
    path("", include("plombiers.outcomes.urls")),
    path("", include("plombiers.impact.urls")),
    path("", include("plombiers.funding.urls")),
]
