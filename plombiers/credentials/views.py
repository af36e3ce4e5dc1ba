"""The school's side: review and issue an attestation, list, download (PDF, baked badge),
revoke; and the young person's own attestations on their home page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.forms import add_service_errors
from plombiers.network.models import School
from plombiers.privacy.services import audit_log
from plombiers.views import paginate, render_list

from . import badges, permissions, selectors, services
from .enums import AttestationState
from .forms import RevokeForm
from .models import Attestation
from .pdf import attestation_pdf as render_pdf
from .pdf import full_verification_url
from .snapshot import snapshot


def _attestation(request, public_id) -> Attestation:
    return get_object_or_404(
        Attestation.objects.visible_to(request.user).select_related(
            "school", "enrolment__learner", "issued_by"
        ),
        public_id=public_id,
    )


@require_GET
def attestation_list(request):
    attestations = Attestation.objects.visible_to(request.user).select_related(
        "school", "enrolment__learner", "enrolment__cohort"
    )
    schools = School.objects.visible_to(request.user).filter(attestations__isnull=False).distinct()
    school = request.GET.get("ecole", "")
    if school:
        attestations = attestations.filter(school__slug=school)
    enrolment = None
    enrolment_id = request.GET.get("inscription", "")
    if enrolment_id.isdigit() and len(enrolment_id) < 18:
        enrolment = get_object_or_404(
            Enrolment.objects.visible_to(request.user).select_related("learner", "cohort__school"),
            pk=enrolment_id,
        )
        attestations = attestations.filter(enrolment=enrolment)
    state = request.GET.get("etat", "")
    if state == AttestationState.VALID:
        attestations = attestations.filter(revoked_at__isnull=True)
    elif state == AttestationState.REVOKED:
        attestations = attestations.filter(revoked_at__isnull=False)
    return render_list(
        request,
        "credentials/attestation_list.html",
        "credentials/_attestation_rows.html",
        {
            "page": paginate(request, attestations.order_by("-issued_at", "-pk")),
            "schools": schools,
            "school": school,
            "state": state,
            "enrolment": enrolment,
            "can_issue": enrolment is not None
            and enrolment.status != EnrolmentStatus.ACTIVE
            and permissions.can_issue(request.user, enrolment.cohort.school),
        },
    )


@require_GET
def to_issue(request):
    """The ended enrolments with no valid attestation yet, each a link to issue it (the director's
    home counts them)."""
    return render(
        request,
        "credentials/to_issue.html",
        {"page": paginate(request, selectors.to_issue(request.user)), "query": ""},
    )


@require_GET
def attestation_detail(request, public_id):
    attestation = _attestation(request, public_id)
    return render(
        request,
        "credentials/attestation_detail.html",
        {
            "attestation": attestation,
            "snapshot": attestation.snapshot,
            "can_revoke": permissions.can_issue(request.user, attestation.school)
            and not attestation.is_revoked,
            "form": RevokeForm(),
            "full_url": full_verification_url(attestation),
        },
    )


@require_GET
def attestation_pdf(request, public_id):
    attestation = _attestation(request, public_id)
    audit_log(actor=request.user, action="attestation.download", obj=attestation, school=attestation.school)
    response = HttpResponse(render_pdf(attestation), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attestation-{attestation.public_id}.pdf"'
    return response


BADGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@require_GET
def attestation_badge(request, public_id, fmt):
    """The badge image with the signed credential baked in (Open Badges 3.0): the image alone
    proves the attestation, on /verifier/ or in any Open Badges wallet."""
    attestation = _attestation(request, public_id)
    audit_log(
        actor=request.user,
        action="attestation.download",
        obj=attestation,
        school=attestation.school,
        details={"format": f"badge {fmt}"},
    )
    response = HttpResponse(badges.attestation_badge(attestation, fmt), content_type=BADGE_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="badge-{attestation.public_id}.{fmt}"'
    return response


@require_GET
def my_attestations(request):
    """On the young person's home page (htmx): their valid attestations and what to download."""
    attestations = (
        Attestation.objects.visible_to(request.user)
        .valid()
        .filter(enrolment__learner__user=request.user)
        .select_related("school")
        .order_by("-issued_at", "-pk")
    )
    return render(request, "credentials/_my_attestations.html", {"attestations": attestations})


@require_POST
def attestation_revoke(request, public_id):
    attestation = _attestation(request, public_id)
    if not permissions.can_issue(request.user, attestation.school):
        raise PermissionDenied("Seule la direction de l'école révoque une attestation.")
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.attestation_revoke(attestation, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "L'attestation est révoquée : la page de vérification l'affiche désormais."
            )
            return redirect(attestation)
    return render(
        request,
        "credentials/attestation_detail.html",
        {
            "attestation": attestation,
            "snapshot": attestation.snapshot,
            "can_revoke": True,
            "form": form,
            "full_url": full_verification_url(attestation),
        },
        status=400,
    )


@require_http_methods(["GET", "POST"])
def attestation_issue(request, pk):
    """Review the frozen content, then issue."""
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("learner", "cohort__school"), pk=pk
    )
    school = enrolment.cohort.school
    if not permissions.can_issue(request.user, school):
        raise PermissionDenied("Seule la direction de l'école délivre les attestations.")
    existing = enrolment.attestations.filter(revoked_at__isnull=True).first()
    if existing:
        return redirect(existing)
    problem = ""
    try:
        services.check_issuable(enrolment)
    except ValidationError as error:
        problem = " ".join(error.messages)
    if request.method == "POST" and not problem:
        try:
            attestation = services.attestation_issue(enrolment, by=request.user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(request, "L'attestation est délivrée et signée.")
            return redirect(attestation)
    preview = snapshot(enrolment) if not problem else None
    if preview is not None and not preview["acquired"]:
        problem = "Aucun geste n'est encore observé au niveau acquis ou maîtrisé : rien à attester."
    return render(
        request,
        "credentials/attestation_issue.html",
        {"enrolment": enrolment, "snapshot": preview, "problem": problem},
        status=400 if problem and request.method == "POST" else 200,
    )
