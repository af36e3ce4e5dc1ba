import datetime as dt

import factory

from plombiers.network.models import School
from plombiers.referrals.enums import Diploma
from plombiers.referrals.models import Learner, Referral, identity_key


def adopt(learner: Learner, school: School) -> None:
    """Each school keeps its own record of a person. A learner made without naming a school is
    given the first school it is referred to or enrolled in; a record of another school named on
    purpose is a mistake in the test, not a situation the application can reach."""
    if learner.school_id == school.pk:
        return
    if not getattr(learner, "school_guessed", False):
        raise ValueError(f"{learner} est une fiche de {learner.school}, pas de {school}.")
    learner.school = school
    learner.save(update_fields=["school"])
    learner.school_guessed = False


class LearnerFactory(factory.django.DjangoModelFactory):
    """A school's record of a young person; without `school`, the first school of the database until
    `adopt` gives it the school of its first referral or enrolment."""

    class Meta:
        model = Learner

    school = factory.LazyFunction(lambda: School.objects.order_by("pk").first())

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

    @classmethod
    def _generate(cls, strategy, params):
        learner = super()._generate(strategy, params)
        learner.school_guessed = "school" not in params and "school_id" not in params
        return learner


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    learner = factory.SubFactory(LearnerFactory, school=factory.SelfAttribute("..school"))
    eligibility = factory.LazyFunction(lambda: {"eligible": True, "reasons": [], "explanations": []})

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if "learner" in kwargs and "school" in kwargs:
            adopt(kwargs["learner"], kwargs["school"])
        return super()._create(model_class, *args, **kwargs)


def referred_by(prescriber, learner: Learner, school: School, **fields) -> Referral:
    """The prescriber's referral that led this young person into the school: their enrolments there
    come from it (a prescriber follows the enrolments of their own referrals only)."""
    fields.setdefault("status", "admise")
    referral = ReferralFactory(school=school, learner=learner, prescriber=prescriber, **fields)
    learner.enrolments.filter(cohort__school=school, referral__isnull=True).update(referral=referral)
    return referral
