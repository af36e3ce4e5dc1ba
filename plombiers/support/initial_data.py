"""The barrier categories every network starts with, for `plombiers init`
(plombiers/lib/initial_data.py). A data migration creates them too: this puts back those missing."""

from plombiers.lib.initial_data import Load

from .enums import default_categories_ensure
from .models import BarrierCategory


def categories_ensure() -> str:
    before = BarrierCategory.objects.count()
    default_categories_ensure(BarrierCategory)
    created = BarrierCategory.objects.count() - before
    return f"{created} catégorie(s) de freins créée(s)" if created else ""


LOADS = [Load(order=30, name="catégories de freins", run=categories_ensure)]
