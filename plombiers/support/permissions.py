"""Who may do what with a young person's support: one predicate per rule, on the base in
`accounts.permissions` (no query beyond the memberships already loaded). Support records belong to
the school that wrote them: only that school's people act on them, even network staff only read."""

from plombiers.accounts.enums import SCHOOL_ROLES, Role
from plombiers.accounts.permissions import is_network_staff_of, manages_schools, works_for_schools

# Who acts on the support record (diagnosis, actions, journal, consents) in their school.
SUPPORT_ROLES = (Role.SOCIAL_WORKER, Role.SCHOOL_MANAGER)


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
