from .enums import Role
from .permissions import manages_schools, works_for_schools


def roles(request):
    """The roles for the menus, and the base rules that open its doors (the same predicates as the
    views: a menu never shows a door the page would refuse)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set(), "works_for_schools": False, "manages_schools": False}
    return {
        "user_roles": user.roles,
        "Role": Role,
        "works_for_schools": works_for_schools(user),
        "manages_schools": manages_schools(user),
    }


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
