import datetime as dt

import factory
from faker import Faker

from plombiers.network.enums import OrganisationKind, SchoolStatus
from plombiers.network.models import Commune, Network, Organisation, Partnership, School, Trade

_fake = Faker("fr_FR")


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ["slug"]

    name = "Réseau de test"
    slug = "test"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    network = factory.SubFactory(NetworkFactory)
    name = factory.Sequence(lambda n: f"École {n}")
    slug = factory.Sequence(lambda n: f"ecole-{n}")
    trade = factory.LazyFunction(lambda: Trade.objects.get(slug="fibre-optique"))
    commune = factory.LazyFunction(lambda: Commune.objects.filter(kind=Commune.Kind.COMMUNE).first())
    status = SchoolStatus.OPEN
    opened_on = dt.date(2020, 9, 1)
    default_cohort_capacity = factory.LazyAttribute(lambda o: o.trade.default_cohort_capacity)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    network = factory.SubFactory(NetworkFactory)
    kind = OrganisationKind.COMPANY
    name = factory.Faker("company", locale="fr_FR")
    siret = factory.LazyFunction(lambda: _fake.siret().replace(" ", ""))


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    school = factory.SubFactory(SchoolFactory)
    organisation = factory.SubFactory(OrganisationFactory)
