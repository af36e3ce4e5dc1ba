"""Who may use the webhooks: the members of a prescribing or funding organisation for their own
organisation, and the network staff for the prescribers and funders of their network."""

from django.db.models import Q

from plombiers.accounts.enums import ORGANISATION_ROLES, Role
from plombiers.accounts.permissions import staff_network_ids
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Organisation

SUBSCRIBING_KINDS = (OrganisationKind.PRESCRIBER, OrganisationKind.FUNDER)


def may_use_webhooks(user) -> bool:
    """The « Webhooks » page and menu entry."""
    return user.has_role(Role.NETWORK_STAFF, *ORGANISATION_ROLES)


def subscribable_organisations(user):
    """The organisations the user may subscribe for (a query: a queryset)."""
    if user.is_superuser:
        return Organisation.objects.filter(kind__in=SUBSCRIBING_KINDS)
    own = [m.organisation_id for m in user.membership_list if m.role in ORGANISATION_ROLES]
    return Organisation.objects.filter(
        Q(pk__in=own) | Q(network__in=staff_network_ids(user), kind__in=SUBSCRIBING_KINDS)
    ).order_by("name")
