from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from plombiers.accounts.enums import SCHOOL_ROLES, Role
from plombiers.accounts.models import User
from plombiers.accounts.permissions import is_network_staff, staff_network_ids
from plombiers.forms import add_service_errors
from plombiers.network.models import Network, School
from plombiers.views import paginate

from . import permissions, services
from .enums import INVITABLE_ROLES, InvitationState
from .forms import AcceptForm, InvitationForm
from .models import TeamInvitation


def _invitation_form(request, data=None, initial=None):
    user = request.user
    schools = School.objects.editable_by(user).order_by("name")
    roles = INVITABLE_ROLES if is_network_staff(user) else SCHOOL_ROLES[1:]
    return InvitationForm(data, initial=initial, schools=schools, roles=roles)


def _network_for(user, school) -> Network | None:
    if school is not None:
        return school.network
    ids = staff_network_ids(user)
    return Network.objects.filter(pk__in=ids).order_by("pk").first() if ids else None


def invitation_list(request):
    """« Invitations » : who was invited, and where each invitation stands; a form for a new one."""
    if not permissions.can_list_invitations(request.user):
        raise Http404
    initial = {}
    if slug := request.GET.get("ecole"):
        initial["school"] = get_object_or_404(School.objects.editable_by(request.user), slug=slug)
        initial["role"] = Role.TRAINER
    form = _invitation_form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        network = _network_for(request.user, data["school"])
        if network is None:
            raise PermissionDenied
        try:
            invitation = services.invitation_create(
                network=network,
                school=data["school"],
                email=data["email"],
                role=data["role"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"L'invitation est envoyée à {invitation.email}.")
            return redirect(request.get_full_path())
    invitations = TeamInvitation.objects.visible_to(request.user).with_list_related_data()
    page = paginate(request, invitations)
    now = timezone.now()
    rows = [(invitation, invitation.state(now)) for invitation in page]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "invitations/invitation_list.html",
        {"form": form, "page": page, "rows": rows, "pending": InvitationState.PENDING},
        status=status,
    )


def _visible(request, pk):
    return get_object_or_404(TeamInvitation.objects.visible_to(request.user), pk=pk)


def _act(request, pk, action, done):
    invitation = _visible(request, pk)
    try:
        action(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(email=invitation.email))
    return redirect("invitations:invitation_list")


@require_POST
def invitation_resend(request, pk):
    return _act(
        request,
        pk,
        services.invitation_resend,
        "Un nouveau lien est envoyé à {email} ; l'ancien ne fonctionne plus.",
    )


@require_POST
def invitation_revoke(request, pk):
    return _act(request, pk, services.invitation_revoke, "L'invitation de {email} est révoquée.")


GONE = {
    InvitationState.ACCEPTED: "Cette invitation a déjà été acceptée : connectez-vous avec votre adresse e-mail et votre mot de passe.",
    InvitationState.EXPIRED: "Ce lien d'invitation a expiré. Demandez à la personne qui vous a invité·e de vous en renvoyer un.",
    InvitationState.REVOKED: "Cette invitation a été annulée. Si c'est une erreur, demandez-en une nouvelle.",
}


@login_not_required
@never_cache
def accept(request, token):
    """The link of the e-mail: the person chooses their password, is logged in, and goes on to set up
    their second factor (allauth's pages, through the setup page that every required role sees)."""
    invitation = TeamInvitation.from_token(token)
    if invitation is None:
        raise Http404("Ce lien d'invitation n'existe pas ou a été remplacé par un plus récent.")
    state = invitation.state()
    if state != InvitationState.PENDING:
        return render(request, "invitations/gone.html", {"message": GONE[state], "state": state}, status=410)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    form = AcceptForm(request.POST or None, user=User(email=invitation.email)) if existing is None else None
    if request.method == "POST" and (existing is not None or form.is_valid()):
        data = form.cleaned_data if form is not None else {}
        try:
            user = services.invitation_accept(
                invitation=invitation,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                password=data.get("password1", ""),
            )
        except ValidationError as error:
            if form is None:
                return render(
                    request,
                    "invitations/gone.html",
                    {"message": " ".join(error.messages), "state": state},
                    status=410,
                )
            add_service_errors(form, error)
        else:
            if existing is not None:
                messages.success(request, "Votre nouveau rôle est ajouté : connectez-vous pour continuer.")
                return redirect(reverse("account_login"))
            messages.success(request, "Votre compte est prêt. Activez maintenant la double authentification.")
            return perform_login(request, user, redirect_url=reverse("home"))
    return render(
        request,
        "invitations/accept.html",
        {"invitation": invitation, "form": form, "existing": existing is not None},
        status=400 if request.method == "POST" else 200,
    )
