"""The nightly jobs' registry: what an app declares in its own `nightly.py`, and what `plombiers
daily` (plombiers/operations/management/commands/daily.py) finds there.

An app with work to do each night writes a module `<app>/nightly.py` holding `JOBS`, a list of
`Job`. The command imports no app by name: it looks for a `nightly` module in every installed app
and runs all the jobs by their `order`. So the command sits at no particular height in the layers,
and an app never imports the app that runs its jobs."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    """`run()` does the work (or puts it in the task queue) and returns what to print, or an empty
    string to print nothing. `order`: the jobs run from the lowest to the highest (an expiry before
    the alerts it changes, the indicators' rollup last, after every figure it sums)."""

    order: int
    name: str
    run: Callable[[], str]


def enqueue(task, *args, done: Callable[[object], str], queued: str) -> str:
    """Put `task` in the queue and say what became of it: `done(result)` when the backend ran it at
    once (the immediate backend of the tests), `queued` when a worker will."""
    result = task.enqueue(*args)
    return done(result.return_value) if result.is_finished else queued
