import datetime as dt
import logging
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)


def _database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def _cache() -> str | None:
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 30)
    read = cache.get(key)
    cache.delete(key)
    return None if read == value else "la valeur écrite n'a pas été relue"


def _task_queue() -> str | None:
    """The database queue's backlog: tasks ready for longer than HEALTHZ_TASK_WAIT_MINUTES (no
    worker is taking them), or running for longer than HEALTHZ_TASK_RUNNING_MINUTES (a worker died
    under them, or is stuck)."""
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if not backend.startswith("django_tasks_db."):
        return None  # another queue, watched by its own means
    now = timezone.now()
    waited = now - dt.timedelta(minutes=settings.HEALTHZ_TASK_WAIT_MINUTES)
    ran = now - dt.timedelta(minutes=settings.HEALTHZ_TASK_RUNNING_MINUTES)
    late = DBTaskResult.objects.filter(
        Q(run_after__lt=waited) | Q(run_after=get_date_max(), enqueued_at__lt=waited),
        status=TaskResultStatus.READY,
    ).count()
    stuck = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=ran).count()
    problems = []
    if late > settings.HEALTHZ_LATE_TASKS:
        problems.append(
            f"{late} tâche(s) en attente depuis plus de {settings.HEALTHZ_TASK_WAIT_MINUTES} min "
            "(le worker `plombiers db_worker` tourne-t-il ?)"
        )
    if stuck:
        problems.append(
            f"{stuck} tâche(s) en cours depuis plus de {settings.HEALTHZ_TASK_RUNNING_MINUTES} min"
        )
    return " ; ".join(problems) or None


DEEP_CHECKS = {"database": _database, "cache": _cache, "tasks": _task_queue}


@login_not_required
@never_cache
def healthz(request):
    """For load balancers and monitoring. `/healthz`: 200 when the database answers, cheap enough
    to be asked every few seconds. `/healthz?deep=1`: the database, the cache (written and read
    back) and the task queue's backlog; 503 with, for each failed check, what went wrong."""
    checks = DEEP_CHECKS if request.GET.get("deep") else {"database": _database}
    failed = {}
    for name, check in checks.items():
        try:
            problem = check()
        except Exception as error:
            logger.exception("healthz: %s", name)
            problem = f"erreur {type(error).__name__} (détails dans le journal)"
        if problem:
            failed[name] = problem
    if failed:
        logger.error("healthz: %s", failed)
        return JsonResponse({"status": "error", "failed": failed}, status=503)
    if request.GET.get("deep"):
        return JsonResponse({"status": "ok", "checks": sorted(checks)})
    return JsonResponse({"status": "ok"})


@login_not_required
@cache_control(max_age=24 * 3600, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico on their own (a PDF opened in a tab, the API's docs): our icon,
    under its hashed name (a temporary redirect, since that name changes with the icon)."""
    return HttpResponseRedirect(static("plombiers/favicon.svg"))


def paginate(request, queryset, per_page: int | None = None):
    """The page asked for in `?page=` (the last one when it is past the end)."""
    return Paginator(queryset, per_page or settings.PLOMBIERS_PAGE_SIZE).get_page(request.GET.get("page"))


def render_list(request, template: str, fragment: str, context: dict):
    """The full page includes the fragment; an htmx request gets the fragment alone."""
    return render(request, fragment if request.htmx and not request.htmx.boosted else template, context)
