"""« Mon agenda »: the secret address of one's calendar feed (a young person's own planning, or a
cohort's half-days for its school's team), and the feed itself, read by a phone's calendar."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST

from plombiers.cohorts.models import Cohort

from . import ical, selectors, services, throttle
from .enums import FeedKind
from .models import CalendarFeed
from .permissions import can_subscribe_cohort, can_subscribe_learner


def _absolute(request, path: str) -> str:
    return (settings.SITE_URL + path) if settings.SITE_URL else request.build_absolute_uri(path)


def _page(request, *, kind: str, cohort=None, raw: str | None = None):
    feed = (
        CalendarFeed.objects.visible_to(request.user)
        .active()
        .filter(kind=kind, cohort=cohort)
        .order_by("-created_at", "-pk")
        .first()
    )
    https_url = _absolute(request, reverse("calendars:feed", args=[raw])) if raw else ""
    if cohort is None:
        create_url = reverse("calendars:learner_feed_create")
    else:
        create_url = reverse("calendars:cohort_feed_create", args=[cohort.pk])
    context = {
        "cohort": cohort,
        "feed": feed,
        "https_url": https_url,
        "webcal_url": "webcal://" + https_url.split("://", 1)[1] if https_url else "",
        "create_url": create_url,
        "revoke_url": reverse("calendars:feed_revoke", args=[feed.pk]) if feed else "",
    }
    return render(request, "calendars/feed.html", context)


def _subscribable_cohort(request, pk: int) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.visible_to(request.user).select_related("school"), pk=pk)
    if not can_subscribe_cohort(request.user, cohort):
        raise Http404  # a young person of the cohort: the team's agenda is not theirs
    return cohort


@never_cache
@require_GET
def learner_feed(request):
    if not can_subscribe_learner(request.user):
        raise Http404
    return _page(request, kind=FeedKind.LEARNER)


@never_cache
@require_POST
def learner_feed_create(request):
    """A new address, shown once on the page this answers with (never stored, never redirected)."""
    if not can_subscribe_learner(request.user):
        raise Http404
    _feed, raw = services.feed_create(by=request.user, kind=FeedKind.LEARNER)
    return _page(request, kind=FeedKind.LEARNER, raw=raw)


@never_cache
@require_GET
def cohort_feed(request, pk: int):
    return _page(request, kind=FeedKind.COHORT, cohort=_subscribable_cohort(request, pk))


@never_cache
@require_POST
def cohort_feed_create(request, pk: int):
    cohort = _subscribable_cohort(request, pk)
    _feed, raw = services.feed_create(by=request.user, kind=FeedKind.COHORT, cohort=cohort)
    return _page(request, kind=FeedKind.COHORT, cohort=cohort, raw=raw)


@require_POST
def feed_revoke(request, pk: int):
    feed = get_object_or_404(
        CalendarFeed.objects.visible_to(request.user).select_related("cohort__school"), pk=pk
    )
    services.feed_revoke(feed=feed, by=request.user)
    messages.success(request, "L'adresse est révoquée : ton agenda ne la lit plus.")
    if feed.cohort_id:
        return redirect("calendars:cohort_feed", feed.cohort_id)
    return redirect("calendars:learner_feed")


@login_not_required
@require_GET
@cache_control(private=True, no_cache=True)
def feed(request, token: str):
    """The feed, for a calendar application: the secret in the address is the only key. Unknown,
    revoked, or whose owner may no longer read the target: 404, like an address that never was."""
    if not throttle.allow(request):
        _reads, window = throttle.limit()
        return HttpResponse(
            "Trop de lectures de cet agenda depuis cette adresse : réessayez plus tard.",
            status=429,
            content_type="text/plain; charset=utf-8",
            headers={"Retry-After": str(window)},
        )
    feed = CalendarFeed.objects.for_raw(token).first()
    if feed is None or not selectors.feed_target_visible(feed):
        raise Http404
    events = selectors.feed_events(feed)
    services.feed_read_record(feed)
    name = f"Plombiers — {feed.cohort.name}" if feed.cohort_id else "Plombiers — Mon planning"
    host = urlsplit(settings.SITE_URL).netloc or request.get_host()
    body = ical.calendar_document(name=name, events=events, host=host)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
