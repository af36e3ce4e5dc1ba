"""« Mon agenda » and a cohort's agenda: who opens them (the access table), the address shown once,
revoked and replaced; the link from the young person's space and from the cohort's page."""

import re
from html import unescape

import pytest
from django.urls import reverse

from plombiers.calendars.enums import FeedKind
from plombiers.calendars.models import CalendarFeed
from plombiers.calendars.services import feed_create
from plombiers.privacy.models import AuditEvent
from plombiers.tests import access

pytestmark = pytest.mark.django_db

FEED_URL = re.compile(r'value="(https?://[^"]+/agenda/(agd_[^"]+)\.ics)"')


def test_anonymous_visitors_go_to_the_login_page(client, planning):
    for name, args in [
        ("calendars:learner_feed", []),
        ("calendars:cohort_feed", [planning.cohort.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
        assert response["Location"].startswith("/comptes/login/")
    for name, args in [
        ("calendars:learner_feed_create", []),
        ("calendars:cohort_feed_create", [planning.cohort.pk]),
    ]:
        assert client.post(reverse(name, args=args))["Location"].startswith("/comptes/login/")
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("role", access.ROLES)
def test_a_cohorts_agenda_is_its_schools_teams(client, cast, planning, role):
    """The school's team and the network staff open it and create an address; the other school,
    the young person of the cohort and everyone else get 404, and nothing is created."""
    client.force_login(getattr(cast, role))
    for school, cohort in (("a", planning.cohort), ("b", planning.cohort_b)):
        allowed = school in access.SCHOOL_TEAM.get(role, set())
        page = client.get(reverse("calendars:cohort_feed", args=[cohort.pk]))
        assert page.status_code == (200 if allowed else 404), (role, school)
        created = client.post(reverse("calendars:cohort_feed_create", args=[cohort.pk]))
        assert created.status_code == (200 if allowed else 404), (role, school)
        assert CalendarFeed.objects.filter(cohort=cohort).exists() == allowed, (role, school)


@pytest.mark.parametrize("role", access.ROLES)
def test_my_agenda_is_a_young_persons(client, cast, planning, role):
    client.force_login(getattr(cast, role))
    expected = 200 if role == "learner_a" else 404
    assert client.get(reverse("calendars:learner_feed")).status_code == expected, role
    assert client.post(reverse("calendars:learner_feed_create")).status_code == expected, role
    assert CalendarFeed.objects.filter(kind=FeedKind.LEARNER).exists() == (role == "learner_a")


def test_the_address_is_shown_once_then_revoked_and_replaced(client, cast, planning):
    client.force_login(cast.learner_a)
    page = client.get(reverse("calendars:learner_feed")).content.decode()
    assert "Créer mon adresse" in unescape(page)

    created = client.post(reverse("calendars:learner_feed_create"))
    html = unescape(created.content.decode())
    assert created["Cache-Control"].startswith("max-age=0")
    https_url, raw = FEED_URL.search(html).groups()
    assert https_url.startswith("https://plombiers.example/agenda/agd_")
    assert f'value="webcal://plombiers.example/agenda/{raw}.ics"' in html
    assert "Copier l'adresse" in html
    assert "Révoquer et créer une nouvelle adresse" in html
    feed = CalendarFeed.objects.get()
    assert raw not in feed.key_hash and len(feed.key_hash) == 64
    assert AuditEvent.objects.filter(action="calendar_feed.create", actor=cast.learner_a).count() == 1

    # Later, the page says the address is in service, never shows it again.
    again = unescape(client.get(reverse("calendars:learner_feed")).content.decode())
    assert raw not in again
    assert "Adresse en service" in again

    # Replaced: the old address stops, the new one works.
    replaced = unescape(client.post(reverse("calendars:learner_feed_create")).content.decode())
    new_raw = FEED_URL.search(replaced).group(2)
    assert new_raw != raw
    client.logout()
    assert client.get(f"/agenda/{raw}.ics").status_code == 404
    assert client.get(f"/agenda/{new_raw}.ics").status_code == 200

    # Revoked without a replacement: none works, the page offers to create one.
    client.force_login(cast.learner_a)
    live = CalendarFeed.objects.active().get()
    response = client.post(reverse("calendars:feed_revoke", args=[live.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("calendars:learner_feed")
    client.logout()
    assert client.get(f"/agenda/{new_raw}.ics").status_code == 404


def test_nobody_revokes_someone_elses_address(client, cast, planning):
    feed, raw = feed_create(by=cast.trainer_a, kind=FeedKind.COHORT, cohort=planning.cohort)
    for role in ("manager_a", "staff", "learner_a"):
        client.force_login(getattr(cast, role))
        assert client.post(reverse("calendars:feed_revoke", args=[feed.pk])).status_code == 404, role
    feed.refresh_from_db()
    assert feed.revoked_at is None
    client.logout()
    assert client.get(f"/agenda/{raw}.ics").status_code == 200


def test_the_links_from_the_young_persons_space_and_the_cohorts_page(client, cast, planning):
    agenda = reverse("calendars:cohort_feed", args=[planning.cohort.pk])
    client.force_login(cast.learner_a)
    assert reverse("calendars:learner_feed") in client.get("/mon-espace/").content.decode()
    assert (
        agenda not in client.get(reverse("cohorts:cohort_detail", args=[planning.cohort.pk])).content.decode()
    )
    client.force_login(cast.trainer_a)
    assert agenda in client.get(reverse("cohorts:cohort_detail", args=[planning.cohort.pk])).content.decode()
