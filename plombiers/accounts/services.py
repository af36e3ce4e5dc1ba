import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from plombiers.privacy.services import audit_log

from . import mfa
from .enums import TokenScope
from .models import ApiToken, User, password_fingerprint


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str = "",
    scope: str = TokenScope.READ_WRITE,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is shown once and never stored.

    It expires after `days` (settings.PLOMBIERS_API_TOKEN_DAYS by default, at most
    PLOMBIERS_API_TOKEN_MAX_DAYS), and holds only under the current password and memberships. For
    someone who still has to set up two-factor authentication, it also stops at the end of their
    grace period; after it, no token is issued."""
    if scope not in TokenScope.values:
        raise ValidationError("Portée inconnue : « read » (lecture seule) ou « read_write ».", code="scope")
    days = settings.PLOMBIERS_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.PLOMBIERS_API_TOKEN_MAX_DAYS:
        raise ValidationError(
            f"Un jeton vaut de 1 à {settings.PLOMBIERS_API_TOKEN_MAX_DAYS} jours.", code="days"
        )
    now = timezone.now()
    mfa_deadline = mfa.deadline(user)
    if mfa_deadline is not None and mfa_deadline <= now:
        raise ValidationError(mfa.required_message(mfa_deadline), code="mfa_required")
    raw, key_hash = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        key_hash=key_hash,
        scope=scope,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
        password_fingerprint=password_fingerprint(user.password),
        membership_ids=list(user.memberships.order_by("pk").values_list("pk", flat=True)),
        mfa_deadline=mfa_deadline,
    )
    audit_log(
        actor=user,
        action="api_token.create",
        obj=token,
        details={"name": token.name, "scope": token.scope, "expires_at": token.expires_at.isoformat()},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=by, action="api_token.revoke", obj=token, details={"name": token.name})


def user_mfa_grace_start(*, user: User) -> dt.datetime:
    """The start of this person's grace period to set up two-factor authentication: now, the
    first time (one conditional UPDATE, so that two logins at once agree on it)."""
    if user.mfa_grace_started_at is None:
        now = timezone.now()
        User.objects.filter(pk=user.pk, mfa_grace_started_at__isnull=True).update(mfa_grace_started_at=now)
        user.mfa_grace_started_at = (
            User.objects.filter(pk=user.pk).values_list("mfa_grace_started_at", flat=True).get()
        )
    return user.mfa_grace_started_at
