from allauth.account import views as allauth_views
from allauth.mfa.base import views as mfa_views
from django.contrib import admin
from django.urls import include, path

from plombiers.accounts import throttle
from plombiers.accounts import views as accounts_views
from plombiers.api.urls import api
from plombiers.homes import views as homes_views

from . import views

admin.site.site_header = "Plombiers — administration"
admin.site.site_title = "Plombiers"
# No password form of the admin's own: its login is allauth's (throttled, with the second factor).
admin.site.login = accounts_views.admin_login

urlpatterns = [
    path("", homes_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    # allauth's login and second-factor pages, answering 429 when the login throttle refuses.
    path("comptes/login/", throttle.status_429(allauth_views.login)),
    path("comptes/2fa/authenticate/", throttle.status_429(mfa_views.authenticate)),
    path("comptes/", include("plombiers.accounts.urls")),
    path("comptes/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("plombiers.homes.urls")),
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
    path("", include("plombiers.rights.urls")),
    path("", include("plombiers.offer.urls")),
    path("", include("plombiers.calendars.urls")),
    path("", include("plombiers.imports.urls")),
    path("", include("plombiers.webhooks.urls")),
    path("", include("plombiers.search.urls")),
    path("", include("plombiers.catalogue.urls")),
    path("", include("plombiers.invitations.urls")),
    path("", include("plombiers.openings.urls")),
]
