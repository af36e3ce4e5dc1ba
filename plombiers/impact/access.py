"""Who sees which dashboard: the scope asked for, resolved against the user.

- network: the network staff of that network;
- school: the network staff and the school's team; a funder of the school (aggregates only);
- cohort: the network staff and the team of the cohort's school;
- funder: the funder's own members (the schools they are a partner of) and the network staff.

Everybody else — prescribers, learners, tutors, another school's team, a funder of other schools —
gets 404, as for a scope that does not exist. Only staff who may see the learners themselves
(network staff, the school's team) get the lists of learners behind the figures, and exact
figures; a funder never: its figures leave the school team, and hide small cells
(`Scope.protected`, `impact.secrecy`), the same in every table of the schools it reads.
"""

import functools

from django.db import connection
from django.http import Http404

from plombiers.accounts.enums import SCHOOL_ROLES, Role
from plombiers.accounts.permissions import is_school_side, staff_network_ids
from plombiers.cohorts.models import Cohort
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Network, Organisation, Partnership, School

from .selectors import Scope

SCOPES = {"network": "Réseau", "school": "École", "cohort": "Promotion", "funder": "Financeur"}


def _funder_ids(user) -> set[int]:
    return {m.organisation_id for m in user.membership_list if m.role == Role.FUNDER}


def _funded_schools(user):
    """Every school a funder user reads in aggregate: the partners of each of their funders."""
    return School.objects.filter(
        pk__in=Partnership.objects.filter(
            organisation__in=_funder_ids(user), organisation__kind=OrganisationKind.FUNDER
        ).values("school")
    )


def can_see_impact(user) -> bool:
    """Whether the user has any dashboard at all (for menus and the default page)."""
    return user.is_authenticated and (
        user.is_superuser or user.has_role(Role.NETWORK_STAFF, Role.FUNDER, *SCHOOL_ROLES)
    )


def as_pk(value) -> int | None:
    """`value` as a primary key (a positive 64-bit integer), or None: what a URL or a query string
    says is never trusted to be one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def resolve_scope(user, kind: str, ident=None) -> Scope:
    """The scope `kind` (network, school, cohort or funder) with `ident` (a primary key, or a slug
    for a school), or 404. Without `ident`: the user's own network, school or funder."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    # Every scope is decided from the memberships: read first, so that the rules of `visible_to`
    # take their ids rather than subqueries (a funder's page: the organisation in 0.7 ms, 2 ms
    # before at national scale).
    user.membership_list  # noqa: B018
    if kind == "network":
        return _network(user, ident)
    if kind == "school":
        return _school(user, ident)
    if kind == "cohort":
        return _cohort(user, ident)
    if kind == "funder":
        return _funder(user, ident)
    raise Http404("Périmètre inconnu.")


def _network(user, ident) -> Scope:
    networks = (
        Network.objects.all() if user.is_superuser else Network.objects.filter(pk__in=staff_network_ids(user))
    )
    if ident is not None:
        networks = (
            networks.filter(slug=str(ident)) if as_pk(ident) is None else networks.filter(pk=as_pk(ident))
        )
    network = networks.order_by("pk").first()
    if network is None:
        raise Http404
    schools = School.objects.visible_to(user).filter(network=network)
    # Its staff (or a superuser) see every school of it: its own rows of the rollup answer.
    return Scope("network", network.name, schools, obj=network, can_list_learners=True, network_id=network.pk)


def _school(user, ident) -> Scope:
    schools = School.objects.visible_to(user).select_related("network")
    if ident is None:
        ids = user.school_ids()
        if len(ids) != 1:
            raise Http404
        school = schools.filter(pk__in=ids).first()
    else:
        school = schools.filter(slug=str(ident)).first() or (
            schools.filter(pk=as_pk(ident)).first() if as_pk(ident) else None
        )
    if school is None:
        raise Http404
    if is_school_side(user, school):
        listing = True
    elif school.partnerships.filter(
        organisation__in=_funder_ids(user), organisation__kind=OrganisationKind.FUNDER
    ).exists():
        listing = False
    else:
        raise Http404
    return Scope(
        "school",
        school.name,
        School.objects.filter(pk=school.pk),
        obj=school,
        can_list_learners=listing,
        base=None if listing else _funded_schools(user),
    )


def _cohort(user, ident) -> Scope:
    cohort = Cohort.objects.visible_to(user).select_related("school__network").filter(pk=as_pk(ident)).first()
    if cohort is None or not is_school_side(user, cohort.school):
        raise Http404
    return Scope(
        "cohort",
        f"{cohort.name} — {cohort.school.name}",
        School.objects.filter(pk=cohort.school_id),
        obj=cohort,
        cohort_id=cohort.pk,
        can_list_learners=True,
    )


def _funder(user, ident) -> Scope:
    # With its network: the page offers its staff to recompute the rollup of that network.
    funders = (
        Organisation.objects.visible_to(user).filter(kind=OrganisationKind.FUNDER).select_related("network")
    )
    if ident is None:
        ids = _funder_ids(user)
        if len(ids) != 1:
            raise Http404
        funder = funders.filter(pk__in=ids).first()
    else:
        funder = funders.filter(pk=as_pk(ident)).first()
    if funder is None:
        raise Http404
    staff = user.is_superuser or funder.network_id in staff_network_ids(user)
    if not staff and funder.pk not in _funder_ids(user):
        raise Http404
    return Scope(
        "funder",
        funder.name,
        School.objects.visible_to(user).filter(partnerships__organisation=funder),
        obj=funder,
        can_list_learners=staff,
        base=None if staff else _funded_schools(user),
        network_id=funder.network_id,
        network_check=functools.partial(_whole_network, funder),
    )


def _whole_network(funder: Organisation) -> bool:
    """Whether `funder` is a partner of every school of its network and of no other (the State, a
    national patron): its figures are then the network's own rows of the rollup. One statement (a
    partnership is unique per school): as many partner schools as the network has schools, and none
    outside it. PostgreSQL answers in about 1 ms at national scale (2,000 of each), where counting
    the partner schools inside the network joined them one by one (2 ms), an anti-join per school
    took 5 ms and its ORM expression as long to build."""
    school, partnership = (connection.ops.quote_name(m._meta.db_table) for m in (School, Partnership))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {school} WHERE network_id = %s)"  # noqa: S608 — names from the models
            f" = (SELECT COUNT(*) FROM {partnership} WHERE organisation_id = %s)"
            f" AND NOT EXISTS (SELECT 1 FROM {partnership} p JOIN {school} s ON s.id = p.school_id"
            " WHERE p.organisation_id = %s AND s.network_id <> %s)",
            [funder.network_id, funder.pk, funder.pk, funder.network_id],
        )
        return bool(cursor.fetchone()[0])


def default_scope(user) -> Scope:
    """The dashboard a user lands on: the network for its staff, their school for a school team
    member, their structure for a funder."""
    for kind in ("network", "school", "funder"):
        try:
            return resolve_scope(user, kind)
        except Http404:
            continue
    raise Http404
