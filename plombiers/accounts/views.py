from allauth.account.decorators import reauthentication_required, secure_admin_login
from allauth.account.utils import get_next_redirect_url
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from plombiers.forms import add_service_errors

from . import mfa, services
from .forms import ApiTokenForm
from .models import ApiToken


@secure_admin_login
def admin_login(request):
    """The admin has no password form of its own: allauth's login (with its throttle and the second
    factor) comes first; an active staff member already logged in goes on to the admin."""
    return redirect(get_next_redirect_url(request) or "admin:index")


@require_GET
def mfa_setup(request):
    """Where a person whose role requires two-factor authentication lands after login until it is
    set up: why, how long is left, « Activer maintenant » (allauth's pages: confirm the password,
    scan the QR code, keep the recovery codes) and, during the grace period, « Plus tard »."""
    if mfa.is_enabled(request.user):
        mfa.session_done(request)
        return redirect("mfa_index")
    return render(request, "accounts/mfa_setup.html", {"required": mfa.is_required(request.user)})


def _token_page(request, form, *, created=None, raw=None, status=200):
    tokens = ApiToken.objects.owned_by(request.user).order_by("-created_at", "-pk")
    now = timezone.now()
    rows = [(token, token.state(request.user, now)) for token in tokens]
    context = {"rows": rows, "form": form, "created": created, "raw": raw}
    return render(request, "accounts/token_list.html", context, status=status)


@require_GET
def token_list(request):
    """« Mes jetons d'API »: one's own tokens, and a form for a new one."""
    return _token_page(request, ApiTokenForm())


@never_cache
@require_POST
@reauthentication_required
def token_create(request):
    """A new token, shown once on the page this answers with (never stored, never redirected)."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _token_page(request, ApiTokenForm(), created=token, raw=raw)
    return _token_page(request, form, status=400)


@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken.objects.owned_by(request.user), pk=pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, f"Le jeton « {token.name or 'sans nom'} » est révoqué : il ne fonctionne plus.")
    return redirect("accounts:token_list")
