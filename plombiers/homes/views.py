"""The home at `/`: one page per person's day. A young person gets their own space (phone first,
« tu »); everybody else gets one block per role they hold, each block a link to the page where the
work is done, with the count that page shows (`selectors.py`)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.network.models import Organisation, School

from . import selectors


def home(request):
    user = request.user
    if user.roles == {Role.LEARNER}:
        return learner_home(request)
    return staff_home(request)


def staff_home(request):
    user = request.user
    today = timezone.localdate()
    context = {
        "memberships": user.membership_list,
        "blocks": [block(user, today) for role, block in selectors.BLOCKS if role in user.roles],
        "organisations": Organisation.objects.visible_to(user).filter(
            pk__in=[m.organisation_id for m in user.membership_list if m.organisation_id]
        ),
        "learner_too": Role.LEARNER in user.roles,
        "today": today,
    }
    # The schools the person works with or for, each a link to its page. One query.
    context["schools"] = (
        School.objects.visible_to(user).select_related("trade", "commune").order_by("name")[:25]
    )
    return render(request, "homes/home.html", context)


def _privacy_url() -> str:
    """« Mes données »: the young person's copy of everything about them (rights)."""
    return reverse("rights:my_data")


def learner_home(request):
    user = request.user
    today = timezone.localdate()
    day = selectors.learner_day(user, today)
    context = {"day": day, "today": today, "privacy_url": _privacy_url()}
    return render(request, "homes/learner.html", context)


def learner_space(request):
    """The young person's space at its own address, for someone who is also staff."""
    if Role.LEARNER not in request.user.roles:
        raise Http404
    return learner_home(request)
