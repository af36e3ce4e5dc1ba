"""Tasks that survive their worker.

django-tasks-db marks a task RUNNING when a worker claims it, and nothing else ever looks at it
again: a worker killed mid-task (kill -9, out of memory, the machine restarted) leaves it RUNNING
forever and no other worker picks it up. So each `plombiers db_worker` (our subclass of the
package's command) writes a heartbeat row — its id, machine, process and the time, renewed every
`PLOMBIERS_WORKER_HEARTBEAT_SECONDS` by a thread — and `requeue_dead_tasks()` puts back in the
queue every RUNNING task whose worker is dead:

- a worker of this machine is dead when its process is gone (its pid no longer exists, or is now
  another process): known at once, even while a long SQLite transaction keeps its heartbeat from
  being written;
- a worker of another machine (several servers on one PostgreSQL) when its heartbeat is older than
  `PLOMBIERS_WORKER_STALE_SECONDS`;
- a task claimed by a worker with no heartbeat row (gone, or of an older version) when it started
  longer ago than that.

Every worker runs it when it starts and then every `PLOMBIERS_WORKER_REQUEUE_SECONDS`, and so does
`plombiers daily`. A task is started at most `PLOMBIERS_TASK_MAX_ATTEMPTS` times: one that kills
its worker each time is then marked failed instead of looping. Running a task again is harmless:
each task is idempotent, and e-mails go through `send_mail_once` (mail.py).
"""

import contextlib
import datetime as dt
import logging
import os
import socket
import threading
from functools import cache

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


class WorkerDied(Exception):
    """The exception class recorded on a task whose workers all died running it."""


def heartbeat_seconds() -> float:
    return float(getattr(settings, "PLOMBIERS_WORKER_HEARTBEAT_SECONDS", 10))


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "PLOMBIERS_WORKER_STALE_SECONDS", 120)))


def requeue_seconds() -> float:
    return float(getattr(settings, "PLOMBIERS_WORKER_REQUEUE_SECONDS", 60))


def max_attempts() -> int:
    return int(getattr(settings, "PLOMBIERS_TASK_MAX_ATTEMPTS", 3))


@cache
def this_host() -> str:
    """The machine, and the process namespace within it: two containers of one host that share a
    host name do not see each other's processes."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()} {namespace}".strip()[:255]


def process_started(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot, from /proc), "" where /proc does not
    say, None when there is no such living process (a zombie — killed, not yet reaped — counts as
    dead)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as file:
            fields = file.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return ""
    if fields[0] in ("Z", "X"):
        return None
    return fields[19]


def _alive(beat: WorkerHeartbeat | None, task: DBTaskResult, now: dt.datetime) -> bool:
    if beat is None:
        return task.started_at is not None and task.started_at > now - stale_after()
    if beat.host == this_host():
        return process_started(beat.pid) == beat.process_started
    return beat.seen_at > now - stale_after()


def requeue_dead_tasks() -> tuple[int, int]:
    """Put back in the queue the RUNNING tasks whose worker is dead; mark failed those started
    `max_attempts()` times already. Returns (requeued, failed)."""
    now = timezone.now()
    running = list(DBTaskResult.objects.running().only("id", "worker_ids", "started_at", "task_path"))
    if not running:
        return 0, 0
    beats = WorkerHeartbeat.objects.in_bulk([t.worker_ids[-1] for t in running if t.worker_ids])
    requeued = failed = 0
    for task in running:
        worker_id = task.worker_ids[-1] if task.worker_ids else None
        if _alive(beats.get(worker_id), task, now):
            continue
        # The same RUNNING row as read: another worker requeuing at the same time changes nothing.
        same = DBTaskResult.objects.filter(
            pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at
        )
        if len(task.worker_ids) >= max_attempts():
            changed = same.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
                traceback=(
                    f"Le worker est mort pendant la tâche, {len(task.worker_ids)} fois "
                    f"({', '.join(task.worker_ids)}) : elle n'est plus relancée."
                ),
            )
            failed += changed
            if changed:
                logger.error(
                    "Task %s (%s) failed: its worker died %d times.",
                    task.pk,
                    task.task_path,
                    len(task.worker_ids),
                )
        else:
            changed = same.update(status=TaskResultStatus.READY, started_at=None)
            requeued += changed
            if changed:
                logger.warning(
                    "Task %s (%s) requeued: worker %s is dead.", task.pk, task.task_path, worker_id
                )
    # Heartbeats of workers long gone.
    WorkerHeartbeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
    return requeued, failed


class Heartbeat:
    """The heartbeat of one worker process: registered at start, renewed by a daemon thread which
    also requeues the dead workers' tasks now and then, removed at a clean exit."""

    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="plombiers-heartbeat", daemon=True)

    def __enter__(self):
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "host": this_host(),
                "pid": os.getpid(),
                "process_started": process_started(os.getpid()) or "",
                "started_at": now,
                "seen_at": now,
            },
        )
        self._requeue()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=heartbeat_seconds() + 1)
        with contextlib.suppress(Exception):
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        return False

    def _requeue(self) -> None:
        requeued, failed = requeue_dead_tasks()
        if requeued or failed:
            logger.warning("%d task(s) of dead workers requeued, %d failed.", requeued, failed)

    def _loop(self) -> None:
        last_requeue = timezone.now()
        while not self.stop.wait(heartbeat_seconds()):
            try:
                close_old_connections()
                now = timezone.now()
                WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(seen_at=now)
                if (now - last_requeue).total_seconds() >= requeue_seconds():
                    last_requeue = now
                    self._requeue()
            except Exception as error:
                # A database that does not answer for a while (a long SQLite write): try again at
                # the next beat; a worker of this machine is judged by its process meanwhile.
                logger.warning("Worker heartbeat failed: %s", error)
            finally:
                connection.close()
