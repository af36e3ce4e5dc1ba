"""Who may do what with observations, progress and frameworks: one predicate per rule, on the base
in `accounts.permissions` (no query beyond the memberships already loaded)."""

from plombiers.accounts.enums import Role
from plombiers.accounts.permissions import is_school_side, works_for_schools
from plombiers.cohorts.models import Enrolment
from plombiers.network.models import School

OBSERVER_ROLES = (Role.TRAINER, Role.SCHOOL_MANAGER)


def can_observe(user, school: School) -> bool:
    """Trainers and the manager of the school, and the network staff of its network."""
    return user.acts_for(school, *OBSERVER_ROLES)


def reads_matrix(user, school: School) -> bool:
    """A cohort's matrix (everybody's levels) is the school side's: a learner sees only their own."""
    return is_school_side(user, school)


def sees_details(user, enrolment: Enrolment) -> bool:
    """Comments, evidence and the timeline: the school side and the learner; never the prescriber."""
    learner_user = enrolment.learner.user_id
    return is_school_side(user, enrolment.cohort.school) or (
        learner_user is not None and learner_user == user.pk
    )


def reads_frameworks(user) -> bool:
    """The competency frameworks are read by the school teams and the network staff."""
    return works_for_schools(user)
