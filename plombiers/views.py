from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@login_not_required
@never_cache
def healthz(request):
    """200 when the database answers, 503 otherwise: for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "injoignable"}, status=503)
    return JsonResponse({"status": "ok"})


def paginate(request, queryset, per_page: int | None = None):
    """The page asked for in `?page=` (the last one when it is past the end)."""
    return Paginator(queryset, per_page or settings.PLOMBIERS_PAGE_SIZE).get_page(request.GET.get("page"))


def render_list(request, template: str, fragment: str, context: dict):
    """The full page includes the fragment; an htmx request gets the fragment alone."""
    return render(request, fragment if request.htmx and not request.htmx.boosted else template, context)
