"""The young person's space as an installable web app (issue 21): its manifest, its service
worker, and the mark that lets the service worker keep a page for offline reading.

The service worker (`templates/homes/pwa/sw.js`) keeps only the pages marked here: the planning and
the attestations, as a young person with no staff role reads them (`OFFLINE_HEADER`). It is
registered only on such a person's pages (`base.html`), yet a shared phone may be used by someone
else later: the mark, set by the server for each response, is what keeps a staff page out of the
cache, whoever registered the worker. The cache is emptied at logout and on the login page.
"""

import json
import re

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control

from plombiers.accounts.permissions import is_learner_only

# The pages a young person may read offline: their planning and their attestations.
OFFLINE_VIEWS = {"cohorts:cohort_calendar", "credentials:attestation_list"}
OFFLINE_HEADER = "X-Plombiers-Offline"
THEME_COLOR = "#123a5c"


@login_not_required
@cache_control(max_age=24 * 3600, public=True)
def manifest(request):
    """The web app manifest (browsers fetch it without cookies: it is public and holds nothing
    personal)."""
    icons = [
        {
            "src": static(f"plombiers/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any maskable",
        }
        for size in (192, 512)
    ]
    data = {
        "name": "Plombiers — Mon espace",
        "short_name": "Mon espace",
        "description": "Ton planning, ton attestation et ton suivi à l'école.",
        "lang": "fr",
        "dir": "ltr",
        "id": "/mon-espace/",
        "start_url": "/mon-espace/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": "#ffffff",
        "icons": icons,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def offline_paths() -> list[str]:
    """The paths of OFFLINE_VIEWS as regular expressions for the service worker: it looks at no
    other navigation."""
    placeholder = "987654321"
    calendar = re.escape(reverse("cohorts:cohort_calendar", args=[placeholder])).replace(placeholder, r"\d+")
    return [f"^{calendar}$", f"^{re.escape(reverse('credentials:attestation_list'))}$"]


@login_not_required
def service_worker(request):
    """The service worker, at the root so that its scope is the whole site; never cached by the
    browser's HTTP cache, so that a new version is picked up at the next visit."""
    response = render(
        request,
        "homes/pwa/sw.js",
        {"offline_header": OFFLINE_HEADER, "offline_paths": json.dumps(offline_paths())},
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


class OfflineMarkMiddleware:
    """Marks the responses the service worker may keep: a planning or attestation page, answered
    200 to a young person with no staff role. Everything else is left unmarked, hence never kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            response.status_code == 200
            and request.method == "GET"
            and match is not None
            and match.view_name in OFFLINE_VIEWS
            and not request.headers.get("HX-Request")
            and request.user.is_authenticated
            and is_learner_only(request.user)
        ):
            response[OFFLINE_HEADER] = "1"
        return response
