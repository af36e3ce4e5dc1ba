"""The privacy app's nightly work, found by `plombiers daily` (the registry of `nightly.py` modules):
the retention rules applied (`plombiers purge`)."""

from plombiers.lib.nightly import Job

from .purge import purge


def purge_job() -> str:
    counts = purge()
    detail = ", ".join(f"{key} : {count}" for key, count in counts.items())
    return f"Purge des données échues ({detail})."


# After the day's expiries and alerts, before the indicators' rollup (which anonymisation leaves
# unchanged: it keeps every figure).
JOBS = [Job(order=85, name="purge", run=purge_job)]
