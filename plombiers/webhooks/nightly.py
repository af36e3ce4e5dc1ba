from plombiers.lib.nightly import Job

from . import services


def _retry() -> str:
    count = services.deliveries_retry_due()
    return f"{count} livraison(s) de webhook relancée(s)" if count else ""


def _purge() -> str:
    count = services.deliveries_purge()
    return (
        f"{count} livraison(s) de webhook au-delà de leur durée de conservation effacée(s)" if count else ""
    )


def _impact() -> str:
    count = services.impact_deliveries_create()
    return f"{count} envoi(s) « indicateurs mis à jour » aux financeurs" if count else ""


JOBS = [
    Job(order=70, name="webhooks_retry_due", run=_retry),
    Job(order=71, name="webhooks_purge", run=_purge),
    # After the rollup's refresh (90): the figures it sends are the night's.
    Job(order=95, name="webhooks_impact_updated", run=_impact),
]
