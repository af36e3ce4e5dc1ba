"""Several networks on one instance: the reference data a network adds is its own. A barrier
category or a partner service of another network never shows on a network's pages nor in its API,
and cannot be written into its records; the shared defaults (no network) show everywhere."""

import pytest
from django.urls import reverse

from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory
from plombiers.support.models import Action, Barrier, BarrierCategory, PartnerService
from plombiers.support.tests.test_api import api
from plombiers.support.tests.test_views import support_make, url

OURS = "Addiction aux jeux"
THEIRS = "Garde d'animaux"


@pytest.fixture
def world(cast, communes):
    """School A's young person; a category and a service of the cast's network, and a category
    and a service of the other network — that service in Chelles, next to the young person."""
    support = support_make(cast, communes)
    ours = BarrierCategory.objects.create(network=cast.network, code="jeux", name=OURS, position=20)
    theirs = BarrierCategory.objects.create(
        network=cast.other_network, code="animaux", name=THEIRS, position=21
    )
    organisation = OrganisationFactory(
        network=cast.other_network,
        kind=OrganisationKind.SOCIAL_SERVICE,
        name="Foyer du réseau voisin",
        commune=communes["77108"],
    )
    service = PartnerService.objects.create(organisation=organisation)
    service.categories.set(BarrierCategory.objects.filter(code__in=["logement", "animaux"]))
    return support, ours, theirs, organisation


@pytest.mark.parametrize("role", ["social_worker_a", "trainer_a", "staff"])
def test_a_category_of_another_network_does_not_show_on_the_pages(client, cast, world, role):
    support, _ours, _theirs, organisation = world
    client.force_login(getattr(cast, role))
    page = client.get(url("learner_support", support.learner)).content.decode()
    assert "Logement" in page and OURS in page  # the shared defaults and the network's own
    assert THEIRS not in page
    assert organisation.name not in page  # nor the other network's service, next door


def test_the_other_network_sees_its_own_and_the_defaults(cast, world):
    _support, ours, theirs, _organisation = world
    visible = set(BarrierCategory.objects.visible_to(cast.staff_other))
    assert theirs in visible and ours not in visible
    assert BarrierCategory.objects.get(code="logement") in visible
    assert set(BarrierCategory.objects.visible_to(cast.manager_a)) == set(
        BarrierCategory.objects.of_network(cast.network.pk)
    )
    assert (
        list(
            PartnerService.objects.visible_to(cast.manager_a).filter(organisation__network=cast.other_network)
        )
        == []
    )
    assert list(PartnerService.objects.visible_to(cast.staff_other)) == list(
        PartnerService.objects.filter(organisation__network=cast.other_network)
    )


def test_a_category_of_another_network_cannot_be_diagnosed(client, cast, world):
    support, ours, _theirs, _organisation = world
    client.force_login(cast.social_worker_a)
    response = client.post(url("barrier_set", support.learner), {"category": "animaux", "level": "bloquant"})
    assert response.status_code == 400
    assert "Catégorie de frein inconnue" in response.content.decode()
    assert not Barrier.objects.filter(category__code="animaux").exists()
    call = api(client, cast.social_worker_a)
    path = f"/learners/{support.learner.pk}/barriers"
    response = call("post", path, data={"category": "animaux", "level": "bloquant"})
    assert response.status_code == 422
    assert not Barrier.objects.filter(category__code="animaux").exists()
    # The network's own category is diagnosed as a default one.
    response = client.post(
        url("barrier_set", support.learner), {"category": ours.code, "level": "a_surveiller"}
    )
    assert response.status_code == 302
    assert Barrier.objects.filter(learner=support.learner, category=ours).exists()


def test_the_directory_is_the_networks_own(client, cast, world):
    support, _ours, _theirs, organisation = world
    call = api(client, cast.social_worker_a)
    names = {s["name"] for s in call("get", "/services?near=77108").json()["items"]}
    assert "FJT de Chelles" in names and organisation.name not in names
    assert call("get", "/services?category=animaux").status_code == 422
    theirs = {s["name"] for s in api(client, cast.staff_other)("get", "/services").json()["items"]}
    assert theirs == {organisation.name}
    # Another network's service is no partner for an action, by the API or the page.
    action = {"barrier": support.housing.pk, "description": "Visite", "due_on": "2030-01-01"}
    path = f"/learners/{support.learner.pk}/actions"
    response = call("post", path, data={**action, "partner": organisation.pk})
    assert response.status_code == 422
    client.force_login(cast.social_worker_a)
    response = client.post(url("action_create", support.learner), {**action, "partner": organisation.pk})
    assert response.status_code == 400
    assert not Action.objects.filter(partner=organisation).exists()
    assert reverse("support:learner_support", args=[support.learner.pk])
