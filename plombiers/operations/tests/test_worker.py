"""A task whose worker dies is run again (issue 18, « Tasks survive a crash »)."""

import datetime as dt
import os
import signal
import subprocess
import sys

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from plombiers.operations import worker
from plombiers.operations.models import WorkerHeartbeat

from .helpers import environment, plombiers, wait_until
from .tasks import wait_for_release


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def status(result) -> str:
    return DBTaskResult.objects.get(pk=result.id).status


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_leaves_it_to_the_next_worker(database_queue, tmp_path):
    """kill -9 on a real `plombiers db_worker` while it runs a task: the next worker runs it."""
    env = environment(tmp_path, WORKER_HEARTBEAT_SECONDS="1")
    folder = tmp_path / "task"
    folder.mkdir()
    first = plombiers(
        "db_worker", "--no-startup-delay", "--interval", "0.2", env=env, log=tmp_path / "w1.log"
    )
    second = None
    try:
        result = wait_for_release.enqueue(str(folder))
        wait_until(lambda: (folder / "started-1").exists(), what="la tâche commencée", process=first)
        assert status(result) == "RUNNING"
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert status(result) == "RUNNING", "nothing else touched it"

        (folder / "release").touch()
        second = plombiers(
            "db_worker", "--no-startup-delay", "--interval", "0.2", env=env, log=tmp_path / "w2.log"
        )
        wait_until(lambda: status(result) == "SUCCESSFUL", what="la tâche terminée", process=second)
        done = DBTaskResult.objects.get(pk=result.id)
        assert done.return_value == "run 2"
        assert len(done.worker_ids) == 2
        assert (folder / "started-2").read_text() == str(second.pid)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
    # The second worker stopped cleanly (SIGTERM): its heartbeat is gone; the first one's remains,
    # to be pruned a day later.
    assert not WorkerHeartbeat.objects.filter(pid=second.pid).exists()


# --- who is dead -------------------------------------------------------------------------------


def running_task(*worker_ids: str, started: dt.timedelta = dt.timedelta(minutes=10)) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status="RUNNING",
        task_path=f"{wait_for_release.module_path}",
        args_kwargs={"args": ["/nonexistent"], "kwargs": {}},
        backend_name="default",
        run_after=worker.timezone.now(),
        started_at=now - started,
        worker_ids=list(worker_ids),
    )


def beat(worker_id: str, *, host: str, pid: int, seen: dt.timedelta, process_started: str = "") -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host=host,
        pid=pid,
        process_started=process_started,
        started_at=now - seen,
        seen_at=now - seen,
    )


@pytest.mark.django_db
def test_another_machine_s_worker_is_dead_when_its_heartbeat_is_stale(settings):
    settings.PLOMBIERS_WORKER_STALE_SECONDS = 120
    beat("fresh", host="autre-serveur", pid=1, seen=dt.timedelta(seconds=5))
    beat("stale", host="autre-serveur", pid=1, seen=dt.timedelta(minutes=5))
    alive, dead = running_task("fresh"), running_task("stale")
    assert worker.requeue_dead_tasks() == (1, 0)
    alive.refresh_from_db()
    dead.refresh_from_db()
    assert (alive.status, dead.status, dead.started_at) == ("RUNNING", "READY", None)
    assert worker.requeue_dead_tasks() == (0, 0)


@pytest.mark.django_db
def test_this_machine_s_worker_is_dead_when_its_process_is_gone():
    """Even with a heartbeat written a second ago (a long SQLite transaction can hold the next one)."""
    me = os.getpid()
    beat(
        "me",
        host=worker.this_host(),
        pid=me,
        process_started=worker.process_started(me),
        seen=dt.timedelta(0),
    )
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    beat("gone", host=worker.this_host(), pid=gone.pid, seen=dt.timedelta(0))
    # A pid used again by another process is not the worker.
    beat("reused", host=worker.this_host(), pid=me, process_started="1", seen=dt.timedelta(0))
    mine, dead, reused = running_task("me"), running_task("gone"), running_task("reused")
    assert worker.requeue_dead_tasks() == (2, 0)
    assert [DBTaskResult.objects.get(pk=t.pk).status for t in (mine, dead, reused)] == [
        "RUNNING",
        "READY",
        "READY",
    ]


@pytest.mark.django_db
def test_a_task_without_heartbeat_is_requeued_once_it_ran_longer_than_the_timeout(settings):
    settings.PLOMBIERS_WORKER_STALE_SECONDS = 120
    recent = running_task("unknown-1", started=dt.timedelta(seconds=10))
    old = running_task("unknown-2", started=dt.timedelta(minutes=3))
    assert worker.requeue_dead_tasks() == (1, 0)
    assert DBTaskResult.objects.get(pk=recent.pk).status == "RUNNING"
    assert DBTaskResult.objects.get(pk=old.pk).status == "READY"


@pytest.mark.django_db
def test_a_task_that_kills_every_worker_fails_after_three_starts():
    task = running_task("a", "b", "c")
    assert worker.requeue_dead_tasks() == (0, 1)
    task.refresh_from_db()
    assert task.status == "FAILED"
    assert task.exception_class_path == "plombiers.operations.worker.WorkerDied"
    assert "3 fois" in task.traceback


@pytest.mark.django_db
def test_plombiers_daily_requeues_too(capsys):
    from django.core.management import call_command

    running_task("disparu")
    call_command("daily")
    assert "1 tâche(s) d'un worker mort remise(s) dans la file" in capsys.readouterr().out
