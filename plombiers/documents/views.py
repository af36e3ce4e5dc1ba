"""Download pages of the OPCO and Qualiopi documents: the cohort's set for the school's team and
the network staff; a learner's own certificat and attestation once their training is over."""

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from plombiers.cohorts.models import Enrolment
from plombiers.privacy.services import audit_log

from . import permissions, services
from .downloads import download_response
from .services import KINDS, LEARNER_KINDS, NothingToPrint


def _cohort(request, pk):
    return get_object_or_404(services.visible_cohorts(request.user).select_related("school"), pk=pk)


@require_GET
def cohort_documents(request, pk):
    """The list of the cohort's documents: the set, every week, every learner."""
    cohort = _cohort(request, pk)
    mondays = sorted({services.monday_of(day) for day in cohort.sessions.dates("date", "day")})
    enrolments = cohort.enrolments.select_related("learner").order_by(
        "learner__last_name", "learner__first_name", "pk"
    )
    return render(
        request,
        "documents/cohort_documents.html",
        {
            "cohort": cohort,
            "kinds": KINDS,
            "mondays": mondays,
            "enrolments": enrolments,
            "enrolment_kinds": services.ENROLMENT_KINDS,
        },
    )


@require_GET
def cohort_document(request, pk, kind):
    cohort = _cohort(request, pk)
    if kind not in KINDS:
        raise Http404
    week = None
    if request.GET.get("semaine"):
        try:
            week = dt.date.fromisoformat(request.GET["semaine"])
        except ValueError:
            messages.error(request, "Semaine invalide : choisissez-la dans la liste.")
            return redirect("documents:cohort_documents", pk=cohort.pk)
    try:
        name, content = services.cohort_document(cohort=cohort, kind=kind, week=week)
    except NothingToPrint as error:
        messages.error(request, str(error))
        return redirect("documents:cohort_documents", pk=cohort.pk)
    audit_log(
        actor=request.user,
        action="documents.download",
        obj=cohort,
        school=cohort.school,
        details={"kind": kind, **({"week": week.isoformat()} if week else {})},
    )
    return download_response(name, content)


@require_GET
def enrolment_document(request, pk, kind):
    """One learner's document: for the school's team, any of them; for the learner, their own
    certificat and attestation once their training is over."""
    if kind not in services.ENROLMENT_KINDS:
        raise Http404
    enrolment = get_object_or_404(
        Enrolment.objects.filter(
            Q(cohort__in=services.visible_cohorts(request.user)) | Q(learner__user=request.user)
        ).select_related("cohort__school__network", "learner"),
        pk=pk,
    )
    if not permissions.can_download(request.user, enrolment.cohort) and (
        kind not in LEARNER_KINDS or not permissions.learner_may_download(enrolment)
    ):
        raise Http404
    name, content = services.enrolment_document(enrolment=enrolment, kind=kind)
    audit_log(
        actor=request.user,
        action="documents.download",
        obj=enrolment,
        school=enrolment.cohort.school,
        details={"kind": kind},
    )
    return download_response(name, content)
