from django.contrib.auth import authenticate
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from plombiers.api.schemas import ErrorOut

from . import services

router = Router(tags=["auth"])


class TokenIn(Schema):
    email: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str


@router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut})
def token_create(request, payload: TokenIn):
    """Exchange an e-mail and a password for a bearer token (shown once)."""
    user = authenticate(request, email=payload.email.strip().lower(), password=payload.password)
    if user is None or not user.is_active:
        raise HttpError(401, "Adresse e-mail ou mot de passe incorrect.")
    _token, raw = services.api_token_create(user=user, name=payload.name or "API")
    return {"token": raw}


@router.delete("/token", response={204: None, 400: ErrorOut})
def token_revoke(request):
    """Revoke the bearer token used for this call."""
    token = getattr(request, "api_token", None)
    if token is None:
        raise HttpError(400, "Cet appel révoque le jeton utilisé : authentifiez-vous avec un jeton Bearer.")
    services.api_token_revoke(token=token, by=request.user)
    return Status(204, None)
