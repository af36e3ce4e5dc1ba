"""allauth, fitted to Plombiers through its adapter hooks: no open sign-up, one login throttle for
every way in (accounts/throttle.py), two-factor authentication required by role (accounts/mfa.py)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpResponseRedirect
from django.urls import reverse

from plombiers.privacy import crypto

from . import mfa, throttle


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are opened by the network, never by open sign-up."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": "Trop de tentatives de connexion : réessayez dans quelques minutes.",
    }

    def is_open_for_signup(self, request):
        return False

    # --- the throttle, in place of allauth's cache-based `login_failed` limit ------------------

    def pre_authenticate(self, request, **credentials):
        """Before the password is checked: refused (a form error, the page answers 429) when the
        throttle says so. Called by the login form, the reauthentication form and the API."""
        throttle.check(request, login=credentials.get("email", ""))

    def authentication_failed(self, request, **credentials):
        throttle.record_failure(request, login=credentials.get("email", ""))

    def login(self, request, user):
        """A complete login (password, then the second factor when the account has one)."""
        super().login(request, user)
        throttle.record_success(request, login=user.email)

    def _delete_login_attempts_cached_email(self, request, **credentials):
        """allauth calls this when a password was reset through the e-mailed link: the failures
        against the old password no longer count."""
        throttle.record_reset(request, login=credentials.get("email", ""))

    # --- two-factor authentication required by role --------------------------------------------

    def post_login(self, request, user, **kwargs):
        """During the grace period, each login lands on the setup page (with « Plus tard », which
        goes where the person was going)."""
        response = super().post_login(request, user, **kwargs)
        if mfa.session_deadline(request) is not None and isinstance(response, HttpResponseRedirect):
            request.session[mfa.SESSION_NEXT] = response.url
            return HttpResponseRedirect(reverse("accounts:mfa_setup"))
        return response


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "La double authentification est obligatoire pour votre rôle : vous ne pouvez pas la "
            "désactiver (vous pouvez en revanche régénérer vos codes de secours)."
        ),
    }

    def encrypt(self, text: str) -> str:
        """TOTP secrets and recovery-code seeds are encrypted at rest with the application's keys
        (and rotated by `plombiers rotate_keys` like every encrypted text): allauth stores them in
        clear by default, and whoever reads the database would then make valid codes."""
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator):
        """Someone who must use it keeps at least one authenticator app or security key."""
        from allauth.mfa.models import Authenticator

        user = authenticator.user
        if authenticator.type == Authenticator.Type.RECOVERY_CODES or not mfa.is_required(user):
            return True
        return (
            Authenticator.objects.filter(
                user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
            )
            .exclude(pk=authenticator.pk)
            .exists()
        )
