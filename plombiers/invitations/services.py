"""Invitations to join the team: sent, re-sent, revoked, accepted — each one atomic and audited."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from plombiers.accounts.enums import SCHOOL_ROLES, Role
from plombiers.accounts.models import Membership, User
from plombiers.network.models import Network, School
from plombiers.privacy.services import audit_log

from . import permissions, tasks
from .enums import INVITABLE_ROLES, InvitationState
from .models import TeamInvitation, new_nonce


def _expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=settings.PLOMBIERS_INVITATION_DAYS)


def _send(invitation: TeamInvitation) -> None:
    pk, nonce = invitation.pk, invitation.nonce
    transaction.on_commit(lambda: tasks.send_invitation.enqueue(pk, nonce))


@transaction.atomic
def invitation_create(
    *, network: Network, school: School | None, email: str, role: str, by: User
) -> TeamInvitation:
    """Invite `email` as `role` (in `school` for a school role); the e-mail leaves once committed."""
    email = User.objects.normalize_email(email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Saisissez une adresse e-mail valide."}) from None
    if role not in INVITABLE_ROLES:
        raise ValidationError(
            {"role": "On invite une personne de la tête de réseau ou de l'équipe d'une école."}
        )
    if role in SCHOOL_ROLES and school is None:
        raise ValidationError({"school": "Choisissez l'école de la personne invitée."})
    if role == Role.NETWORK_STAFF:
        school = None
    if school is not None and school.network_id != network.pk:
        raise ValidationError({"school": "Cette école n'est pas de votre réseau."})
    if not permissions.can_invite(by, network=network, school=school, role=role):
        raise PermissionDenied("Seule la tête de réseau, ou la direction de l'école pour son équipe, invite.")
    scope = {"network": network} if school is None else {"school": school}
    if Membership.objects.filter(user__email=email, role=role, **scope).exists():
        raise ValidationError({"email": "Cette personne a déjà ce rôle ici."}, code="duplicate_invitation")
    now = timezone.now()
    invitation = TeamInvitation.objects.create(
        network=network,
        school=school,
        email=email,
        role=role,
        invited_by=by,
        created_at=now,
        sent_at=now,
        expires_at=_expiry(now),
    )
    audit_log(
        actor=by,
        action="invitation.create",
        obj=invitation,
        school=school,
        details={"role": role, "expires_at": invitation.expires_at.isoformat()},
    )
    _send(invitation)
    return invitation


def _locked(invitation: TeamInvitation) -> TeamInvitation:
    return (
        TeamInvitation.objects.select_for_update(of=("self",))
        .select_related("school", "network")
        .get(pk=invitation.pk)
    )


@transaction.atomic
def invitation_resend(*, invitation: TeamInvitation, by: User) -> TeamInvitation:
    """A new link (the previous one stops working) valid for the full period again."""
    invitation = _locked(invitation)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("Cette invitation est déjà acceptée ou révoquée.", code="transition")
    now = timezone.now()
    invitation.nonce = new_nonce()
    invitation.sent_at = now
    invitation.expires_at = _expiry(now)
    invitation.save(update_fields=["nonce", "sent_at", "expires_at"])
    audit_log(actor=by, action="invitation.resend", obj=invitation, school=invitation.school)
    _send(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: TeamInvitation, by: User) -> TeamInvitation:
    invitation = _locked(invitation)
    if invitation.accepted_at:
        raise ValidationError(
            "Cette invitation est déjà acceptée : retirez le rôle de la personne.", code="transition"
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_log(actor=by, action="invitation.revoke", obj=invitation, school=invitation.school)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: TeamInvitation, first_name: str, last_name: str, password: str) -> User:
    """The invited person's answer: their account (created, or the existing one of this address,
    whose password is then left as it is), and the membership the invitation names. Once only."""
    invitation = _locked(invitation)
    state = invitation.state()
    if state != InvitationState.PENDING:
        raise ValidationError(
            f"Cette invitation n'est plus valable ({state.label.lower()}).", code="transition"
        )
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User(email=invitation.email, first_name=first_name.strip(), last_name=last_name.strip())
        validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
    scope = {"network": invitation.network} if invitation.school is None else {"school": invitation.school}
    Membership.objects.get_or_create(user=user, role=invitation.role, **scope)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_log(
        actor=user,
        action="invitation.accept",
        obj=invitation,
        school=invitation.school,
        details={"role": invitation.role},
    )
    return user


def invitations_purge(now: dt.datetime | None = None) -> int:
    """Forget the invitations nobody accepted, past the retention rule « team_invitations » of their
    network after their expiry or revocation (an accepted one stays: it tells how the account came)."""
    from plombiers.privacy.retention import months_before, months_for

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    count = 0
    unanswered = TeamInvitation.objects.filter(accepted_at__isnull=True)
    for network in Network.objects.filter(pk__in=unanswered.values("network")):
        before = months_before(today, months_for(network, "team_invitations"))
        mine = unanswered.filter(network=network)
        deleted, _ = (
            mine.filter(revoked_at__date__lt=before)
            | mine.filter(revoked_at=None, expires_at__date__lt=before)
        ).delete()
        count += deleted
    return count
