"""Who may do what with referrals: one predicate per rule, on the base in `accounts.permissions`
(no query beyond the memberships already loaded)."""

from plombiers.accounts.enums import Role
from plombiers.accounts.permissions import is_school_side

from .models import Referral


def can_refer(user) -> bool:
    """Prescribers, school managers and network staff make referrals."""
    return user.has_role(Role.PRESCRIBER, Role.SCHOOL_MANAGER, Role.NETWORK_STAFF)


def refers_for_own_structure(user) -> bool:
    """A prescriber (and no more): refers on behalf of their own structure, never chooses another."""
    return user.has_role(Role.PRESCRIBER) and not user.has_role(Role.SCHOOL_MANAGER, Role.NETWORK_STAFF)


def reads_as_school(user, referral: Referral) -> bool:
    """Whether this person reads the referral as the school does: the unshared reason, the school's
    notes, the justification. The page and the API both ask this."""
    return is_school_side(user, referral.school)


def can_decide(user, referral: Referral) -> bool:
    """The school's manager and its network staff take every decision on a referral."""
    return user.acts_for(referral.school, Role.SCHOOL_MANAGER)


def can_study(user, referral: Referral) -> bool:
    """Trainers and social workers of the school move a referral through its study (interview…)."""
    return referral.school_id in user.school_ids(Role.TRAINER, Role.SOCIAL_WORKER)


def can_cancel(user, referral: Referral) -> bool:
    """The prescriber who made the referral may withdraw it."""
    return referral.prescriber_id == user.pk
