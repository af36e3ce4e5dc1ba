"""Who is pointed to a school's LHEO export (the export itself is public: what a Carif-Oref collects)."""

from plombiers.accounts.permissions import is_school_side
from plombiers.network.enums import SchoolStatus


def sees_offer_export(user, school) -> bool:
    """The school's team and its network staff, for an open school (the one that declares)."""
    return school.status == SchoolStatus.OPEN and is_school_side(user, school)
