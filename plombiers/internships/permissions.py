"""Who may do what with internships, offers and partner companies: one predicate per rule, on the
base in `accounts.permissions` (no query beyond the memberships already loaded, except where said)."""

from plombiers.accounts.enums import Role
from plombiers.accounts.permissions import is_network_staff_of, is_school_side, works_for_schools
from plombiers.network.models import Organisation, School


def can_manage_internships(user, school: School) -> bool:
    """The school's manager and trainers, and the network staff of its network: who prepares
    internships and proposes young people for offers."""
    return user.acts_for(school, Role.SCHOOL_MANAGER, Role.TRAINER)


def can_manage_offers(user, company: Organisation) -> bool:
    """The team of a school the company is partnered with, and the network staff of its network
    (one query for the partnership when the user is not network staff)."""
    if is_network_staff_of(user, company.network_id):
        return True
    schools = user.school_ids(Role.SCHOOL_MANAGER, Role.TRAINER, Role.SOCIAL_WORKER)
    return company.partnerships.filter(school__in=schools).exists()


def reads_offers(user) -> bool:
    """Offers, matching and partner companies are the schools' business (team and network staff)."""
    return works_for_schools(user)


def reads_team_note(user, application) -> bool:
    """An application's note is the school team's (and its network's): the young person and their
    prescriber read only the message written for them."""
    return is_school_side(user, application.enrolment.cohort.school)
