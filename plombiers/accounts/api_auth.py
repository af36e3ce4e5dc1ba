from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from plombiers.accounts import mfa
from plombiers.accounts.models import ApiToken

# The methods a read-only token may use.
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
READ_ONLY_MESSAGE = (
    "Ce jeton est en lecture seule : il ne peut rien créer, modifier ni supprimer. Créez un jeton "
    "« lecture et écriture » dans Plombiers (menu du compte → Mes jetons d'API)."
)


class BearerAuth(HttpBearer):
    """`Authorization: Bearer plb_…`: a token looked up by its hash, refused (401) when revoked,
    expired, or issued under another password or other memberships than the user's now; refused
    (403) after the two-factor grace period it was issued in, or for a write with a read-only scope."""

    def authenticate(self, request, token):
        api_token = ApiToken.objects.for_raw(token).select_related("user").first()
        if api_token is None or not api_token.holds_for(api_token.user):
            return None
        now = timezone.now()
        if api_token.mfa_deadline is not None and api_token.mfa_deadline <= now:
            raise HttpError(403, mfa.required_message(api_token.mfa_deadline))
        if api_token.is_read_only and request.method not in READ_METHODS and not _revokes_itself(request):
            raise HttpError(403, READ_ONLY_MESSAGE)
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


def _revokes_itself(request) -> bool:
    """`DELETE /api/v1/auth/token`: any token may end itself."""
    return request.method == "DELETE" and request.path_info.rstrip("/") == "/api/v1/auth/token"


class SessionAuth(APIKeyCookie):
    """The logged-in browser session (pages calling the API); CSRF is checked on writes."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None
