"""The privacy app's nightly work, found by `plombiers daily` (the registry of `nightly.py` modules):
the retention rules applied (`plombiers purge`)."""

from .purge import purge


def purge_job() -> str:
    counts = purge()
    detail = ", ".join(f"{key} : {count}" for key, count in counts.items())
    return f"Purge des données échues ({detail})."


JOBS = [("purge", purge_job)]
