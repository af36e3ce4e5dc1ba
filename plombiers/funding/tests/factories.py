import datetime as dt
from decimal import Decimal

import factory

from plombiers.funding.enums import GrantPurpose
from plombiers.funding.models import Grant


class GrantFactory(factory.django.DjangoModelFactory):
    """A grant request; pass `funder=` and `school=` (or `network=` for the network's own)."""

    class Meta:
        model = Grant

    network = factory.LazyAttribute(lambda o: o.school.network if o.school else o.funder.network)
    purpose = GrantPurpose.PLATFORM
    amount_requested = Decimal("70000.00")
    period_start = dt.date(2026, 1, 1)
    period_end = dt.date(2026, 12, 31)
