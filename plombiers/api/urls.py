"""The REST API: one NinjaAPI, one router per app, the same services and querysets as the pages."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from plombiers.accounts.api import router as accounts_router
from plombiers.alerts.api import router as alerts_router
from plombiers.cohorts.api import router as cohorts_router
from plombiers.credentials.api import router as credentials_router
from plombiers.documents.api import router as documents_router
from plombiers.funding.api import router as funding_router
from plombiers.impact.api import router as impact_router
from plombiers.internships.api import router as internships_router
from plombiers.internships.api_matching import router as matching_router
from plombiers.network.api import router as network_router
from plombiers.outcomes.api import router as outcomes_router
from plombiers.referrals.api import router as referrals_router
from plombiers.rights.api import router as rights_router
from plombiers.skills.api import router as skills_router
from plombiers.support.api import router as support_router

from .auth import BearerAuth, SessionAuth

api = NinjaAPI(
    title="Plombiers API",
    version="1",
    description="API REST de Plombiers. Authentification : `POST /api/v1/auth/token` puis "
    "`Authorization: Bearer <jeton>`. Listes paginées `{items, count}` avec `limit` et `offset`.",
    auth=[BearerAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return api.create_response(
        request, {"detail": "Authentification requise : jeton absent, invalide ou révoqué."}, status=401
    )


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    return api.create_response(request, {"detail": "Requête invalide.", "errors": exc.errors}, status=422)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": "Introuvable."}, status=404)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


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
