"""Who may have a calendar feed of what. Read from the memberships already loaded: no query."""

from plombiers.accounts.enums import Role
from plombiers.accounts.permissions import is_school_side


def can_subscribe_cohort(user, cohort) -> bool:
    """The half-days of a cohort: its school's team (trainers first) and its network's staff."""
    return user.is_active and is_school_side(user, cohort.school)


def can_subscribe_learner(user) -> bool:
    """One's own planning: a young person."""
    return user.is_active and Role.LEARNER in user.roles
