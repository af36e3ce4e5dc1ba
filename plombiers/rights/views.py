"""« Mes données » of the young person, the person's data on the staff side, and the register."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from plombiers.accounts.enums import Role
from plombiers.documents.services import render as render_pdf
from plombiers.forms import add_service_errors
from plombiers.privacy import register
from plombiers.referrals.models import Learner
from plombiers.support.enums import ConsentScope
from plombiers.support.services import consent_withdraw, consents_current
from plombiers.views import paginate

from . import services
from .forms import RectificationDecisionForm, RectificationRequestForm
from .models import RectificationRequest


def _zip(name: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- the young person ----------------------------------------------------------------------


def _my_record(user) -> Learner:
    learner = Learner.objects.filter(user=user).select_related("school").first()
    if learner is None:
        raise Http404("Cette page est celle des jeunes suivi·es par une école.")
    return learner


def my_data(request):
    learner = _my_record(request.user)
    form = RectificationRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rectification_request(learner=learner, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Votre demande est envoyée à votre école. Vous verrez sa réponse ici.")
            return redirect("rights:my_data")
    current = consents_current(learner)
    consents = [
        {"scope": scope, "label": label, "consent": current.get(scope)}
        for scope, label in ConsentScope.choices
    ]
    requests = RectificationRequest.objects.filter(learner=learner).order_by("-created_at", "-pk")
    context = {"learner": learner, "form": form, "consents": consents, "requests": requests}
    return render(request, "rights/my_data.html", context)


def my_export(request):
    learner = _my_record(request.user)
    return _zip("mes-donnees.zip", services.export_for(learner=learner, by=request.user))


@require_http_methods(["GET", "POST"])
def my_consent_withdraw(request, scope):
    learner = _my_record(request.user)
    if scope not in ConsentScope.values:
        raise Http404
    label = ConsentScope(scope).label
    if request.method == "POST":
        try:
            consent_withdraw(learner=learner, scope=scope, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Votre accord est retiré : « {label} ». Il s'applique dès maintenant.")
        return redirect("rights:my_data")
    return render(request, "rights/consent_withdraw.html", {"scope": scope, "label": label})


# --- staff -----------------------------------------------------------------------------------


def _staff_learner(request, pk) -> Learner:
    learner = get_object_or_404(Learner.objects.visible_to(request.user).select_related("school"), pk=pk)
    if learner.user_id == request.user.pk:
        raise Http404
    return learner


def learner_data(request, pk):
    learner = _staff_learner(request, pk)
    if not services.may_export(request.user, learner):
        raise PermissionDenied("Seul·es la direction et l'accompagnement de l'école gèrent ces données.")
    requests = RectificationRequest.objects.visible_to(request.user).filter(learner=learner)
    context = {
        "learner": learner,
        "requests": requests,
        "may_rectify": services.may_rectify(request.user, learner),
        "decision_form": RectificationDecisionForm(),
    }
    return render(request, "rights/learner_data.html", context)


def learner_export(request, pk):
    learner = _staff_learner(request, pk)
    return _zip(f"donnees-{learner.pk}.zip", services.export_for(learner=learner, by=request.user))


@require_POST
def rectification_decide(request, pk):
    rectification = get_object_or_404(
        RectificationRequest.objects.visible_to(request.user).select_related("learner"), pk=pk
    )
    if rectification.learner.user_id == request.user.pk:
        raise Http404
    form = RectificationDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.rectification_decide(request=rectification, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    else:
        messages.success(request, "La demande est traitée ; la personne en est informée.")
    return redirect("rights:learner_data", rectification.learner_id)


def rectification_list(request):
    user = request.user
    if not user.has_role(Role.NETWORK_STAFF, Role.SCHOOL_MANAGER, Role.SOCIAL_WORKER):
        raise Http404
    requests = (
        RectificationRequest.objects.visible_to(user)
        .open()
        .select_related("learner__school")
        .order_by("created_at", "pk")
    )
    return render(request, "rights/rectification_list.html", {"page": paginate(request, requests)})


# --- the register (network staff) ----------------------------------------------------------


def _network_staff(user) -> None:
    if not user.has_role(Role.NETWORK_STAFF):
        raise Http404("Le registre des traitements est tenu par la tête de réseau.")


def register_page(request):
    _network_staff(request.user)
    context = {"register": register.register(), "security": register.security_measures()}
    return render(request, "rights/register.html", context)


def register_pdf(request):
    _network_staff(request.user)
    content = render_pdf("registre.typ", register.register_document())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="registre-des-traitements.pdf"'
    return response
