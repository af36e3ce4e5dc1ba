"""Who reads the surveys: one predicate per rule, on the base in `accounts.permissions` (no query
beyond the memberships already loaded)."""

from plombiers.accounts.enums import SCHOOL_ROLES
from plombiers.accounts.permissions import works_for_schools
from plombiers.network.models import School


def reads_surveys(user) -> bool:
    """The figures are read by the school teams and the network staff."""
    return works_for_schools(user)


def reads_comments(user, school: School) -> bool:
    """Free texts are for the school's own team, not for the network."""
    return user.is_superuser or school.pk in user.school_ids(*SCHOOL_ROLES)
