import datetime as dt

import factory

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


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    entry_date = factory.LazyAttribute(lambda o: o.cohort.start_date)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if "learner" in kwargs and "cohort" in kwargs:
            adopt(kwargs["learner"], kwargs["cohort"].school)
        return super()._create(model_class, *args, **kwargs)
