from plombiers.accounts.permissions import is_network_staff, is_network_staff_of


def can_open_schools(user) -> bool:
    """« Ouvrir une école » is the network staff's."""
    return is_network_staff(user)


def opens(user, school) -> bool:
    """Staff of this school's network (no query: the memberships already loaded)."""
    return is_network_staff_of(user, school.network_id)
