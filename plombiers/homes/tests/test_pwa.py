"""The young person's space as an installable web app (issue 21): the manifest and its icons, the
service worker's script and headers, the CSP that lets them load, and the mark that alone lets the
service worker keep a page (the planning and attestations of a young person, nothing else)."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.homes.pwa import OFFLINE_HEADER
from plombiers.referrals.tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_space_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Plombiers — Mon espace"
    assert manifest["short_name"] == "Mon espace"
    assert manifest["lang"] == "fr"
    assert manifest["start_url"] == reverse("homes:learner") == "/mon-espace/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#")
    sizes = set()
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        assert "maskable" in icon["purpose"].split()
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_the_service_worker_is_served_from_the_root_uncached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert OFFLINE_HEADER.lower() in script
    # The paths it looks at: the planning and the attestations, nothing else.
    assert r'["^/promotions/\\d+/calendrier/$", "^/attestations/$"]' in script
    assert "/api/" not in script


def test_the_pages_link_the_manifest_and_the_csp_lets_it_and_the_worker_load(client, cast):
    client.force_login(cast.learner_a)
    response = client.get("/mon-espace/")
    html = response.content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#123a5c">' in html
    assert "plombiers/pwa.js" in html
    csp = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    assert csp["worker-src"] == "'self'"
    assert csp["manifest-src"] == "'self'"
    # Nothing else loosened.
    assert csp["script-src"] == "'self'"
    assert csp["default-src"] == "'self'"


def test_the_worker_is_registered_for_a_young_person_only(client, cast):
    client.force_login(cast.trainer_a)
    assert "plombiers/pwa.js" not in client.get("/").content.decode()


@pytest.fixture
def planning(cast):
    cohort = CohortFactory(school=cast.school_a)
    cohort.trainers.add(cast.trainer_a)
    EnrolmentFactory(cohort=cohort, learner=LearnerFactory(school=cast.school_a, user=cast.learner_a))
    return reverse("cohorts:cohort_calendar", args=[cohort.pk])


def test_only_the_young_persons_planning_and_attestations_are_marked_for_offline(client, cast, planning):
    client.force_login(cast.learner_a)
    assert client.get(planning)[OFFLINE_HEADER] == "1"
    assert client.get(reverse("credentials:attestation_list"))[OFFLINE_HEADER] == "1"
    # Their home, their follow-up and the htmx fragments are not kept.
    for url in ("/mon-espace/", reverse("outcomes:my_follow_up")):
        assert OFFLINE_HEADER not in client.get(url), url
    assert OFFLINE_HEADER not in client.get(planning, headers={"HX-Request": "true"})


def test_a_staff_page_is_never_marked_for_offline(client, cast, planning):
    client.force_login(cast.trainer_a)
    response = client.get(planning)
    assert response.status_code == 200
    assert OFFLINE_HEADER not in response
    assert OFFLINE_HEADER not in client.get(reverse("credentials:attestation_list"))
