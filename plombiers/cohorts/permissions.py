"""Who may do what with cohorts, enrolments and attendance: one predicate per rule, on the base in
`accounts.permissions` (no query beyond the memberships already loaded for the request)."""

from plombiers.accounts.enums import Role
from plombiers.accounts.permissions import manages_schools
from plombiers.network.models import School

# Who keeps the attendance sheets: the pedagogical team, not the social workers.
ATTENDANCE_ROLES = (Role.TRAINER, Role.SCHOOL_MANAGER)


def can_manage(user, school: School) -> bool:
    """The school's manager or the staff of its network: who creates, admits, enrols and closes."""
    return user.acts_for(school, Role.SCHOOL_MANAGER)


def can_create_cohorts(user) -> bool:
    """Whether the « new cohort » door is shown at all (the school is then chosen among those managed)."""
    return manages_schools(user)


def can_take_attendance(user, school: School) -> bool:
    """Trainers and the manager of the school, and the network staff of its network."""
    return user.acts_for(school, *ATTENDANCE_ROLES)
