import datetime as dt

import factory

from plombiers.referrals.enums import Diploma
from plombiers.referrals.models import Learner, Referral, identity_key


class LearnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Learner

    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    birth_date = factory.Faker(
        "date_between_dates", date_start=dt.date(2003, 1, 1), date_end=dt.date(2008, 1, 1)
    )
    highest_diploma = Diploma.NONE
    identity_key = factory.LazyAttributeSequence(
        lambda o, n: identity_key(
            last_name=o.last_name, first_name=f"{o.first_name}{n}", birth_date=o.birth_date
        )
    )


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    learner = factory.SubFactory(LearnerFactory)
    eligibility = factory.LazyFunction(lambda: {"eligible": True, "reasons": [], "explanations": []})
