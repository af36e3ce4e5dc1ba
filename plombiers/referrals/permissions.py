"""Who may do what with referrals: one predicate per rule, for the pages, the API and the services.

Moved here as they were from `views.py` and `forms.py`, so that `api.py` needs neither."""

from plombiers.accounts.enums import SCHOOL_ROLES, Role

from .models import Referral


def can_refer(user) -> bool:
    return user.has_role(Role.PRESCRIBER, Role.SCHOOL_MANAGER, Role.NETWORK_STAFF)


def works_for_schools(user) -> bool:
    """School staff and network staff: the people who receive and study referrals."""
    return user.is_superuser or user.has_role(Role.NETWORK_STAFF, *SCHOOL_ROLES)


def is_school_side(user, referral: Referral) -> bool:
    """Whether this person reads the referral as the school (reasons, notes, justification)."""
    return user.is_superuser or user.has_role(Role.NETWORK_STAFF) or referral.school_id in user.school_ids()
