"""« Mes données » of the young person, the person's data on the staff side, and the register."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plombiers.accounts.enums import Role
from plombiers.documents.services import render as render_pdf
from plombiers.forms import add_service_errors
from plombiers.privacy import retention
from plombiers.privacy.models import ErasureDecision, ErasureRequest
from plombiers.referrals.models import Learner
from plombiers.support.enums import ConsentScope
from plombiers.support.services import consent_withdraw, consents_current
from plombiers.views import paginate

from . import register, services
from .erasure import KEPT, can_decide_erasure, erasure_accept, erasure_refuse, erasure_request_record
from .forms import (
    ErasureDecisionForm,
    ErasureRequestForm,
    RectificationDecisionForm,
    RectificationRequestForm,
    RetentionSettingsForm,
)
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


@login_not_required
@require_GET
def retention_page(request):
    """How long what is kept: the same table as the information notice (the defaults)."""
    return render(request, "rights/retention.html", {"rows": retention.table()})


def _learner_for_decision(request, pk):
    learner = get_object_or_404(Learner.objects.visible_to(request.user).select_related("school"), pk=pk)
    if not can_decide_erasure(request.user, learner):
        raise PermissionDenied("Seule la direction de l'école ou la tête de réseau décide d'un effacement.")
    return learner


@require_http_methods(["GET", "POST"])
def learner_erasure(request, pk):
    """« Demande d'effacement »: record a request, then accept or refuse it."""
    learner = _learner_for_decision(request, pk)
    requests = (
        ErasureRequest.objects.visible_to(request.user)
        .filter(learner=learner)
        .select_related("requested_by", "decided_by")
    )
    form = ErasureRequestForm(request.POST if request.POST.get("action") == "record" else None)
    decision_form = ErasureDecisionForm(request.POST if request.POST.get("action") == "decide" else None)
    if request.method == "POST" and request.POST.get("action") == "record" and form.is_valid():
        try:
            erasure_request_record(learner=learner, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Demande d'effacement enregistrée : il reste à la décider.")
            return redirect("rights:learner_erasure", learner.pk)
    if request.method == "POST" and request.POST.get("action") == "decide" and decision_form.is_valid():
        pk = request.POST.get("request", "")
        if not pk.isdigit() or len(pk) > 18:
            raise Http404
        pending = get_object_or_404(requests, pk=int(pk), decision=ErasureDecision.PENDING)
        try:
            if decision_form.cleaned_data["decision"] == "accept":
                erasure_accept(request=pending, by=request.user)
                messages.success(request, "Demande acceptée : la personne est anonymisée.")
            else:
                erasure_refuse(
                    request=pending, by=request.user, reason=decision_form.cleaned_data["refusal_reason"]
                )
                messages.success(request, "Demande refusée : le motif est enregistré.")
        except ValidationError as error:
            add_service_errors(decision_form, error)
        else:
            return redirect("rights:learner_erasure", learner.pk)
    context = {
        "learner": learner,
        "requests": requests,
        "form": form,
        "decision_form": decision_form,
        "kept": KEPT,
    }
    return render(
        request,
        "rights/learner_erasure.html",
        context,
        status=400 if form.errors or decision_form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def retention_settings(request):
    """The network staff set their network's durations."""
    memberships = [m for m in request.user.membership_list if m.role == Role.NETWORK_STAFF and m.network_id]
    if not memberships:
        raise PermissionDenied("Seule la tête de réseau règle les durées de conservation.")
    network = memberships[0].network
    form = RetentionSettingsForm(request.POST or None, rows=retention.table(network))
    if request.method == "POST" and form.is_valid():
        changed = retention.retention_settings_update(
            network=network, months=form.cleaned_data, by=request.user
        )
        messages.success(request, f"{changed} durée(s) modifiée(s).")
        return redirect("rights:retention_settings")
    return render(
        request,
        "rights/retention_settings.html",
        {"form": form, "network": network},
        status=400 if form.errors else 200,
    )
