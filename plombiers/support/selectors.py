"""Reads of the caseload, shared by the caseload page and the social worker's home: the same
queryset behind the page and behind the count that leads to it."""

import datetime as dt

from django.db.models import Case, F, IntegerField, Min, OuterRef, Q, Subquery, Value, When

from plombiers.cohorts.models import Enrolment
from plombiers.referrals.models import Learner

from .enums import ActionStatus, BarrierLevel, ConsentScope, EntryKind
from .models import Action, JournalEntry

# A blocking barrier unresolved for longer than this puts the young person at the top of the caseload.
URGENT_AFTER_DAYS = 14
DUE_WITHIN_DAYS = 7
OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.ONGOING)
# « Pas vu·e depuis 3 semaines »: no contact written in the journal for this many days.
NOT_SEEN_DAYS = 21
# The journal entries that are a contact with the young person; an orientation towards a partner is
# a step on the file, which may happen without them.
CONTACT_KINDS = (EntryKind.INTERVIEW, EntryKind.CALL, EntryKind.VISIT, EntryKind.TRIPARTITE)


def caseload_learners(school_ids, today: dt.date):
    """The young people in training in these schools, the oldest blocking barrier first;
    `urgent` is 0 when a blocking barrier is older than URGENT_AFTER_DAYS."""
    active = Enrolment.objects.active().filter(cohort__school__in=school_ids)
    blocking = Q(barriers__level=BarrierLevel.BLOCKING, barriers__lifted_on__isnull=True)
    return (
        Learner.objects.filter(pk__in=active.values("learner"))
        .annotate(
            blocking_since=Min("barriers__raised_on", filter=blocking),
            cohort_name=Subquery(
                active.filter(learner=OuterRef("pk")).order_by("-entry_date").values("cohort__name")[:1]
            ),
        )
        .annotate(
            urgent=Case(
                When(blocking_since__lte=today - dt.timedelta(days=URGENT_AFTER_DAYS), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        # The oldest blocking barrier first; nobody blocked last (the same on SQLite and PostgreSQL).
        .order_by("urgent", F("blocking_since").asc(nulls_last=True), "last_name", "first_name", "pk")
    )


def due_actions(school_ids, today: dt.date):
    """Open actions of the young people in training, due within DUE_WITHIN_DAYS or late."""
    active = Enrolment.objects.active().filter(cohort__school__in=school_ids)
    return Action.objects.filter(
        barrier__learner__in=active.values("learner"),
        status__in=OPEN_STATUSES,
        due_on__lte=today + dt.timedelta(days=DUE_WITHIN_DAYS),
    ).order_by("due_on", "pk")


def without_data_consent(school_ids, today: dt.date):
    """The caseload's young people with no answer recorded about the processing of their data for
    the support: the consent to ask first."""
    return caseload_learners(school_ids, today).exclude(consents__scope=ConsentScope.DATA)


def not_seen(school_ids, today: dt.date):
    """The caseload's young people in training for at least NOT_SEEN_DAYS days with no contact
    (interview, call, visit, tripartite point) written in the journal in the last NOT_SEEN_DAYS days.
    The same ordering as the caseload."""
    since = today - dt.timedelta(days=NOT_SEEN_DAYS)
    settled = Enrolment.objects.active().filter(cohort__school__in=school_ids, entry_date__lte=since)
    seen = JournalEntry.objects.filter(kind__in=CONTACT_KINDS, occurred_on__gt=since, occurred_on__lte=today)
    return (
        caseload_learners(school_ids, today)
        .filter(pk__in=settled.values("learner"))
        .exclude(pk__in=seen.values("learner"))
    )
