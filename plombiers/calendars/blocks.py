"""The link to a cohort's calendar feed, on the cohort's page (`cohorts`, slot
`cohort_actions`): for its school's team only."""

from django.urls import reverse

from .permissions import can_subscribe_cohort


def cohort_feed_link(request, cohort):
    if not can_subscribe_cohort(request.user, cohort):
        return None
    return "calendars/includes/cohort_link.html", {"url": reverse("calendars:cohort_feed", args=[cohort.pk])}
