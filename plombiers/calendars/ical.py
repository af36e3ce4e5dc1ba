"""The feed as an iCalendar document (RFC 5545), written by the `icalendar` library.

Half-days are dated in Europe/Paris (TZID, with its VTIMEZONE); internship weeks and support
actions are whole days (VALUE=DATE, DTEND exclusive). Each event keeps one UID
(`<model>-<pk>@<host>`) for ever; its SEQUENCE grows, and its DTSTAMP moves, each time what it says
changes (`EventRevision`), so that a calendar application replaces its copy.
"""

import datetime as dt

import icalendar

from .selectors import Event
from .services import event_revisions_record


def paris_timezone() -> icalendar.Timezone:
    """Europe/Paris as every calendar application reads it: the EU rule since 1996 (last Sunday of
    March at 02:00, of October at 03:00) as two yearly RRULEs. The library's own VTIMEZONE lists each
    change as an RDATE, which some readers get wrong (summer half-days an hour off)."""
    timezone = icalendar.Timezone()
    timezone.add("tzid", "Europe/Paris")
    for kind, start, month, offset_from, offset_to, name in (
        (icalendar.TimezoneDaylight, dt.datetime(1996, 3, 31, 2, 0), 3, 1, 2, "CEST"),
        (icalendar.TimezoneStandard, dt.datetime(1996, 10, 27, 3, 0), 10, 2, 1, "CET"),
    ):
        rule = kind()
        rule.add("dtstart", start)
        rule.add("tzoffsetfrom", dt.timedelta(hours=offset_from))
        rule.add("tzoffsetto", dt.timedelta(hours=offset_to))
        rule.add("tzname", name)
        rule.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        timezone.add_component(rule)
    return timezone


def calendar_document(*, name: str, events: list[Event], host: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Plombiers//Agenda//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    # Calendar applications read the feed again every hour or so.
    calendar.add(
        "refresh-interval", icalendar.vDuration(dt.timedelta(hours=1)), parameters={"VALUE": "DURATION"}
    )
    calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(paris_timezone())
    uids = {f"{event.uid_key}@{host}": event for event in events}
    known = event_revisions_record(uids)
    for uid, event in uids.items():
        revision = known[uid]
        component = icalendar.Event()
        component.add("uid", uid)
        component.add("dtstamp", revision.changed_at)
        component.add("sequence", revision.sequence)
        component.add("summary", event.summary)
        component.add("dtstart", event.start)
        component.add("dtend", event.end)
        if event.location:
            component.add("location", event.location)
        if event.description:
            component.add("description", event.description)
        component.add("transp", "OPAQUE" if hasattr(event.start, "hour") else "TRANSPARENT")
        calendar.add_component(component)
    return calendar.to_ical()
