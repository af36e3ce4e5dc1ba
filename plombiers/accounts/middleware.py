from django.contrib import messages
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone

from . import mfa, sessions

API_PREFIX = "/api/"


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Pages need a login; the API authenticates each call itself and answers 401, never a redirect."""

    api_prefix = API_PREFIX

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(self.api_prefix):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


EXPIRED_MESSAGES = {
    "idle": "Votre session a expiré après une période d'inactivité : reconnectez-vous.",
    "absolute": "Votre session a atteint sa durée maximale : reconnectez-vous.",
    "unknown": "Votre session a expiré : reconnectez-vous.",
}


class SessionTimeoutMiddleware:
    """Ends a logged-in session that has been idle, or open, for too long (accounts/sessions.py).

    Runs before the views: the request goes on as anonymous, so a page redirects to the login form
    and the API answers 401. Reads only the session, never the user, while the session holds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if AUTH_SESSION_KEY in request.session:
            reason = sessions.expiry(request)
            if reason is not None:
                logout(request)
                if not request.path_info.startswith(API_PREFIX):
                    messages.warning(request, EXPIRED_MESSAGES[reason])
        return self.get_response(request)


# Where a person who must set up two-factor authentication may still go: the setup pages (ours and
# allauth.mfa's, whose names start with "mfa_"), the password confirmation they ask for, logout.
MFA_SETUP_VIEW_NAMES = {
    "accounts:mfa_setup",
    "account_logout",
    "account_reauthenticate",
    "account_login",
    "healthz",
}


class MFARequiredMiddleware:
    """After the grace period, a person whose role requires two-factor authentication and who has
    not set it up is sent to the setup page (pages) or refused (the API through the session: 403).
    The API's bearer tokens are checked by `plombiers.accounts.api_auth.BearerAuth`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        deadline = mfa.session_deadline(request)
        if deadline is None or timezone.now() < deadline:
            return None
        match = request.resolver_match
        view_name = match.view_name if match else ""
        if view_name and (view_name.startswith("mfa_") or view_name in MFA_SETUP_VIEW_NAMES):
            return None
        if not request.user.is_authenticated:
            return None
        if mfa.is_enabled(request.user):  # set up from another browser
            mfa.session_done(request)
            return None
        message = mfa.required_message(deadline)
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse({"detail": message, "mfa_required": True}, status=403)
        if getattr(request, "htmx", False):
            # A fragment (the alerts badge of the menu…) is refused, not redirected: htmx leaves
            # the page as it is, and the setup page does not reload itself into the menu.
            return HttpResponseForbidden(message)
        messages.warning(request, message)
        return redirect("accounts:mfa_setup")
