"""Reads of the exits' to-do lists, shared by their pages and the homes that count them."""

import calendar
import datetime as dt

from django.db.models import Q

from plombiers.accounts.enums import SCHOOL_ROLES, Role
from plombiers.accounts.models import Membership, school_staff_q
from plombiers.cohorts.models import Enrolment
from plombiers.network.models import School

from . import services
from .models import FollowUp


def team_schools(user):
    """The schools whose team the user is in, or that the user oversees as network staff."""
    if user.is_superuser:
        return School.objects.all()
    mine = Membership.objects.filter(user=user)
    return School.objects.filter(
        Q(network__in=mine.filter(role=Role.NETWORK_STAFF).values("network"))
        | Q(pk__in=mine.filter(role__in=SCHOOL_ROLES).values("school"))
    )


def in_team_schools(queryset, user, path: str):
    return queryset if user.is_superuser else queryset.filter(school_staff_q(user, path))


def exits_to_record(user):
    """Enrolments that ended with no exit yet, in the schools the user works in or oversees."""
    return (
        in_team_schools(Enrolment.objects.all(), user, "cohort__school")
        .filter(status__in=services.ENDED, end_date__isnull=False, exit__isnull=True)
        .with_list_related_data()
        .order_by("end_date", "pk")
    )


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def follow_ups_due(user, today: dt.date):
    """The social worker's to-do list: follow-ups due this month or overdue."""
    return (
        in_team_schools(FollowUp.objects.due(), user, "exit__enrolment__cohort__school")
        .filter(due_on__lte=month_end(today))
        .with_list_related_data()
        .order_by("due_on", "pk")
    )
