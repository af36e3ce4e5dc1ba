"""An invitation to join the team: network staff (any school of their network, or the network itself)
or a school's manager (their school) names a person by e-mail with a role; the person receives a
link, sets their password there, and then their second factor (allauth's pages).

The link is signed (Django's signing, with the secret key) and names the invitation and its `nonce`:
re-sending draws a new nonce, so the previous link stops working; accepting or revoking ends it for
good; it expires after `settings.PLOMBIERS_INVITATION_DAYS` days. The database alone (without the
secret key) cannot forge a link.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.utils import timezone

from plombiers.accounts.enums import SCHOOL_ROLES, Role
from plombiers.accounts.models import Membership
from plombiers.lib.scoping import scoped
from plombiers.network.models import Network, School

from .enums import InvitationState

SALT = "plombiers.invitations"


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


class TeamInvitationQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Network staff: every invitation of their network; a school manager: their school's."""
        mine = Membership.objects.filter(user=user)
        return self.filter(
            Q(network__in=mine.filter(role=Role.NETWORK_STAFF).values("network"))
            | Q(school__in=mine.filter(role=Role.SCHOOL_MANAGER).values("school"))
        )

    def with_list_related_data(self):
        return self.select_related("school", "network", "invited_by", "accepted_by")


class TeamInvitation(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="team_invitations")
    # None for a network staff member (invited to the network, no school).
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="team_invitations"
    )
    email = models.EmailField("adresse e-mail")
    role = models.CharField("rôle", max_length=32, choices=Role.choices)
    nonce = models.CharField(max_length=64, default=new_nonce, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)

    objects = TeamInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation de l'équipe"
        verbose_name_plural = "invitations de l'équipe"
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="team_invitation_scope_matches_role",
                condition=Q(role=Role.NETWORK_STAFF, school__isnull=True)
                | Q(role__in=SCHOOL_ROLES, school__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["network", "-sent_at"])]

    def __str__(self):
        return f"{self.email} — {self.get_role_display()}"

    def state(self, now=None) -> InvitationState:
        if self.revoked_at:
            return InvitationState.REVOKED
        if self.accepted_at:
            return InvitationState.ACCEPTED
        if (now or timezone.now()) >= self.expires_at:
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    @property
    def is_pending(self) -> bool:
        return self.state() == InvitationState.PENDING

    def token(self) -> str:
        """The signed part of the link (the invitation and its current nonce)."""
        return signing.dumps({"i": self.pk, "n": self.nonce}, salt=SALT, compress=True)

    @classmethod
    def from_token(cls, token: str) -> "TeamInvitation | None":
        """The invitation a link names, whatever its state; None for a forged or outdated link."""
        try:
            data = signing.loads(token, salt=SALT)
            pk, nonce = int(data["i"]), str(data["n"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            return None
        invitation = cls.objects.select_related("school", "network").filter(pk=pk).first()
        if invitation is None or not secrets.compare_digest(invitation.nonce, nonce):
            return None
        return invitation
