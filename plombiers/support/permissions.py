"""Who may do what with a young person's support: one predicate per rule, on the base in
`accounts.permissions` (no query beyond the memberships already loaded). Support records belong to
the school that wrote them: only that school's people act on them, even network staff only read.
`access_of` sums them up for a page or an API operation on one young person's record."""

from types import SimpleNamespace

from django.http import Http404

from plombiers.accounts.enums import SCHOOL_ROLES, Role
from plombiers.accounts.permissions import is_network_staff_of, manages_schools, works_for_schools
from plombiers.referrals.models import Learner

# Who acts on the support record (diagnosis, actions, journal, consents) in their school.
SUPPORT_ROLES = (Role.SOCIAL_WORKER, Role.SCHOOL_MANAGER)
# Trainers read barrier summaries, except those of this category: health details stay with the support team.
HEALTH = "sante"

SUPPORT, TEAM, PRESCRIBER = "support", "team", "prescriber"


def works_at(user, school_id: int | None) -> bool:
    """A member of this school's team (manager, trainer, social worker)."""
    return school_id in user.school_ids(*SCHOOL_ROLES)


def supports_at(user, school_id: int | None) -> bool:
    """The social workers and the manager of this school: who writes its support records."""
    return school_id in user.school_ids(*SUPPORT_ROLES)


def oversees(user, network_id: int | None) -> bool:
    """The network staff of the record's network: they read, without confidential entries."""
    return is_network_staff_of(user, network_id)


def reads_directory(user) -> bool:
    """The directory of partner services is the school teams' (and the network staff's)."""
    return works_for_schools(user)


def reads_audit(user) -> bool:
    """The audit log of support reads is for network staff and school managers."""
    return manages_schools(user)


def writes_confidential(user, school_id: int | None) -> bool:
    """Only the school's social workers write (and read) confidential notes."""
    return school_id in user.school_ids(Role.SOCIAL_WORKER)


def access_of(user, learner: Learner) -> SimpleNamespace:
    """How this person reads a young person's support: `support` (social worker or manager of the
    record's school: everything they may, and the forms), `team` (trainer of that school, network
    staff: read only, no confidential entry, no health summary), `prescriber` (categories and
    lifted, no text, and only while the young person agrees to share: `shared`). Anybody else —
    another school's team included, even one that knows the same person — 404, like a young person
    who does not exist. `learner` comes from `Learner.objects.visible_to(user)`."""
    from .services import sharing_consented  # services acts under these rules: read it at call time

    if works_at(user, learner.school_id):
        return SimpleNamespace(
            mode=SUPPORT if supports_at(user, learner.school_id) else TEAM,
            school=learner.school,
            social_worker=writes_confidential(user, learner.school_id),
            shared=True,
        )
    if oversees(user, learner.school.network_id):
        return SimpleNamespace(mode=TEAM, school=None, social_worker=False, shared=True)
    if user.has_role(Role.PRESCRIBER):
        return SimpleNamespace(
            mode=PRESCRIBER, school=None, social_worker=False, shared=sharing_consented(learner, user)
        )
    raise Http404
