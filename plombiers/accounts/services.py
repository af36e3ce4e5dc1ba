from django.db import transaction
from django.utils import timezone

from plombiers.privacy.services import audit_log

from .models import ApiToken, User


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is shown once and never stored."""
    raw, key_hash = ApiToken.new_raw()
    token = ApiToken.objects.create(user=user, name=name[:100], key_hash=key_hash)
    audit_log(actor=user, action="api_token.create", obj=token)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=by, action="api_token.revoke", obj=token)
