from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from plombiers.accounts.permissions import is_network_staff, staff_network_ids
from plombiers.lib.api import Id
from plombiers.network.models import Network, School

from . import services
from .models import TeamInvitation

router = Router(tags=["invitations"])

ONLY_STAFF = "Seule la tête de réseau invite par l'API."


class InvitationIn(Schema):
    email: str = Field(..., max_length=254)
    role: str = Field(
        ..., max_length=32, description="network_staff, school_manager, trainer ou social_worker"
    )
    school: Id | None = Field(None, description="l'école (sauf pour la tête de réseau)")


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    school: int | None = Field(None, alias="school_id")
    state: str
    expires_at: datetime

    @staticmethod
    def resolve_state(obj: TeamInvitation):
        return obj.state().value


@router.post("/invitations", response={201: InvitationOut})
def invitation_create(request, payload: InvitationIn):
    """An invitation to join the team, e-mailed with its link (network staff)."""
    user = request.user
    if not is_network_staff(user):
        raise PermissionDenied(ONLY_STAFF)
    if payload.school is not None:
        school = get_object_or_404(School.objects.visible_to(user), pk=payload.school)
        network = school.network
    else:
        school = None
        network = Network.objects.filter(pk__in=staff_network_ids(user)).order_by("pk").first()
        if network is None:
            raise PermissionDenied(ONLY_STAFF)
    invitation = services.invitation_create(
        network=network, school=school, email=payload.email, role=payload.role, by=user
    )
    return Status(201, invitation)
