"""Every URL pattern of the project is in the access table (`tests/access.py`), and the pages no
other access test reached are proved here: an anonymous visitor is sent to the login page, another
school's staff gets 404, and the role the rule names opens it."""

from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from plombiers.accounts.services import api_token_create
from plombiers.frameworks.models import Framework
from plombiers.internships.tests.conftest import placement  # noqa: F401 — a fixture
from plombiers.internships.tests.offers_fixtures import offers_fixture  # noqa: F401 — the `offers` fixture
from plombiers.referrals.tests.factories import ReferralFactory
from plombiers.support.tests.test_views import support_make
from plombiers.tests import access

PLOMBIERS = Path(__file__).resolve().parents[1]


def url_names():
    """Every named URL, with its namespaces (`cohorts:cohort_detail`), walking every include."""
    return {name for name, _pattern in _patterns()}


def test_every_url_is_in_the_access_table():
    names = url_names()
    uncovered = sorted(
        name
        for name in names
        if name not in access.URLS
        and name not in access.PUBLIC
        and not name.startswith(tuple(access.EXCLUDED))
    )
    assert uncovered == [], f"{len(uncovered)} URL(s) absentes de tests/access.py : {', '.join(uncovered)}"
    assert not (set(access.URLS) | access.PUBLIC) - names, "des noms de tests/access.py n'existent plus"


@pytest.mark.parametrize("name", sorted(access.URLS))
def test_the_module_named_for_a_url_calls_it(name):
    """The table says which test proves each URL's rule: that module names the URL (in full, or its
    short name in a parametrized list of its app)."""
    text = (PLOMBIERS / access.URLS[name]).read_text()
    app, short = name.split(":") if ":" in name else ("", name)
    assert f'"{name}"' in text or (f'"{short}"' in text and app in text), (name, access.URLS[name])


def _anonymous_goes_to_login(client, url, method="get"):
    response = getattr(client, method)(url)
    assert response.status_code == 302, url
    assert response["Location"].startswith("/comptes/login/"), url


@pytest.fixture
def pages(cast, communes, offers):
    """School A's objects behind the pages no other access test reaches, and their URLs."""
    support = support_make(cast, communes)
    referral = ReferralFactory(school=cast.school_a)
    framework = Framework.objects.get(trade__slug="fibre-optique")
    enrolment = offers.placement.enrolment
    learner = support.learner.pk
    return {
        # GET pages of one of school A's objects: (URL, a role that opens it)
        "get": [
            (reverse("referrals:referral_detail", args=[referral.pk]), "manager_a"),
            (reverse("internships:offer_detail", args=[offers.offer_a.pk]), "trainer_a"),
            (reverse("internships:offer_learners", args=[offers.offer_a.pk]), "trainer_a"),
            (reverse("internships:learner_offers", args=[enrolment.pk]), "trainer_a"),
            (reverse("support:consent_notice", args=[learner]), "social_worker_a"),
        ],
        # POST-only actions on school A's objects
        "post": [
            reverse("support:action_create", args=[learner]),
            reverse("support:action_update", args=[learner, support.action.pk]),
            reverse("support:barrier_set", args=[learner]),
            reverse("support:consent_record", args=[learner]),
            reverse("support:journal_add", args=[learner]),
            reverse("internships:match_propose", args=[enrolment.pk, offers.offer_a.pk]),
        ],
        "framework": reverse("skills:framework_detail", args=[framework.pk]),
    }


def test_pages_of_a_schools_objects(client, cast, pages):
    for url, _role in pages["get"]:
        _anonymous_goes_to_login(client, url)
    for url in pages["post"]:
        _anonymous_goes_to_login(client, url, "post")
    client.force_login(cast.manager_b)
    for url, _role in pages["get"]:
        assert client.get(url).status_code == 404, url
    for url in pages["post"]:
        assert client.post(url, {}).status_code == 404, url
    for url, role in pages["get"]:
        client.force_login(getattr(cast, role))
        assert client.get(url).status_code == 200, (url, role)


def test_pages_of_ones_own(client, cast):
    """Pages without an object: every signed-in person opens their own (tokens, two-factor setup,
    attestations, commune suggestions); an anonymous visitor is sent to the login page."""
    urls = [
        reverse("accounts:token_list"),
        reverse("accounts:token_create"),
        reverse("accounts:mfa_setup"),
        reverse("credentials:my_attestations"),
        reverse("network:commune_suggestions") + "?commune=chel",
    ]
    for url in urls:
        _anonymous_goes_to_login(client, url)
    client.force_login(cast.learner_a)
    for url in urls:
        assert client.get(url).status_code in {200, 405}, url


def test_a_token_is_revoked_by_its_owner_only(client, cast):
    token, _raw = api_token_create(user=cast.manager_a)
    url = reverse("accounts:token_revoke", args=[token.pk])
    _anonymous_goes_to_login(client, url, "post")
    client.force_login(cast.manager_b)
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    client.force_login(cast.manager_a)
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_at <= timezone.now()


def test_frameworks_are_for_the_schools_staff(client, cast, pages):
    """The school side of any network: frameworks are the trades', shared by every network."""
    url = pages["framework"]
    _anonymous_goes_to_login(client, url)
    for role in access.ROLES:
        client.force_login(getattr(cast, role))
        expected = 200 if role in access.SCHOOL_SIDE | access.NETWORK_STAFF else 404
        assert client.get(url).status_code == expected, role


def test_the_network_impact_page_and_its_recompute(client, cast):
    detail = reverse("impact:network_detail", args=[cast.network.pk])
    refresh = reverse("impact:rollup_refresh", args=[cast.network.pk])
    _anonymous_goes_to_login(client, detail)
    _anonymous_goes_to_login(client, refresh, "post")
    for role in access.ROLES:
        client.force_login(getattr(cast, role))
        expected = 200 if "network" in access.IMPACT_DASHBOARDS.get(role, set()) else 404
        assert client.get(detail).status_code == expected, role
        assert client.post(refresh).status_code == (302 if role == "staff" else 404), role


def test_public_urls_never_ask_to_sign_in(client, cast):
    """Each public URL answers an anonymous visitor itself (the page, or 404 for an unknown
    attestation, school or link), never with the login page."""
    unknown = "00000000-0000-4000-8000-000000000000"
    args = {"public_id": [unknown], "slug": ["inconnu"], "token": ["lien-inconnu"], "pk": [999999]}
    for name in sorted(access.PUBLIC):
        pattern = next(p for p in _patterns() if p[0] == name)[1]
        kwargs = {
            key: values[0] for key, values in args.items() if f"<{key}>" in pattern or f":{key}>" in pattern
        }
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code in {200, 404}, (name, response.status_code)
        assert not response.get("Location", "").startswith("/comptes/login/"), name


def _patterns(resolver=None, namespace=(), prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespace, pattern.namespace) if pattern.namespace else namespace
            yield from _patterns(pattern, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join((*namespace, pattern.name)), prefix + str(pattern.pattern)
