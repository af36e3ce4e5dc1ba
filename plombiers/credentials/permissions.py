"""Who may issue and revoke attestations: one predicate per rule, on the base in
`accounts.permissions` (no query beyond the memberships already loaded)."""

from plombiers.accounts.enums import Role
from plombiers.network.models import School


def can_issue(user, school: School) -> bool:
    """The school manager (and the network staff of its network) issue and revoke attestations."""
    return user.acts_for(school, Role.SCHOOL_MANAGER)
