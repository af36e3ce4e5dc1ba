"""The bench urlconf without the skills pages: a measure whose page does not resolve."""

from django.urls import path

from plombiers.bench import views
from plombiers.urls import urlpatterns as production

urlpatterns = [
    path("banc-d-essai/plancher/<int:rows>/<int:cols>/", views.floor, name="bench_floor"),
    path("banc-d-essai/plancher-json/<int:items>/<int:fields>/", views.floor_json, name="bench_floor_json"),
    *(p for p in production if getattr(p, "namespace", None) != "skills"),
]
