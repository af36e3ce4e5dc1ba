"""The site's URLs plus four views that fail, for the error pages' tests."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from plombiers.urls import urlpatterns as site


@login_not_required
def forbidden(request):
    raise PermissionDenied("Seule l'équipe pédagogique de l'école tient les feuilles d'émargement.")


@login_not_required
def bad(request):
    raise SuspiciousOperation("bad")


@login_not_required
def broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("essai/403/", forbidden),
    path("essai/400/", bad),
    path("essai/500/", broken),
    *site,
]
