"""Who reads what of a young person's support: one rule, for the pages and the API.

Moved here as it was from `views.py`, so that `api.py` needs no view."""

from types import SimpleNamespace

from django.http import Http404

from plombiers.accounts.enums import SCHOOL_ROLES, Role
from plombiers.referrals.models import Learner

from . import services

# Trainers read barrier summaries, except those of this category: health details stay with the support team.
HEALTH = "sante"

SUPPORT, TEAM, PRESCRIBER = "support", "team", "prescriber"


def access_of(user, learner: Learner) -> SimpleNamespace:
    """How this person reads a young person's support: `support` (social worker or manager of the
    record's school: everything they may, and the forms), `team` (trainer of that school, network
    staff: read only, no confidential entry, no health summary), `prescriber` (categories and
    lifted, no text, and only while the young person agrees to share: `shared`). Anybody else —
    another school's team included, even one that knows the same person — 404, like a young person
    who does not exist. `learner` comes from `Learner.objects.visible_to(user)`."""
    if learner.school_id in user.school_ids(*SCHOOL_ROLES):
        mode = SUPPORT if learner.school_id in user.school_ids(*services.SUPPORT_ROLES) else TEAM
        return SimpleNamespace(
            mode=mode,
            school=learner.school,
            social_worker=learner.school_id in user.school_ids(Role.SOCIAL_WORKER),
            shared=True,
        )
    if user.is_superuser or any(
        m.role == Role.NETWORK_STAFF and m.network_id == learner.school.network_id
        for m in user.membership_list
    ):
        return SimpleNamespace(mode=TEAM, school=None, social_worker=False, shared=True)
    if user.has_role(Role.PRESCRIBER):
        return SimpleNamespace(
            mode=PRESCRIBER,
            school=None,
            social_worker=False,
            shared=services.sharing_consented(learner, user),
        )
    raise Http404
