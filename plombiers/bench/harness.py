"""The benchmark harness: a registry of benchmarks, timings, and the report.

A benchmark is a function registered with `@benchmark`; it receives the run's `Context` and
returns `Measure`s. Each measure carries its samples beside those of its floor, taken in the
same run, so that the ratio stays meaningful whatever the machine. Later issues add their own
benchmarks (indicators, documents, matching, credentials) to the same registry.
"""

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext

BENCHMARKS: dict[str, Callable] = {}


def benchmark(name: str):
    def register(function):
        BENCHMARKS[name] = function
        return function

    return register


@dataclass
class Timing:
    samples: list[float]  # seconds
    queries: int | None = None

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        """Nearest-rank 95th percentile."""
        ordered = sorted(self.samples)
        return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)] * 1000

    def as_dict(self) -> dict:
        return {
            "runs": len(self.samples),
            "median_ms": round(self.median_ms, 3),
            "p95_ms": round(self.p95_ms, 3),
            "queries": self.queries,
        }


@dataclass
class Measure:
    name: str
    label: str
    status: str = "ok"  # "ok", or why the measure is unavailable
    timing: Timing | None = None
    floor_name: str = ""
    floor: Timing | None = None
    details: dict = field(default_factory=dict)
    note: str = ""  # printed after the figures (e.g. a speed-up the ratio does not say plainly)

    @property
    def ratio(self) -> float | None:
        if self.timing is None or self.floor is None or not self.floor.median_ms:
            return None
        return self.timing.median_ms / self.floor.median_ms

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "status": self.status,
            **({"measure": self.timing.as_dict()} if self.timing else {}),
            **({"floor": {"name": self.floor_name, **self.floor.as_dict()}} if self.floor else {}),
            "ratio": round(self.ratio, 2) if self.ratio is not None else None,
            "details": self.details,
            **({"note": self.note} if self.note else {}),
        }

    def line(self) -> str:
        if self.timing is None:
            return f"{self.name:28} {self.status}"
        t, f = self.timing, self.floor
        text = f"{self.name:28} médiane {t.median_ms:8.2f} ms  p95 {t.p95_ms:8.2f} ms"
        if t.queries is not None:
            text += f"  {t.queries:3d} requêtes"
        if f is not None:
            queries = f", {f.queries} requêtes" if f.queries is not None else ""
            text += f"  | plancher {f.median_ms:6.2f} ms (p95 {f.p95_ms:6.2f}{queries})  ×{self.ratio:.2f}"
        if self.note:
            text += f"\n{'':28} → {self.note}"
        return text


class HttpError(Exception):
    pass


def measure(call: Callable[[], object], *, repeat: int, warmup: int = 2) -> Timing:
    """Time `call` `repeat` times after `warmup` calls; count the SQL queries of one call."""
    for _ in range(warmup):
        _check(call())
    with CaptureQueriesContext(connection) as queries:
        _check(call())
    count = len(queries)  # now: the next request resets the connection's query log
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = call()
        samples.append(time.perf_counter() - start)
        _check(response)
    return Timing(samples, count)


def measure_beside(call: Callable[[], object], floor: Callable[[], object], *, repeat: int, warmup: int = 2):
    """(`measure` of `call`, `measure` of its `floor`), their samples taken in alternation — one
    call, one floor, `repeat` times: a machine whose load changes during the run slows both alike.
    Measured one after the other, a floor timed in a quieter second made a page ×3.2 its floor
    that was ×2.0 alternated."""
    page, bare = measure(call, repeat=0, warmup=warmup), measure(floor, repeat=0, warmup=warmup)
    for _ in range(repeat):
        for function, timing in ((call, page), (floor, bare)):
            start = time.perf_counter()
            response = function()
            timing.samples.append(time.perf_counter() - start)
            _check(response)
    return page, bare


def _check(response) -> None:
    status = getattr(response, "status_code", 200)
    if status != 200:
        raise HttpError(f"HTTP {status}")
