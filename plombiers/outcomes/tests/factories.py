import datetime as dt

import factory

from plombiers.outcomes.enums import ExitType, FollowUpHorizon
from plombiers.outcomes.models import Exit, FollowUp


class ExitFactory(factory.django.DjangoModelFactory):
    """An exit of an enrolment that ended (pass `enrolment=`; its end date is the exit date)."""

    class Meta:
        model = Exit

    exit_date = factory.LazyAttribute(lambda o: o.enrolment.end_date or dt.date(2026, 12, 18))
    exit_type = ExitType.CDI


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    horizon = FollowUpHorizon.ONE
    due_on = factory.LazyAttribute(lambda o: o.exit.exit_date + dt.timedelta(days=30 * o.horizon))
