from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from plombiers.accounts.models import ApiToken


class BearerAuth(HttpBearer):
    """`Authorization: Bearer plb_…`: a revocable token, looked up by its hash."""

    def authenticate(self, request, token):
        api_token = ApiToken.objects.for_raw(token).select_related("user").first()
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session (pages calling the API); CSRF is checked on writes."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None
