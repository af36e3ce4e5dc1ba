from plombiers.lib.nightly import Job

from . import services


def _purge() -> str:
    count = services.invitations_purge()
    return (
        f"{count} invitation(s) sans réponse au-delà de leur durée de conservation effacée(s)"
        if count
        else ""
    )


JOBS = [Job(order=73, name="invitations_purge", run=_purge)]
