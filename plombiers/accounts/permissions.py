"""Who may do what: the base predicates every app's `permissions.py` is built on.

One primitive, `User.acts_for(school, *roles)` (in `models.py`): the staff of the school's network, or
a member of the school in one of `roles`. Everything here, like the apps' predicates, reads the
memberships already loaded for the request (`User.membership_list`): no query. The querysets'
`visible_to(user)` decides which rows exist for someone; these predicates decide what they may do
with a row they can see. One predicate per rule, named after the rule; views, API, template tags
and services all call the same one.
"""

from .enums import SCHOOL_ROLES, Role


def works_for_schools(user) -> bool:
    """The school team (manager, trainers, social workers, of any school) or network staff: the people
    who receive referrals, follow cohorts and exits. Anybody else finds no such page."""
    return user.has_role(Role.NETWORK_STAFF, *SCHOOL_ROLES)


def manages_schools(user) -> bool:
    """A school manager (of any school) or network staff: who creates cohorts, reads funding and the
    audit log."""
    return user.has_role(Role.NETWORK_STAFF, Role.SCHOOL_MANAGER)


def is_network_staff(user) -> bool:
    return user.has_role(Role.NETWORK_STAFF)


def staff_network_ids(user) -> set[int]:
    """The networks the user is staff of."""
    return {m.network_id for m in user.membership_list if m.role == Role.NETWORK_STAFF}


def network_ids(user) -> set[int]:
    """Every network the user works in: the one they are staff of, their schools', their
    organisations'. Several networks share an instance (a federation hosting its members): a
    network's own reference data (barrier categories, partner services) is for these only."""
    ids = set()
    for m in user.membership_list:
        scope = m.school or m.organisation
        ids.add(m.network_id if m.network_id else scope.network_id if scope else None)
    return ids - {None}


def is_network_staff_of(user, network_id: int | None) -> bool:
    """Staff of this network (or a superuser)."""
    return user.is_superuser or network_id in staff_network_ids(user)


def is_school_side(user, school) -> bool:
    """The school's team (manager, trainers, social workers) and the staff of its network: who reads
    a school's rows as the school does (sheets, notes, reasons)."""
    return user.acts_for(school)


def is_learner_only(user) -> bool:
    """A young person with no staff role: their pages are their own."""
    return user.has_role(Role.LEARNER) and not works_for_schools(user)
