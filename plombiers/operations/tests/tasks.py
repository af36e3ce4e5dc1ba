"""A task for the tests only: it waits, in a real worker process, until the test lets it finish."""

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def wait_for_release(folder: str) -> str:
    """Note each start (`started-N`, with the worker's pid), then wait for the file `release` (two
    minutes at most: a worker the test forgot does not wait forever)."""
    folder = Path(folder)
    run = len(list(folder.glob("started-*"))) + 1
    (folder / f"started-{run}").write_text(str(os.getpid()))
    deadline = time.monotonic() + 120
    while not (folder / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("jamais libérée")
        time.sleep(0.05)
    return f"run {run}"
