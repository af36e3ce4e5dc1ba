import datetime as dt

import factory

from plombiers.internships.models import CompanySite, Internship, Offer
from plombiers.network.models import Contact


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    full_name = factory.Faker("name", locale="fr_FR")
    job_title = "Chef d'équipe"
    email = factory.Sequence(lambda n: f"tuteur{n}@entreprise.example")


class CompanySiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanySite

    name = factory.Sequence(lambda n: f"Agence {n}")


class InternshipFactory(factory.django.DjangoModelFactory):
    """A draft internship; pass enrolment, site and tutor."""

    class Meta:
        model = Internship

    start_date = dt.date(2026, 11, 16)
    end_date = dt.date(2026, 11, 27)


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    title = factory.Sequence(lambda n: f"Technicien·ne raccordement {n}")
    latitude = factory.LazyAttribute(lambda o: o.commune.latitude)
    longitude = factory.LazyAttribute(lambda o: o.commune.longitude)
