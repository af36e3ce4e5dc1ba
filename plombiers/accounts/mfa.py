"""Two-factor authentication, required of every role that reads personal data.

Who: network staff, school managers, trainers, social workers and prescribers (`MFA_REQUIRED_ROLES`),
superusers and whoever may open the admin. Learners and funders may turn it on; nobody requires it
of them. What: allauth.mfa's authenticator app (TOTP) with its recovery codes; its pages
(`/comptes/2fa/`) set it up, its login stage asks for the code.

The grace period: at the first login without it (`User.mfa_grace_started_at`), the person has
`settings.PLOMBIERS_MFA_GRACE_DAYS` days (14). During them, each login lands on the setup page with
« Plus tard », and a banner counts the days left. After them, every page except logout and the setup
pages themselves sends to the setup page, the session API answers 403, `POST /api/v1/auth/token`
refuses, and the tokens issued without a second factor stop (`ApiToken.mfa_deadline`).

The state is decided once, at login, and kept in the session (the deadline as a timestamp): pages
cost no query for it. Setting it up clears it (allauth's `authenticator_added` signal); a person
whose deadline has passed is checked against the database before being sent away, in case they set
it up from another browser.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .enums import MFA_REQUIRED_ROLES

SESSION_DEADLINE = "plombiers_mfa_deadline"
SESSION_NEXT = "plombiers_mfa_next"

REQUIRED_MESSAGE = (
    "La double authentification est obligatoire pour votre compte depuis le {date} : activez-la "
    "(menu du compte → Double authentification, avec une application d'authentification) pour "
    "continuer."
)


def is_required(user) -> bool:
    """A fresh query (not the memberships cached on the user object, which a caller may reuse)."""
    if user.is_superuser or user.is_staff:
        return True
    return user.memberships.filter(role__in=MFA_REQUIRED_ROLES).exists()


def is_enabled(user) -> bool:
    """What allauth's login stage asks a code for: an authenticator app (or a security key)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])


def deadline(user) -> dt.datetime | None:
    """When this person must have set it up: None when nothing is required of them or it is done.
    The first call for someone who needs it starts their grace period."""
    if not is_required(user) or is_enabled(user):
        return None
    from .services import user_mfa_grace_start

    started = user_mfa_grace_start(user=user)
    return started + dt.timedelta(days=settings.PLOMBIERS_MFA_GRACE_DAYS)


def required_message(when: dt.datetime) -> str:
    return REQUIRED_MESSAGE.format(date=timezone.localtime(when).strftime("%d/%m/%Y"))


def validate_code(user, code: str):
    """The authenticator that accepts `code` (a TOTP code or an unused recovery code), or None.

    allauth's own validation (`Authenticator.wrap().validate_code`), as its login stage runs it:
    a recovery code is used up, a TOTP code cannot be replayed."""
    from allauth.mfa.models import Authenticator

    code = (code or "").strip()
    if not code:
        return None
    # A recovery code is locked (select_for_update) while it is checked and marked used.
    with transaction.atomic():
        for authenticator in Authenticator.objects.filter(user=user).exclude(
            type=Authenticator.Type.WEBAUTHN
        ):
            if authenticator.wrap().validate_code(code):
                authenticator.record_usage()
                return authenticator
    return None


def session_start(request, user) -> None:
    """At login: the deadline in the session when the person still has to set it up."""
    when = deadline(user)
    if when is None:
        request.session.pop(SESSION_DEADLINE, None)
    else:
        request.session[SESSION_DEADLINE] = when.timestamp()


def session_deadline(request) -> dt.datetime | None:
    stamp = request.session.get(SESSION_DEADLINE) if hasattr(request, "session") else None
    return dt.datetime.fromtimestamp(stamp, tz=dt.UTC) if stamp else None


def session_done(request) -> None:
    """Set up: nothing more to ask in this session."""
    request.session.pop(SESSION_DEADLINE, None)
    request.session.pop(SESSION_NEXT, None)
