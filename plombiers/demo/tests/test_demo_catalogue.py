"""The catalogue in the demo: Chelles' next cohort is listed with places left, and two young people
applied to it from the catalogue (« candidature directe »)."""

import pytest
from django.urls import reverse

from plombiers.demo.catalogue import CatalogueBuilder
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.network import Builder
from plombiers.referrals.enums import ReferralSource
from plombiers.referrals.models import Referral


@pytest.fixture
def demo(communes):
    demo = Builder().build()
    intake = IntakeBuilder()
    intake.save(intake.plan(demo, intake.prescribers(demo), only={"chelles"}))
    return demo


def test_the_catalogue_shows_chelles_next_cohort_and_its_direct_applications(client, demo):
    chelles = demo.schools["chelles"]
    made = CatalogueBuilder().build(demo)
    assert len(made) == 2
    assert CatalogueBuilder().build(demo) == []  # twice changes nothing
    direct = Referral.objects.filter(school=chelles, source=ReferralSource.SELF_REFERRAL)
    assert direct.count() == 2 and not direct.filter(prescriber__isnull=False).exists()
    page = client.get(reverse("catalogue:cohort_list"), {"ecole": chelles.slug})
    (cohort,) = page.context["page"].object_list
    assert cohort.seats_left > 0
    client.force_login(demo.users["direction@plombiers.example"])
    listing = client.get(reverse("referrals:referral_list")).content.decode()
    assert "Candidature directe" in listing
