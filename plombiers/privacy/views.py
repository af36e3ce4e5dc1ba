"""The privacy pages: the retention table (public) and the erasure requests of one person."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from plombiers.accounts.enums import Role
from plombiers.forms import add_service_errors

from . import retention
from .erasure import KEPT, can_decide_erasure, erasure_accept, erasure_refuse, erasure_request_record
from .forms import ErasureDecisionForm, ErasureRequestForm, RetentionSettingsForm
from .models import ErasureDecision, ErasureRequest


@login_not_required
@require_GET
def retention_page(request):
    """How long what is kept: the same table as the information notice (the defaults)."""
    return render(request, "privacy/retention.html", {"rows": retention.table()})


def _learner_for_decision(request, pk):
    learner = get_object_or_404(
        apps.get_model("referrals.Learner").objects.visible_to(request.user).select_related("school"), pk=pk
    )
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
            return redirect("privacy:learner_erasure", learner.pk)
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
            return redirect("privacy:learner_erasure", learner.pk)
    context = {
        "learner": learner,
        "requests": requests,
        "form": form,
        "decision_form": decision_form,
        "kept": KEPT,
    }
    return render(
        request,
        "privacy/learner_erasure.html",
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
        return redirect("privacy:retention_settings")
    return render(
        request,
        "privacy/retention_settings.html",
        {"form": form, "network": network},
        status=400 if form.errors else 200,
    )
