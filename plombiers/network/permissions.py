"""Who may do what with schools and partner organisations: one predicate per rule, on the base in
`accounts.permissions` (no query beyond the memberships already loaded)."""

from plombiers.accounts.enums import Role
from plombiers.accounts.permissions import is_network_staff

from .models import School


def can_create_school(user) -> bool:
    """Schools are opened by the network staff."""
    return is_network_staff(user)


def manages_school(user, school: School) -> bool:
    """The staff of the school's network and the school's manager: who adds its partners and reads
    its cohorts' list (another network's staff never, several networks sharing an instance)."""
    return user.acts_for(school, Role.SCHOOL_MANAGER)


def organisation_school_ids(user) -> set[int] | None:
    """The schools a new partner organisation may be tied to: none to choose from for network staff
    (they tie it to the network: an empty set), the managed schools for a manager, None when the
    user may not create organisations at all."""
    if is_network_staff(user):
        return set()
    return user.school_ids(Role.SCHOOL_MANAGER) or None
