import datetime as dt

import factory

from plombiers.cohorts.models import Cohort, Enrolment


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Promotion {n}")
    trade = factory.LazyAttribute(lambda o: o.school.trade)
    start_date = dt.date(2026, 9, 7)
    end_date = dt.date(2026, 12, 18)
    capacity = factory.LazyAttribute(lambda o: o.school.default_cohort_capacity)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    entry_date = factory.LazyAttribute(lambda o: o.cohort.start_date)
