"""What a feed holds, read at each request with its owner's own rights (`visible_to(owner)`): a
trainer who left the school, or an account deactivated, reads nothing, and the feed answers 404.

- a cohort feed: the cohort's half-days;
- a young person's feed: the half-days of their cohorts, their internships (one all-day span each),
  and their open support actions on their due date (what to do, with whom: never the team's
  notes, never the outcome).
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from plombiers.cohorts.models import Cohort, TrainingSession
from plombiers.internships.models import Internship
from plombiers.support.enums import ActionStatus
from plombiers.support.models import Action

from .enums import FeedKind
from .models import CalendarFeed
from .permissions import can_subscribe_cohort, can_subscribe_learner

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# Half-days further back than this are left out: a phone needs what comes, not a cohort's history.
PAST_DAYS = 92
OPEN_ACTIONS = (ActionStatus.PLANNED, ActionStatus.ONGOING)


@dataclass(frozen=True)
class Event:
    uid_key: str  # "<model>-<pk>"
    summary: str
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date
    location: str = ""
    description: str = ""


def feed_target_visible(feed: CalendarFeed) -> bool:
    """Whether the owner may still read what the feed shows. One query for a cohort feed (the
    owner's memberships are read once; the cohort through `visible_to`)."""
    owner = feed.owner
    if feed.kind == FeedKind.LEARNER:
        return can_subscribe_learner(owner)
    if not Cohort.objects.visible_to(owner).filter(pk=feed.cohort_id).exists():
        return False
    return can_subscribe_cohort(owner, feed.cohort)


def _place(school) -> str:
    parts = [
        school.name,
        school.address,
        f"{school.commune.main_postal_code or ''} {school.commune.name}".strip(),
    ]
    return ", ".join(part for part in parts if part)


def _session_event(session: TrainingSession, *, with_cohort: bool) -> Event:
    cohort = session.cohort
    summary = f"Formation : {session.get_kind_display().lower()} ({session.get_period_display().lower()})"
    if with_cohort:
        summary = f"{cohort.name} — {summary}"
    return Event(
        uid_key=f"trainingsession-{session.pk}",
        summary=summary,
        start=dt.datetime.combine(session.date, session.start_time, tzinfo=PARIS),
        end=dt.datetime.combine(session.date, session.end_time, tzinfo=PARIS),
        location=_place(cohort.school),
        description=f"{cohort.name}, {cohort.school.name}.",
    )


def feed_events(feed: CalendarFeed) -> list[Event]:
    """The feed's events, read as its owner. One query for a cohort; three for a young person."""
    owner = feed.owner
    since = timezone.localdate() - dt.timedelta(days=PAST_DAYS)
    sessions = TrainingSession.objects.visible_to(owner).filter(date__gte=since)
    sessions = sessions.select_related("cohort__school__commune").order_by("date", "start_time", "pk")
    if feed.kind == FeedKind.COHORT:
        return [_session_event(s, with_cohort=True) for s in sessions.filter(cohort=feed.cohort_id)]

    events = [
        _session_event(s, with_cohort=False)
        for s in sessions.filter(cohort__enrolments__learner__user=owner).distinct()
    ]
    internships = (
        Internship.objects.visible_to(owner)
        .filter(enrolment__learner__user=owner, end_date__gte=since)
        .select_related("site__company", "site__commune")
        .order_by("start_date", "pk")
    )
    for internship in internships:
        site = internship.site
        events.append(
            Event(
                uid_key=f"internship-{internship.pk}",
                summary=f"{internship.get_kind_display()} chez {site.company.name}",
                start=internship.start_date,
                end=internship.end_date + dt.timedelta(days=1),  # DTEND of a day is exclusive
                location=", ".join(p for p in (site.company.name, site.address, site.commune.name) if p),
            )
        )
    actions = (
        Action.objects.visible_to(owner)
        .filter(barrier__learner__user=owner, status__in=OPEN_ACTIONS, due_on__gte=since)
        .select_related("partner")
        .order_by("due_on", "pk")
    )
    for action in actions:
        events.append(
            Event(
                uid_key=f"action-{action.pk}",
                summary=f"Accompagnement : {action.description}",
                start=action.due_on,
                end=action.due_on + dt.timedelta(days=1),
                description=f"Avec {action.partner.name}." if action.partner else "",
            )
        )
    return events
