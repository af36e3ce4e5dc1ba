"""Who reaches the offers, applications and partner-company pages: every role of the cast against
both schools' objects. Another school and anybody outside the schools' teams get 404; the social
worker reads applications but moves none (403), as the internship services decide."""

import pytest
import time_machine
from django.urls import reverse

from plombiers.internships.models import Application, Offer
from plombiers.internships.tests.conftest import placement  # noqa: F401 — a fixture
from plombiers.internships.tests.offers_fixtures import offers_fixture  # noqa: F401 — the `offers` fixture
from plombiers.tests import access

ROLES = access.ROLES
TEAM = access.TEAM_ROLES
# Who may move and propose applications (`can_manage_internships`): not the social worker.
MOVES = access.OFFER_MOVERS
SCHOOL_SIDE = access.SCHOOL_SIDE


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-10 10:00+01:00", tick=False):
        yield


def sides(cast, offers):
    return {
        "a": {
            "offer": offers.offer_a,
            "company": cast.company_a,
            "site": offers.placement.site,
            "tutor": offers.placement.tutor,
            "application": offers.application_a,
        },
        "b": {
            "offer": offers.offer_b,
            "company": cast.company_b,
            "site": offers.site_b,
            "tutor": offers.tutor_b,
            "application": offers.application_b,
        },
    }


def sees(role, side) -> bool:
    return role == "staff" or role in TEAM[side]


@pytest.mark.parametrize("role", ROLES)
def test_pages_of_both_schools(client, cast, offers, role):
    client.force_login(getattr(cast, role))
    for url in (reverse("internships:offer_list"), reverse("internships:offer_create")):
        opens = role in SCHOOL_SIDE or role in access.NETWORK_STAFF
        response = client.get(url)
        assert response.status_code == (200 if opens else 404), (role, url)
        if role == "staff_other":  # their own network's offers, companies and schools only
            for name in (cast.school_a.name, cast.school_b.name, cast.company_a.name, cast.company_b.name):
                assert name not in response.content.decode(), (url, name)
    applications = client.get(reverse("internships:application_list"))
    readers = SCHOOL_SIDE | access.NETWORK_STAFF | {"learner_a"}
    assert applications.status_code == (200 if role in readers else 404), role
    for side, objects in sides(cast, offers).items():
        expected = 200 if sees(role, side) else 404
        urls = [
            objects["offer"].get_absolute_url(),
            reverse("internships:offer_edit", args=[objects["offer"].pk]),
            reverse("internships:company_detail", args=[objects["company"].pk]),
            reverse("internships:site_create", args=[objects["company"].pk]),
            reverse("internships:site_edit", args=[objects["site"].pk]),
            reverse("internships:tutor_create", args=[objects["company"].pk]),
            reverse("internships:tutor_edit", args=[objects["tutor"].pk]),
        ]
        for url in urls:
            assert client.get(url).status_code == expected, (role, side, url)
        if applications.status_code == 200:
            listed = {a.pk for a in applications.context["page"].object_list}
            assert (objects["application"].pk in listed) == (
                sees(role, side) or (role, side) == ("learner_a", "a")
            )
        if expected == 200:
            # Only the team that proposes young people sees the forms that move them.
            rows = client.get(objects["offer"].get_absolute_url()).context["rows"]
            assert [row.form is not None for row in rows] == [role == "staff" or role in MOVES[side]]


@pytest.mark.parametrize("role", ROLES)
def test_writes_of_both_schools(client, cast, offers, role):
    client.force_login(getattr(cast, role))
    for side, objects in sides(cast, offers).items():
        application, offer = objects["application"], objects["offer"]
        prefix = f"c{application.pk}"
        response = client.post(
            reverse("internships:application_transition", args=[application.pk]),
            {f"{prefix}-status": "entretien", f"{prefix}-note": "Entretien fixé"},
        )
        own = (role, side) == ("learner_a", "a")
        if role == "staff" or role in MOVES[side]:
            expected = 302
        elif sees(role, side) or own:
            expected = 403  # the social worker, the young person themself: read, never move
        else:
            expected = 404
        assert response.status_code == expected, (role, side)
        assert Application.objects.get(pk=application.pk).status == (
            "entretien" if expected == 302 else "propose"
        )

        response = client.post(reverse("internships:application_create", args=[offer.pk]), {"enrolment": ""})
        if role == "staff" or role in MOVES[side]:
            assert response.status_code == 400 and "Ce champ est obligatoire." in response.content.decode()
        else:
            assert response.status_code == (403 if sees(role, side) else 404), (role, side)

        response = client.post(reverse("internships:offer_status", args=[offer.pk]), {"status": "fermee"})
        assert response.status_code == (302 if sees(role, side) else 404), (role, side)
        assert Offer.objects.get(pk=offer.pk).status == ("fermee" if sees(role, side) else "ouverte")
