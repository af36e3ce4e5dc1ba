"""The demo's second network (DEMO.md, « Réseau Fibres du Sud »): two schools on the same instance, and
each network sees nothing of the other's."""

import pytest
from django.core.management.base import CommandError
from django.urls import reverse

from plombiers.accounts.models import Membership, User
from plombiers.cohorts.models import Enrolment
from plombiers.conftest import built_once
from plombiers.demo.management.commands.demo import refuse_foreign_database
from plombiers.demo.network import Builder
from plombiers.demo.second_network import (
    ACCOUNTS,
    SECOND_NETWORK,
    SecondNetworkBuilder,
    second_network_counts,
)
from plombiers.frameworks.loader import frameworks_load
from plombiers.network.models import Organisation, School
from plombiers.referrals.models import Learner
from plombiers.support.models import BarrierCategory, PartnerService


def _build(communes):
    first = Builder().build()
    frameworks_load()
    second = SecondNetworkBuilder().build()
    return first, second


demo_built = built_once(_build)


@pytest.fixture
def demo(demo_built, db):
    return demo_built


def _counts():
    return [
        m.objects.count()
        for m in (School, Organisation, User, Membership, Learner, Enrolment, PartnerService)
    ]


def test_two_schools_their_teams_and_young_people(demo):
    _first, second = demo
    assert second.network.slug == SECOND_NETWORK
    assert {s.commune.name for s in second.schools.values()} == {"Perpignan", "Bastia"}
    for school in second.schools.values():
        assert Enrolment.objects.filter(cohort__school=school).count() == 4
        assert {p.network_id for p in school.partners.all()} == {second.network.pk}
    for email, _name, role, _scope in ACCOUNTS:
        assert Membership.objects.filter(user__email=email, role=role).exists()
    assert second_network_counts(second.network) == {"écoles": 2, "jeunes": 8, "comptes": len(ACCOUNTS)}
    before = _counts()
    SecondNetworkBuilder().build()
    assert _counts() == before  # twice changes nothing
    refuse_foreign_database()  # both networks, every team's account: the demo's own, run again
    User.objects.create(email="vraie.personne@reseau.example")
    with pytest.raises(CommandError, match=r"vraie\.personne@reseau\.example"):
        refuse_foreign_database()


def test_each_network_sees_nothing_of_the_other(client, demo):
    first, second = demo
    ours = User.objects.get(email="reseau.sud@plombiers.example")
    theirs = first.users["reseau@plombiers.example"]
    assert set(School.objects.visible_to(ours)) == set(second.schools.values())
    assert not School.objects.visible_to(theirs).filter(network=second.network).exists()
    assert not Learner.objects.visible_to(theirs).filter(school__network=second.network).exists()
    assert not Learner.objects.visible_to(ours).filter(school__network=first.network).exists()
    own = BarrierCategory.objects.get(code="insularite")
    assert own in BarrierCategory.objects.visible_to(ours)
    assert own not in BarrierCategory.objects.visible_to(theirs)
    client.force_login(ours)
    assert (
        client.get(reverse("network:school_detail", args=[first.schools["chelles"].slug])).status_code == 404
    )
    listed = client.get(reverse("network:school_list")).content.decode()
    assert "École Sud Perpignan" in listed and "Plombiers Chelles" not in listed
    client.force_login(theirs)
    perpignan = second.schools["perpignan"]
    assert client.get(reverse("network:school_detail", args=[perpignan.slug])).status_code == 404
