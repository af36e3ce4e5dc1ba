"""Real processes of the application against the test database (a file for SQLite)."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


def database_url() -> str:
    """The test database as a DATABASE_URL, for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PLOMBIERS_DATA_DIR": str(data_dir),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "DJANGO_SETTINGS_MODULE": "plombiers.settings",
    }
    env.pop("TASKS_BACKEND", None)
    env.update(extra)
    return env


def plombiers(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    """`plombiers ARGS…` in another process, its output in the file `log`."""
    with open(log, "ab") as output:
        process = subprocess.Popen(  # noqa: S603 — our own console script, fixed arguments
            [sys.executable, "-m", "plombiers", *args],
            env=env,
            cwd=env["PLOMBIERS_DATA_DIR"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    process.log = log
    return process


def run(*args: str, env: dict[str, str], input: str | None = None) -> subprocess.CompletedProcess:
    """`plombiers ARGS…` to its end; its output (both streams) in `.stdout`."""
    return subprocess.run(  # noqa: S603 — our own console script, fixed arguments
        [sys.executable, "-m", "plombiers", *args],
        env=env,
        cwd=env["PLOMBIERS_DATA_DIR"],
        input=input,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def wait_until(condition, *, what: str, seconds: float = 90, process: subprocess.Popen | None = None):
    """Poll `condition()` until it is true; fail saying `what` (and the process's output) when it
    never is. A bound for a hung test, not a measure."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.1)
    output = ""
    if process is not None:
        if process.poll() is None:
            process.kill()
        process.wait()
        output = process.log.read_text(errors="replace")
    raise AssertionError(f"Jamais arrivé : {what}\n{output[-3000:]}")
