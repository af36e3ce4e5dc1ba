"""The bench's urlconf: the production routes, plus the floor view (never routed in production)."""

from django.urls import path

from plombiers.urls import urlpatterns as production

from . import views

urlpatterns = [
    path("banc-d-essai/plancher/<int:rows>/<int:cols>/", views.floor, name="bench_floor"),
    path("banc-d-essai/plancher-json/<int:items>/<int:fields>/", views.floor_json, name="bench_floor_json"),
    *production,
]
