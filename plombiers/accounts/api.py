import datetime as dt
from typing import Literal

from allauth.account.adapter import get_adapter
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from plombiers.lib.api import ErrorOut

from . import mfa, services, throttle
from .enums import TokenScope

router = Router(tags=["auth"])


class TokenIn(Schema):
    email: str
    password: str
    # The second factor, for an account that has one: a 6-digit code of the authenticator app,
    # or one of the recovery codes.
    code: str = ""
    name: str = ""
    # "read_write" by default, as tokens were before scopes: scripts written against the first
    # version of this endpoint keep working. Ask "read" for anything that only reads.
    scope: Literal["read", "read_write"] = TokenScope.READ_WRITE


class TokenOut(Schema):
    token: str
    name: str
    scope: str
    expires_at: dt.datetime


class AuthErrorOut(Schema):
    detail: str
    # True when the answer is about the second factor (missing, wrong, or required but not set up).
    mfa_required: bool = False


WRONG_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."
CODE_REQUIRED = (
    "Ce compte est protégé par la double authentification : ajoutez le champ « code » (le code à "
    "6 chiffres de votre application d'authentification, ou un code de secours)."
)
WRONG_CODE = "Code de double authentification incorrect."


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: AuthErrorOut, 403: AuthErrorOut, 422: ErrorOut, 429: ErrorOut},
)
def token_create(request, payload: TokenIn):
    """Exchange an e-mail and a password (and the second factor when the account has one) for a
    bearer token, shown once. It expires (90 days by default), carries a scope, and dies with a
    change of password or of memberships. Attempts share the login form's throttle: 429 after too
    many failures."""
    email = payload.email.strip().lower()
    adapter = get_adapter(request)
    try:
        # allauth's authentication, with its hooks: the throttle checks, then counts a failure.
        user = adapter.authenticate(request, email=email, password=payload.password)
    except throttle.LoginThrottled as refused:
        response = JsonResponse({"detail": refused.messages[0]}, status=429)
        response["Retry-After"] = str(refused.retry_after)
        return response
    if user is None or not user.is_active:
        raise HttpError(401, WRONG_CREDENTIALS)
    if mfa.is_enabled(user):
        if not payload.code.strip():
            return Status(401, {"detail": CODE_REQUIRED, "mfa_required": True})
        if mfa.validate_code(user, payload.code) is None:
            throttle.record_failure(request, login=email, channel="api")
            return Status(401, {"detail": WRONG_CODE, "mfa_required": True})
    try:
        token, raw = services.api_token_create(user=user, name=payload.name or "API", scope=payload.scope)
    except ValidationError as error:
        # Not the generic mapping: a missing second factor is a 403 that says `mfa_required`, so
        # that a script can tell it from a refused value; anything else goes to the setup's 422.
        if error.code == "mfa_required":
            return Status(403, {"detail": error.messages[0], "mfa_required": True})
        raise
    throttle.record_success(request, login=email, channel="api")
    return {"token": raw, "name": token.name, "scope": token.scope, "expires_at": token.expires_at}


@router.delete("/token", response={204: None, 400: ErrorOut})
def token_revoke(request):
    """Revoke the bearer token used for this call (a read-only token may too)."""
    token = getattr(request, "api_token", None)
    if token is None:
        raise HttpError(400, "Cet appel révoque le jeton utilisé : authentifiez-vous avec un jeton Bearer.")
    services.api_token_revoke(token=token, by=request.user)
    return Status(204, None)
