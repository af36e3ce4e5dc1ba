"""The REST API: one NinjaAPI, one router per app, the same services and querysets as the pages.

Errors are mapped here, once, for every router: an operation calls its services and lets their
exceptions through —
- `PermissionDenied` → 403, `django.core.exceptions.ValidationError` → 422 (409 for the codes in
  `CONFLICTS`), `ObjectDoesNotExist` and `Http404` → 404, each as `{"detail": "…"}` in French;
- a request that does not follow the schema → 422 `{"detail": "Requête invalide.", "errors": […]}`.
The OpenAPI document says so on every operation (`with_error_responses`).
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as RefusedError
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from plombiers.accounts.api import router as accounts_router
from plombiers.accounts.api_auth import BearerAuth, SessionAuth
from plombiers.alerts.api import router as alerts_router
from plombiers.cohorts.api import router as cohorts_router
from plombiers.credentials.api import router as credentials_router
from plombiers.documents.api import router as documents_router
from plombiers.funding.api import router as funding_router
from plombiers.impact.api import router as impact_router
from plombiers.imports.api import router as imports_router
from plombiers.internships.api.matching import router as matching_router
from plombiers.internships.api.placements import router as internships_router
from plombiers.invitations.api import router as invitations_router
from plombiers.network.api import router as network_router
from plombiers.offer.api import router as offer_router
from plombiers.outcomes.api import router as outcomes_router
from plombiers.referrals.api import router as referrals_router
from plombiers.rights.api import router as rights_router
from plombiers.skills.api import router as skills_router
from plombiers.support.api import router as support_router
from plombiers.webhooks.api import router as webhooks_router

from .openapi import with_error_responses

UNAUTHENTICATED = "Authentification requise : jeton absent, invalide ou révoqué."
FORBIDDEN = "Vous n'avez pas le droit de faire cela."
NOT_FOUND = "Introuvable."
# The codes of the services' ValidationErrors that are a conflict with the object's state (409),
# not a value to correct (422): a move the workflow does not allow, a referral already under way,
# a full cohort, a signed attendance sheet.
CONFLICTS = frozenset({"illegal_transition", "transition", "duplicate_referral", "cohort_full", "locked"})


class PlombiersAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return with_error_responses(super().get_openapi_schema(*args, **kwargs))


class FrenchSwagger(Swagger):
    """The documentation page, with `<html lang="fr">`."""

    template = "api/docs.html"


api = PlombiersAPI(
    title="Plombiers API",
    version="1",
    description="API REST de Plombiers. Authentification : `POST /api/v1/auth/token` puis "
    "`Authorization: Bearer <jeton>`. Listes paginées `{items, count}` avec `limit` et `offset`. "
    'Chaque erreur répond `{"detail": "…"}` en français : 401 sans jeton valable, 403 pour ce que '
    "l'appelant n'a pas le droit de faire, 404 pour ce qu'il ne voit pas, 409 pour un conflit avec "
    "l'état de l'objet, 422 pour une requête ou une valeur invalide.",
    auth=[BearerAuth(), SessionAuth()],
    urls_namespace="api",
    docs=FrenchSwagger(),
    # The paths are absolute (`/api/v1/…`): the server is this site's root.
    servers=[{"url": "/", "description": "ce site"}],
    openapi_extra={"info": {"license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}}},
)


def _error(request, status: int, detail: str, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


def _codes(error: RefusedError) -> set:
    if hasattr(error, "error_dict"):
        return {each.code for errors in error.error_dict.values() for each in errors}
    return {each.code for each in error.error_list}


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return _error(request, 401, UNAUTHENTICATED)


@api.exception_handler(ValidationError)
def on_invalid_request(request, exc):
    return _error(request, 422, "Requête invalide.", errors=exc.errors)


@api.exception_handler(RefusedError)
def on_refused(request, exc):
    """A service refused a value (422), or a move the object's state does not allow (409)."""
    status = 409 if _codes(exc) & CONFLICTS else 422
    return _error(request, status, " ".join(exc.messages))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _error(request, 403, str(exc) or FORBIDDEN)


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def on_not_found(request, exc):
    return _error(request, 404, NOT_FOUND)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return _error(request, exc.status_code, exc.message)


api.add_router("/auth", accounts_router)
api.add_router("/", network_router)
api.add_router("/", referrals_router)
api.add_router("/", rights_router)
api.add_router("/", cohorts_router)
api.add_router("/", skills_router)
api.add_router("/", support_router)
api.add_router("/", alerts_router)
api.add_router("/", documents_router)
api.add_router("/", internships_router)
api.add_router("/", credentials_router)
api.add_router("/", matching_router)
api.add_router("/", outcomes_router)
api.add_router("/", impact_router)
api.add_router("/", funding_router)
api.add_router("/", offer_router)
api.add_router("/", imports_router)
api.add_router("/", webhooks_router)
api.add_router("/", invitations_router)
