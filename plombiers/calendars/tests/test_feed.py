"""The feed itself, read as a calendar application reads it and parsed by another library than the
one that wrote it (vobject): its events, their times in Paris, whole days, stable UIDs and
sequences; 404 for an unknown or revoked address or an owner who may no longer see the target; a
throttle; a fixed number of queries."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
import vobject

from plombiers.accounts.models import Membership
from plombiers.calendars.enums import FeedKind
from plombiers.calendars.services import feed_create, feed_revoke
from plombiers.cohorts import attendance
from plombiers.cohorts.enums import Period

from .conftest import HEALTH, MONDAY, NOTE, OUTCOME

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def read(client, raw):
    response = client.get(f"/agenda/{raw}.ics")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = vobject.readOne(response.content.decode())
    return calendar, {event.uid.value: event for event in calendar.vevent_list}


def test_a_young_persons_feed_holds_their_half_days_internship_and_appointments(client, cast, planning):
    _feed, raw = feed_create(by=cast.learner_a, kind=FeedKind.LEARNER)
    calendar, events = read(client, raw)
    assert calendar.version.value == "2.0"
    assert calendar.vtimezone.tzid.value == "Europe/Paris"
    assert set(events) == {
        f"trainingsession-{planning.summer.pk}@plombiers.example",
        f"trainingsession-{planning.winter.pk}@plombiers.example",
        f"internship-{planning.internship.pk}@plombiers.example",
        f"action-{planning.action.pk}@plombiers.example",
    }

    summer = events[f"trainingsession-{planning.summer.pk}@plombiers.example"]
    assert summer.dtstart.value == dt.datetime(2026, 10, 6, 9, 0, tzinfo=PARIS)
    assert summer.dtstart.value.utcoffset() == dt.timedelta(hours=2)
    assert summer.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == ["Europe/Paris"]  # vobject keeps TZID there
    assert summer.dtend.value.astimezone(dt.UTC) == dt.datetime(2026, 10, 6, 10, 30, tzinfo=dt.UTC)
    assert summer.summary.value == "Formation : plateau technique (matin)"
    assert summer.location.value.startswith("École A Chelles, 12 rue des Artisans, ")
    assert summer.location.value.endswith("Chelles")
    winter = events[f"trainingsession-{planning.winter.pk}@plombiers.example"]
    # Winter time: 13:30 in Paris is 12:30 UTC.
    assert winter.dtstart.value.astimezone(dt.UTC) == dt.datetime(2026, 12, 7, 12, 30, tzinfo=dt.UTC)

    internship = events[f"internship-{planning.internship.pk}@plombiers.example"]
    assert internship.dtstart.value == dt.date(2026, 11, 16)
    assert internship.dtend.value == dt.date(2026, 11, 28)  # whole days: the end is exclusive
    assert internship.summary.value == "Stage en entreprise chez Fibre A"

    action = events[f"action-{planning.action.pk}@plombiers.example"]
    assert action.dtstart.value == MONDAY + dt.timedelta(days=3)
    assert action.summary.value == "Accompagnement : Demande FSL"

    for event in events.values():
        assert event.sequence.value == "0"
        assert event.dtstamp.value.tzinfo is not None
    text = str(calendar.serialize())
    for secret in (OUTCOME, NOTE, HEALTH, "Promotion data"):
        assert secret not in text


def test_a_cohorts_feed_holds_its_half_days_for_its_trainer(client, cast, planning):
    _feed, raw = feed_create(by=cast.trainer_a, kind=FeedKind.COHORT, cohort=planning.cohort)
    calendar, events = read(client, raw)
    assert calendar.contents["x-wr-calname"][0].value == "Plombiers — Promotion fibre"
    assert set(events) == {
        f"trainingsession-{planning.summer.pk}@plombiers.example",
        f"trainingsession-{planning.winter.pk}@plombiers.example",
    }
    summer = events[f"trainingsession-{planning.summer.pk}@plombiers.example"]
    assert summer.summary.value == "Promotion fibre — Formation : plateau technique (matin)"


def test_a_change_raises_the_sequence_and_moves_the_stamp(client, cast, planning):
    _feed, raw = feed_create(by=cast.learner_a, kind=FeedKind.LEARNER)
    uid = f"trainingsession-{planning.summer.pk}@plombiers.example"
    _calendar, events = read(client, raw)
    first_stamp = events[uid].dtstamp.value
    # Read again unchanged: same sequence, same stamp.
    _calendar, events = read(client, raw)
    assert (events[uid].sequence.value, events[uid].dtstamp.value) == ("0", first_stamp)

    planning.summer.start_time = dt.time(9, 30)
    planning.summer.save(update_fields=["start_time"])
    with time_machine.travel(dt.datetime(2026, 10, 5, 8, 0, tzinfo=dt.UTC), tick=False):
        _calendar, events = read(client, raw)
    assert events[uid].sequence.value == "1"
    assert events[uid].dtstamp.value > first_stamp
    assert events[uid].dtstart.value == dt.datetime(2026, 10, 6, 9, 30, tzinfo=PARIS)
    assert events[f"trainingsession-{planning.winter.pk}@plombiers.example"].sequence.value == "0"


def test_unknown_and_revoked_addresses_are_404(client, cast, planning):
    assert client.get("/agenda/agd_inconnu.ics").status_code == 404
    feed, raw = feed_create(by=cast.learner_a, kind=FeedKind.LEARNER)
    assert client.get(f"/agenda/{raw}.ics").status_code == 200
    feed_revoke(feed=feed, by=cast.learner_a)
    assert client.get(f"/agenda/{raw}.ics").status_code == 404


def test_a_trainer_who_left_the_school_reads_nothing(client, cast, planning):
    _feed, raw = feed_create(by=cast.trainer_a, kind=FeedKind.COHORT, cohort=planning.cohort)
    assert client.get(f"/agenda/{raw}.ics").status_code == 200
    Membership.objects.filter(user=cast.trainer_a).delete()
    assert client.get(f"/agenda/{raw}.ics").status_code == 404


def test_a_deactivated_account_reads_nothing(client, cast, planning):
    _feed, raw = feed_create(by=cast.learner_a, kind=FeedKind.LEARNER)
    cast.learner_a.is_active = False
    cast.learner_a.save(update_fields=["is_active"])
    assert client.get(f"/agenda/{raw}.ics").status_code == 404


def test_reads_are_throttled_per_address(client, cast, planning, settings):
    settings.PLOMBIERS_CALENDAR_FEED_THROTTLE = (3, 600)
    _feed, raw = feed_create(by=cast.learner_a, kind=FeedKind.LEARNER)
    assert [client.get(f"/agenda/{raw}.ics").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(f"/agenda/{raw}.ics")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    # Guessing counts too.
    assert client.get("/agenda/agd_devine.ics").status_code == 429


def test_the_feed_costs_a_fixed_number_of_queries(client, cast, planning, django_assert_num_queries):
    _feed, raw = feed_create(by=cast.learner_a, kind=FeedKind.LEARNER)
    client.get(f"/agenda/{raw}.ics")  # the events' revisions are recorded once
    for day in range(8, 18):
        attendance.session_create(
            cohort=planning.cohort,
            by=cast.trainer_a,
            date=dt.date(2026, 10, day),
            period=Period.MORNING,
            start_time=dt.time(9, 0),
            end_time=dt.time(12, 0),
        )
    client.get(f"/agenda/{raw}.ics")  # the new half-days' revisions
    with django_assert_num_queries(15):
        # 1 the throttle's count read from the database cache; 2-6 written back (the cache's
        # count of its rows, savepoint, read, update, release); 7 the feed by its secret's hash,
        # with its owner; 8 the owner's memberships; 9 the half-days; 10 the internships; 11 the
        # support actions; 12 the time of the read; 13-15 the events' revisions (savepoint, read,
        # release: nothing changed, nothing written).
        client.get(f"/agenda/{raw}.ics")
