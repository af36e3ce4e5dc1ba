"""The network's reference data for `plombiers init` (plombiers/lib/initial_data.py): the trades."""

from plombiers.lib.initial_data import Load

from .models import Trade
from .trades import default_trades_ensure


def trades_ensure() -> str:
    before = set(Trade.objects.values_list("slug", flat=True))
    default_trades_ensure(Trade)
    created = Trade.objects.exclude(slug__in=before).count()
    return f"{created} métier(s) créé(s)" if created else ""


LOADS = [Load(order=10, name="métiers", run=trades_ensure)]
