"""Who may use the global search."""

from plombiers.accounts.enums import ORGANISATION_ROLES, SCHOOL_ROLES, Role


def may_search(user) -> bool:
    """The school teams, the network staff and the partners (prescribers, funders): each finds only
    what `visible_to` lets them read. Not a young person (their space is about them only), nor an
    account without any membership, nor a tutor on a signed link (they have no account). No query:
    the memberships loaded for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_role(Role.NETWORK_STAFF, *SCHOOL_ROLES, *ORGANISATION_ROLES)
