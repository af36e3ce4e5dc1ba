"""Who may do what with exits and follow-ups: one predicate per rule, on the base in
`accounts.permissions` (no query beyond the memberships already loaded)."""

from plombiers.accounts.enums import Role
from plombiers.accounts.permissions import is_network_staff, works_for_schools
from plombiers.cohorts.models import Enrolment
from plombiers.network.models import School


def can_record(user, school: School) -> bool:
    """The school's manager and social workers, and the network staff of its network, record exits
    and answer follow-ups."""
    return user.acts_for(school, Role.SCHOOL_MANAGER, Role.SOCIAL_WORKER)


def can_record_exit(user, enrolment: Enrolment) -> bool:
    return can_record(user, enrolment.cohort.school)


def is_prescriber_of(user, enrolment: Enrolment) -> bool:
    """The prescriber whose referral led to this enrolment (no query when it is already loaded)."""
    return (
        user.is_authenticated
        and user.has_role(Role.PRESCRIBER)
        and enrolment.referral_id is not None
        and enrolment.referral.prescriber_id == user.pk
    )


def reads_exit_lists(user) -> bool:
    """The lists of exits and follow-ups are the school teams' and the network's."""
    return works_for_schools(user)


def recording_school_ids(user) -> set[int] | None:
    """The schools where the user records exits, in bulk for a list (None: every school the list
    shows, for network staff, whose list holds their network's schools only). The rule of
    `can_record`, for many rows at once."""
    if is_network_staff(user):
        return None
    return user.school_ids(Role.SCHOOL_MANAGER, Role.SOCIAL_WORKER)
