from .enums import Role


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set()}
    return {"user_roles": user.roles, "Role": Role}


def mfa_prompt(request):
    """For the banner and the setup page: the two-factor deadline of this session, if any."""
    import math

    from django.utils import timezone

    from . import mfa

    deadline = mfa.session_deadline(request)
    if deadline is None:
        return {}
    left = (deadline - timezone.now()).total_seconds()
    match = getattr(request, "resolver_match", None)
    return {
        "mfa_prompt": {
            "deadline": deadline,
            "days_left": max(0, math.ceil(left / 86400)),
            "overdue": left <= 0,
            "later_url": request.session.get(mfa.SESSION_NEXT) or "/",
            "on_setup_page": bool(
                match and (match.view_name.startswith("mfa_") or match.view_name == "accounts:mfa_setup")
            ),
        }
    }
