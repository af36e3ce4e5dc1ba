"""Who may read and write funding: one predicate per rule, on the base in `accounts.permissions`
(no query beyond the memberships already loaded)."""

from plombiers.accounts.enums import Role
from plombiers.accounts.permissions import is_network_staff_of, manages_schools
from plombiers.network.models import School

from .models import Grant


def can_manage_school(user, school: School) -> bool:
    """Network staff of the school's network and the school's manager."""
    return user.acts_for(school, Role.SCHOOL_MANAGER)


def can_manage_network(user, network_id: int) -> bool:
    """Network staff of this network: the grants asked for the whole network."""
    return is_network_staff_of(user, network_id)


def can_manage_grant(user, grant: Grant) -> bool:
    if grant.school_id is None:
        return can_manage_network(user, grant.network_id)
    return can_manage_school(user, grant.school)


def reads_funding(user) -> bool:
    """The funding pages are the network staff's and the school managers'."""
    return manages_schools(user)


def is_funder_only(user) -> bool:
    """A funder with no staff role: their own space, never the network's funding pages."""
    return user.has_role(Role.FUNDER) and not manages_schools(user)
