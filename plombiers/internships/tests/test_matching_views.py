"""Matching pages and API: access, content, « Proposer », pinned query counts."""

import pytest
from django.urls import reverse

from plombiers.internships.models import Application
from plombiers.internships.tests.factories import OfferFactory
from plombiers.internships.tests.matching_fixtures import case_fixture, frozen_fixture  # noqa: F401

pytestmark = pytest.mark.usefixtures("frozen")


def learner_url(case):
    return reverse("internships:learner_offers", args=[case.enrolment.pk])


def offer_url(offer):
    return reverse("internships:offer_learners", args=[offer.pk])


@pytest.mark.parametrize("who", ["manager_a", "trainer_a", "social_worker_a", "staff"])
def test_the_team_and_the_network_see_both_pages(client, cast, case, who):
    client.force_login(getattr(cast, who))
    page = client.get(learner_url(case)).content.decode()
    assert "2 compétences sur 3 · 19 km · permis non requis · dès le 05/01/2027" in page
    assert page.index("Pontault") < page.index("Meaux") < page.index(">Paris<")
    assert "Bobigny" not in page and "Montereau" not in page
    page = client.get(offer_url(case.offers.paris)).content.decode()
    assert "3 compétences sur 3 · à moins d&#x27;1 km" in page
    assert page.index("Paul Test") < page.index("Inès Arnaud") < page.index("Nina Test")
    assert "Zoé Test" not in page and "Bruno Test" not in page


@pytest.mark.parametrize("who", ["manager_b", "trainer_b", "outsider", "learner_a", "prescriber", "funder"])
def test_another_school_and_outsiders_get_404(client, cast, case, who):
    client.force_login(getattr(cast, who))
    assert client.get(learner_url(case)).status_code == 404
    assert client.get(offer_url(case.offers.paris)).status_code == 404
    propose = reverse("internships:match_propose", args=[case.enrolment.pk, case.offers.paris.pk])
    assert client.post(propose).status_code == 404
    assert not Application.objects.exists()


def test_school_b_sees_its_partner_offer_not_school_a_learners(client, cast, case):
    client.force_login(cast.manager_b)
    page = client.get(offer_url(case.offers.other_school)).content.decode()
    assert "Bruno Test" in page and "Inès" not in page and "Paul" not in page


def test_propose_from_the_young_person_page(client, cast, case):
    client.force_login(cast.trainer_a)
    url = reverse("internships:match_propose", args=[case.enrolment.pk, case.offers.paris.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == learner_url(case)
    application = Application.objects.get()
    assert (application.enrolment, application.offer, application.proposed_by) == (
        case.enrolment,
        case.offers.paris,
        cast.trainer_a,
    )
    page = response.content.decode()
    assert "est proposé·e pour « Paris »" in page and "Déjà proposé·e" in page
    # Twice: a clear French message, nothing more written.
    response = client.post(url, follow=True)
    assert "déjà proposé·e pour cette offre" in response.content.decode()
    assert Application.objects.count() == 1


def test_propose_from_the_offer_page_goes_back_to_it(client, cast, case):
    client.force_login(cast.manager_a)
    url = reverse("internships:match_propose", args=[case.paul.pk, case.offers.paris.pk])
    response = client.post(url, {"back": "offre"})
    assert response.url == offer_url(case.offers.paris)
    assert Application.objects.filter(enrolment=case.paul).exists()


def test_a_social_worker_sees_no_propose_button_and_cannot_propose(client, cast, case):
    client.force_login(cast.social_worker_a)
    assert "Proposer" not in client.get(learner_url(case)).content.decode()
    url = reverse("internships:match_propose", args=[case.enrolment.pk, case.offers.paris.pk])
    response = client.post(url, follow=True)
    assert "Seule l&#x27;équipe de l&#x27;école prépare les stages." in response.content.decode()
    assert not Application.objects.exists()


def test_a_closed_offer_cannot_be_proposed(client, cast, case):
    client.force_login(cast.manager_a)
    url = reverse("internships:match_propose", args=[case.enrolment.pk, case.offers.closed.pk])
    response = client.post(url, follow=True)
    assert "Cette offre n&#x27;est plus ouverte." in response.content.decode()
    assert not Application.objects.exists()
    page = client.get(offer_url(case.offers.closed)).content.decode()
    assert "Cette offre n'est plus ouverte : elle" in page


def test_a_young_person_without_commune(client, cast, case):
    case.learner.commune = None
    case.learner.save()
    client.force_login(cast.manager_a)
    page = client.get(learner_url(case)).content.decode()
    assert "commune du ou de la jeune n'est pas renseignée" in page


def test_query_counts_do_not_grow_with_the_results(client, cast, case, communes, django_assert_num_queries):
    client.force_login(cast.manager_a)
    client.get(learner_url(case))  # session and memberships warm in the same way each time

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    # session, user, memberships; the enrolment; matching (the young person, the offers in the box
    # with their skills, the acquired skills); the offers shown; the applications
    with django_assert_num_queries(9):
        client.get(learner_url(case))
    # session, user, memberships; the offer; matching (the offer with its skills, the young people,
    # their acquired skills); the enrolments shown; the applications
    with django_assert_num_queries(9):
        client.get(offer_url(case.offers.paris))
    before = count(learner_url(case)), count(offer_url(case.offers.paris))
    for _ in range(3):
        extra = OfferFactory(title="Encore", commune=communes["77108"], company=cast.company_a, kind="emploi")
        extra.required_skills.set(case.skills[:2])
    assert (count(learner_url(case)), count(offer_url(case.offers.paris))) == before


# --- API -----------------------------------------------------------------------------------------


def test_api_matches_of_a_young_person(client, cast, case, django_assert_num_queries):
    client.force_login(cast.trainer_a)
    url = f"/api/v1/learners/{case.learner.pk}/matches"
    # session, user, memberships; the young person; their current enrolment; matching (3); the offers
    with django_assert_num_queries(9):
        response = client.get(url)
    data = response.json()
    assert data["count"] == 4 and len(data["items"]) == 4
    first = data["items"][0]
    assert first["offer_id"] == case.offers.pontault.pk
    assert first["learner_id"] == case.learner.pk and first["learner_name"] == "Inès Arnaud"
    assert first["company"] == "Fibre A" and first["offer_title"] == "Pontault"
    paris = data["items"][2]
    assert paris["explanation"] == "2 compétences sur 3 · 19 km · permis non requis · dès le 05/01/2027"
    assert (paris["skills_matched"], paris["skills_required"], paris["starts_on"]) == (2, 3, "2027-01-05")
    assert client.get(url, {"limit": 1}).json()["count"] == 1
    assert client.get(url, {"limit": 0}).status_code == 422
    # Léo finished in April: no current enrolment, nothing to match.
    assert client.get(f"/api/v1/learners/{case.leo.learner_id}/matches").json() == {"items": [], "count": 0}


def test_api_matches_of_an_offer(client, cast, case, django_assert_num_queries):
    client.force_login(cast.staff)
    url = f"/api/v1/offers/{case.offers.paris.pk}/matches"
    # session, user, memberships; the offer; matching (the offer with its skills, the young people,
    # their acquired skills); the enrolments
    with django_assert_num_queries(8):
        response = client.get(url)
    data = response.json()
    assert [item["enrolment_id"] for item in data["items"]] == [case.paul.pk, case.enrolment.pk, case.nina.pk]
    assert data["items"][0]["score"] == 1.0 and data["count"] == 3


@pytest.mark.parametrize("who", ["manager_b", "outsider", "learner_a", "prescriber"])
def test_api_another_school_and_outsiders_get_404(client, cast, case, who):
    client.force_login(getattr(cast, who))
    assert client.get(f"/api/v1/learners/{case.learner.pk}/matches").status_code == 404
    assert client.get(f"/api/v1/offers/{case.offers.paris.pk}/matches").status_code == 404


def test_api_needs_authentication(client, case):
    assert client.get(f"/api/v1/offers/{case.offers.paris.pk}/matches").status_code == 401
