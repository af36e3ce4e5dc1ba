import datetime as dt

import factory
from django.utils import timezone

from plombiers.cohorts.models import Cohort, Enrolment
from plombiers.referrals.tests.factories import adopt


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Promotion {n}")
    trade = factory.LazyAttribute(lambda o: o.school.trade)
    start_date = dt.date(2026, 9, 7)
    end_date = dt.date(2026, 12, 18)
    capacity = factory.LazyAttribute(lambda o: o.school.default_cohort_capacity)


def running_cohort(**fields) -> Cohort:
    """A cohort that started a fortnight ago and ends in three months, whatever the day the tests run:
    an admission or an enrolment is dated today, and must fall within its cohort."""
    start = timezone.localdate() - dt.timedelta(days=14)
    return CohortFactory(start_date=start, end_date=start + dt.timedelta(days=104), **fields)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    entry_date = factory.LazyAttribute(lambda o: o.cohort.start_date)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if "learner" in kwargs and "cohort" in kwargs:
            adopt(kwargs["learner"], kwargs["cohort"].school)
        return super()._create(model_class, *args, **kwargs)
