"""The reference data registry: what an app declares in its own `initial_data.py`, and what
`plombiers init` (plombiers/network/management/commands/init.py) loads from there.

An app with reference data every network starts with (trades, competency frameworks, barrier
categories…) writes a module `<app>/initial_data.py` holding `LOADS`, a list of `Load`. The command
imports no app by name: it looks for an `initial_data` module in every installed app and runs the
loads by their `order`, in one transaction. So the command lives with the networks, low in the
layers, and still loads the frameworks, which sit above them. Like the nightly jobs
(plombiers/lib/nightly.py)."""

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps


class LoadError(Exception):
    """A load that cannot be done, in French: `plombiers init` stops and writes nothing."""


@dataclass(frozen=True)
class Load:
    """`run()` creates what is missing, never changes what exists (a second run does nothing), and
    returns what it did in French, or an empty string when there was nothing to do; raises
    `LoadError` when it cannot. `order`: from
    the lowest to the highest (the trades before their frameworks)."""

    order: int
    name: str
    run: Callable[[], str]


def initial_loads() -> list[Load]:
    """Every installed app's `initial_data.LOADS`, by `order`."""
    loads = []
    for config in apps.get_app_configs():
        module = f"{config.name}.initial_data"
        if importlib.util.find_spec(module) is not None:
            loads.extend(importlib.import_module(module).LOADS)
    return sorted(loads, key=lambda load: load.order)
