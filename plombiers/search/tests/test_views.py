"""The global search (issue 21): the matching rule, strictly within `visible_to` for every role of
the cast, a result never leading to a 404, the same queries for 3 or 30 matches, the minimum
length, the htmx fragment equal to the full page's list, one group page by page."""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.internships.tests.factories import CompanySiteFactory
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory, PartnershipFactory
from plombiers.referrals.tests.factories import LearnerFactory, referred_by
from plombiers.search import selectors
from plombiers.tests import access

URL = reverse("search:search")
SEARCHERS = [role for role in access.ROLES if role not in {"learner_a", "outsider"}]
SCHOOL_A = access.TEAM_ROLES["a"]
SCHOOL_B = access.TEAM_ROLES["b"]

# What each role finds: « ines arn » (young people), « fibre » (companies and cohorts).
FINDS_LEARNERS = {
    "staff": {"ines_a", "ines_b"},
    **{role: {"ines_a"} for role in SCHOOL_A},
    **{role: {"ines_b"} for role in SCHOOL_B},
    "prescriber": {"ines_a"},  # the young person they referred, nobody else
}
FINDS_COMPANIES = {
    "staff": {"company_a", "company_b"},
    **{role: {"company_a"} for role in SCHOOL_A},
    **{role: {"company_b"} for role in SCHOOL_B},
}
FINDS_COHORTS = {
    "staff": {"cohort_a", "cohort_b"},
    **{role: {"cohort_a"} for role in SCHOOL_A},
    **{role: {"cohort_b"} for role in SCHOOL_B},
}


@pytest.fixture
def world(cast):
    """At school A: Inès Arnaud (referred by the cast's prescriber) in « Promotion fibre automne »;
    the partner company « Fibre A ». At school B: Inès Arnoux in « Promotion Fibre Roubaix »; the
    partner « Datacenter B », found by its site « Site fibre Lille ». And people nobody looks for."""
    cohort_a = CohortFactory(school=cast.school_a, name="Promotion fibre automne")
    cohort_b = CohortFactory(school=cast.school_b, name="Promotion Fibre Roubaix")
    ines_a = LearnerFactory(school=cast.school_a, first_name="Inès", last_name="Arnaud")
    referred_by(cast.prescriber, ines_a, cast.school_a)
    EnrolmentFactory(cohort=cohort_a, learner=ines_a)
    ines_b = LearnerFactory(school=cast.school_b, first_name="Inès", last_name="Arnoux")
    EnrolmentFactory(cohort=cohort_b, learner=ines_b)
    LearnerFactory(school=cast.school_a, first_name="Inès", last_name="Durand")
    LearnerFactory(school=cast.school_a, first_name="Bilal", last_name="Arnal")
    CompanySiteFactory(company=cast.company_b, name="Site fibre Lille", commune=cast.school_b.commune)
    CohortFactory(school=cast.school_a, name="Promotion data centre")
    return SimpleNamespace(cohort_a=cohort_a, cohort_b=cohort_b, ines_a=ines_a, ines_b=ines_b)


def found(response, key: str) -> list[str]:
    groups = {group.key: group for group in response.context["groups"]}
    return [hit.url for hit in groups[key].hits] if key in groups else []


def urls(cast, world, names, key) -> set[str]:
    objects = {**vars(cast), **vars(world)}
    return {objects[name].get_absolute_url() for name in names}


# --- the matching rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["ines arn", "Arn Inès", "INÈS ARNAUD", "arnaud", "  inés   ARNAUD  ", "Ines-Arnaud", "inès ar"],
)
def test_names_match_whatever_the_case_accents_and_order(client, cast, world, query):
    client.force_login(cast.manager_a)
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert found(response, "jeunes") == [world.ines_a.get_absolute_url()]


def test_every_word_must_match(client, cast, world):
    client.force_login(cast.manager_a)
    names = {hit.label for hit in selectors.learner_group(cast.manager_a, ["arn"], per_page=10).hits}
    assert names == {"Inès Arnaud", "Bilal Arnal"}
    assert not found(client.get(URL, {"q": "ines arnal"}), "jeunes")
    assert not found(client.get(URL, {"q": "zoé arnaud"}), "jeunes")


def test_companies_match_by_name_or_site_and_cohorts_by_name(client, cast, world):
    client.force_login(cast.staff)
    response = client.get(URL, {"q": "FIBRE"})
    assert set(found(response, "entreprises")) == urls(cast, world, {"company_a", "company_b"}, "")
    assert set(found(response, "promotions")) == urls(cast, world, {"cohort_a", "cohort_b"}, "")
    page = response.content.decode()
    assert "Site fibre Lille" in page  # why Datacenter B is there
    assert "École A Chelles" in page  # a cohort's school
    # Only companies: the prescribing structure and the funder are not in this group.
    assert not found(client.get(URL, {"q": "ml chelles"}), "entreprises")


def test_a_young_person_shows_their_cohort_and_school(client, cast, world):
    client.force_login(cast.manager_a)
    page = client.get(URL, {"q": "ines arnaud"}).content.decode()
    assert "Promotion fibre automne · École A Chelles" in page


# --- strictly within visible_to, for every role ---------------------------------------------------


@pytest.mark.parametrize("role", SEARCHERS)
def test_each_role_finds_only_what_it_may_see_and_every_result_opens(client, cast, world, role):
    client.force_login(getattr(cast, role))
    people = client.get(URL, {"q": "ines arn"})
    fibre = client.get(URL, {"q": "fibre"})
    assert set(found(people, "jeunes")) == urls(cast, world, FINDS_LEARNERS.get(role, set()), "")
    assert set(found(fibre, "entreprises")) == urls(cast, world, FINDS_COMPANIES.get(role, set()), "")
    assert set(found(fibre, "promotions")) == urls(cast, world, FINDS_COHORTS.get(role, set()), "")
    # A result never leads to a 404.
    for url in found(people, "jeunes") + found(fibre, "entreprises") + found(fibre, "promotions"):
        assert client.get(url).status_code == 200, url
    # Nothing of the other school leaks in the page either (a name, a cohort).
    page = people.content.decode() + fibre.content.decode()
    if role not in {"staff", *SCHOOL_B}:
        assert "Arnoux" not in page and "Roubaix" not in page
    if role not in {"staff", *SCHOOL_A, "prescriber"}:
        assert "Arnaud" not in page


@pytest.mark.parametrize("role", ["learner_a", "outsider"])
def test_a_young_person_or_an_account_without_membership_finds_no_such_page(client, cast, world, role):
    client.force_login(getattr(cast, role))
    assert client.get(URL, {"q": "ines arn"}).status_code == 404
    assert 'id="recherche-globale"' not in client.get(reverse("home"), follow=True).content.decode()


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(URL, {"q": "ines arn"})
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


@pytest.mark.parametrize("role", SEARCHERS)
def test_the_header_holds_the_field_for_those_who_search(client, cast, role):
    client.force_login(getattr(cast, role))
    page = client.get(URL, {"q": "zz"}).content.decode()
    assert 'role="search" aria-label="Recherche globale"' in page
    assert 'hx-trigger="input changed delay:250ms, search"' in page
    assert "Rechercher une personne, une entreprise, une promotion" in page


# --- queries, length, fragment, pages ----------------------------------------------------------


def _many(cast, n):
    for i in range(n):
        cohort = CohortFactory(school=cast.school_a, name=f"Promotion Morel {i}")
        learner = LearnerFactory(school=cast.school_a, first_name="Noé", last_name=f"Morel{i}")
        EnrolmentFactory(cohort=cohort, learner=learner)
        company = OrganisationFactory(network=cast.network, kind=OrganisationKind.COMPANY, name=f"Morel {i}")
        PartnershipFactory(school=cast.school_a, organisation=company)
        CompanySiteFactory(company=company, name=f"Morel site {i}", commune=cast.school_a.commune)


@pytest.mark.parametrize("n", [3, 30])
def test_the_query_count_is_the_same_for_3_and_30_matches(client, cast, django_assert_num_queries, n):
    _many(cast, n)
    client.force_login(cast.manager_a)
    # 1 session, 2 user, 3 memberships; young people: 4 count, 5 page with their school, 6 their
    # visible enrolments with cohort; companies: 7 names, 8 their sites' names, 9 the page's rows with
    # commune; cohorts: 10 names, 11 the page's rows with school
    with django_assert_num_queries(11):
        response = client.get(URL, {"q": "morel"})
    assert [group.count for group in response.context["groups"]] == [n, n, n]
    assert [len(group.hits) for group in response.context["groups"]] == [3, 3, 3] if n == 3 else [5, 5, 5]


def test_one_group_page_by_page(client, cast):
    _many(cast, 30)
    client.force_login(cast.manager_a)
    page = client.get(URL, {"q": "morel"}).content.decode()
    assert "Voir les 30 jeunes" in page and "Voir les 30 entreprises" in page
    first = client.get(URL, {"q": "morel", "groupe": "jeunes"})
    (group,) = first.context["groups"]
    assert (group.count, len(group.hits)) == (30, selectors.PAGE_SIZE)
    assert "Page 1 sur 2" in first.content.decode()
    second = client.get(URL, {"q": "morel", "groupe": "jeunes", "page": "2"})
    assert len(second.context["groups"][0].hits) == 30 - selectors.PAGE_SIZE
    assert client.get(URL, {"q": "morel", "groupe": "promotions", "page": "zut"}).status_code == 200


@pytest.mark.parametrize("query", ["", "a", " é ", "--", "'"])
def test_a_query_under_two_characters_gives_a_french_hint(
    client, cast, world, django_assert_num_queries, query
):
    client.force_login(cast.manager_a)
    # 1 session, 2 user, 3 memberships: nothing searched
    with django_assert_num_queries(3):
        response = client.get(URL, {"q": query}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Saisissez au moins 2 caractères" in response.content.decode()
    assert response.context["groups"] == []


def test_bad_input_gives_a_french_message_never_an_error(client, cast, world):
    client.force_login(cast.manager_a)
    too_long = client.get(URL, {"q": "a" * 101})
    assert too_long.status_code == 200 and "au plus 100 caractères" in too_long.content.decode()
    unknown = client.get(URL, {"q": "ines", "groupe": "tout"})
    assert unknown.status_code == 200 and "Sélectionnez un choix valide" in unknown.content.decode()
    assert client.get(URL, {"q": "ines|arn%_"}).status_code == 200
    assert client.post(URL, {"q": "ines"}).status_code == 405


def test_nothing_found_says_so(client, cast, world):
    client.force_login(cast.manager_a)
    assert "Aucun résultat pour « xylophone »." in client.get(URL, {"q": "xylophone"}).content.decode()


def test_the_htmx_fragment_is_the_full_pages_list(client, cast, world):
    client.force_login(cast.staff)
    full = client.get(URL, {"q": "fibre"}).content.decode()
    fragment = client.get(URL, {"q": "fibre"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "Fibre A" in fragment
    listed = re.search(r'<div id="resultats">(.*)</div>\s*</main>', full, re.S).group(1)
    assert fragment.strip() == listed.strip()


def test_an_anonymised_record_is_never_found(client, cast, world):
    from plombiers.rights.purge import ANONYMISED_KEY

    world.ines_a.identity_key = ANONYMISED_KEY.format(pk=world.ines_a.pk)
    world.ines_a.save(update_fields=["identity_key"])
    client.force_login(cast.manager_a)
    assert not found(client.get(URL, {"q": "anonyme"}), "jeunes")
