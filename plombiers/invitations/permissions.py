"""Who invites whom: network staff invite anyone to their network's team; a school's manager
invites their school's team (not another manager, not the network staff). No query."""

from plombiers.accounts.enums import Role
from plombiers.accounts.permissions import is_network_staff_of


def can_invite(user, *, network, school=None, role=None) -> bool:
    if is_network_staff_of(user, network.pk):
        return True
    if school is None or role in (Role.NETWORK_STAFF, Role.SCHOOL_MANAGER):
        return False
    return school.pk in user.school_ids(Role.SCHOOL_MANAGER)


def can_list_invitations(user) -> bool:
    return user.has_role(Role.NETWORK_STAFF, Role.SCHOOL_MANAGER)
