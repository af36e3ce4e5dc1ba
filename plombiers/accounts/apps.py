from django.apps import AppConfig


def on_login(sender, request, user, **kwargs):
    """Every login, whatever its way in (allauth's form, the admin routed to it, a test's
    force_login), starts its session under the same rules: its lifetime (accounts/sessions.py) and,
    for the roles that need it, the two-factor deadline (accounts/mfa.py)."""
    from . import mfa, sessions

    if request is None or not hasattr(request, "session"):
        return
    sessions.session_start(request, user)
    mfa.session_start(request, user)


def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    """An authenticator app (or a security key) set up: this session has nothing more to ask.
    Recovery codes alone are not a second factor."""
    from . import mfa

    if authenticator.type != "recovery_codes" and request is not None and hasattr(request, "session"):
        mfa.session_done(request)


class AccountsConfig(AppConfig):
    name = "plombiers.accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from allauth.mfa.signals import authenticator_added
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(on_login, dispatch_uid="plombiers.accounts.on_login")
        authenticator_added.connect(on_authenticator_added, dispatch_uid="plombiers.accounts.mfa_added")
