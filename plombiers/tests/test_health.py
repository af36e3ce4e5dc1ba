"""Health checks and the security headers of every page."""

import datetime as dt
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from plombiers.impact.tasks import refresh_rollup


def test_healthz_answers_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_security_headers(client, db):
    response = client.get("/comptes/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- /healthz?deep=1: the database, the cache, the task queue (issue 18) ----------------------


DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_deep_healthz_checks_everything(client, db, settings):
    settings.TASKS = DB_QUEUE
    response = client.get("/healthz?deep=1")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": ["cache", "database", "tasks"]}
    assert response["Cache-Control"].startswith("max-age=0")


def test_deep_healthz_fails_without_the_cache(client, db, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "absente"}
    }
    assert client.get("/healthz").status_code == 200  # the cheap check reads the database only
    response = client.get("/healthz?deep=1")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert list(body["failed"]) == ["cache"]


def test_healthz_fails_without_the_database(client, db):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("base arrêtée")):
        for path in ("/healthz", "/healthz?deep=1"):
            response = client.get(path)
            assert response.status_code == 503
            assert "database" in response.json()["failed"]


@pytest.fixture
def queued(db, settings):
    """A task in the database queue, as `plombiers daily` leaves it for the worker."""
    settings.TASKS = DB_QUEUE
    result = refresh_rollup.enqueue()
    return DBTaskResult.objects.filter(pk=result.id)


def test_a_fresh_task_is_no_backlog(client, queued):
    assert client.get("/healthz?deep=1").status_code == 200


def test_deep_healthz_fails_when_tasks_wait_for_a_worker(client, queued):
    queued.update(enqueued_at=timezone.now() - dt.timedelta(minutes=16))
    response = client.get("/healthz?deep=1")
    assert response.status_code == 503
    assert list(response.json()["failed"]) == ["tasks"]
    assert "1 tâche(s) en attente depuis plus de 15 min" in response.json()["failed"]["tasks"]


def test_a_task_due_later_is_not_late(client, queued):
    queued.update(
        enqueued_at=timezone.now() - dt.timedelta(hours=5), run_after=timezone.now() + dt.timedelta(hours=1)
    )
    assert client.get("/healthz?deep=1").status_code == 200


def test_deep_healthz_fails_when_a_task_runs_for_ever(client, queued):
    queued.update(status="RUNNING", started_at=timezone.now() - dt.timedelta(minutes=61))
    response = client.get("/healthz?deep=1")
    assert response.status_code == 503
    assert "1 tâche(s) en cours depuis plus de 60 min" in response.json()["failed"]["tasks"]


def test_favicon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/plombiers/favicon.svg"
    assert (
        client.get("/comptes/login/").content.count(b'rel="icon" href="/static/plombiers/favicon.svg"') == 1
    )
