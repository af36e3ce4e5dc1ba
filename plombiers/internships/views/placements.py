import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plombiers.cohorts.models import Cohort, Enrolment
from plombiers.forms import add_service_errors
from plombiers.frameworks.models import Skill
from plombiers.privacy.services import audit_log
from plombiers.skills.enums import Context
from plombiers.skills.models import Observation
from plombiers.views import paginate, render_list

from .. import permissions, services, tasks
from ..documents import internship_convention_pdf
from ..enums import SOFT_SKILLS, TRANSITIONS, ContractType, InternshipStatus, Party, Rating
from ..forms.placements import EvaluationForm, InternshipFilterForm, InternshipForm, TransitionForm
from ..models import ConventionSignature, Internship, TutorEvaluation

# The buttons of the workflow, in the order they are offered (« signée » comes from the links).
ACTIONS = {
    InternshipStatus.TO_SIGN: "Envoyer la convention en signature",
    InternshipStatus.ONGOING: "Démarrer le stage",
    InternshipStatus.FINISHED: "Terminer le stage",
    InternshipStatus.DRAFT: "Remettre en brouillon",
}
DONE = {
    InternshipStatus.TO_SIGN: "La convention est prête : envoyez à chaque partie son lien personnel.",
    InternshipStatus.DRAFT: "Le stage est revenu en brouillon : les liens de signature sont retirés.",
    InternshipStatus.ONGOING: "Le stage a commencé.",
    InternshipStatus.FINISHED: "Le stage est terminé.",
    InternshipStatus.INTERRUPTED: "Le stage est interrompu.",
}


def _id(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 18 else None


def _internship(request, pk) -> Internship:
    return get_object_or_404(Internship.objects.visible_to(request.user).with_list_related_data(), pk=pk)


def _check_team(user, internship: Internship) -> None:
    if not permissions.can_manage_internships(user, internship.enrolment.cohort.school):
        raise PermissionDenied("Seule l'équipe de l'école prépare et suit les stages.")


def short_name(learner) -> str:
    """« Inès A. »: what a page opened through a link shows of the young person."""
    return f"{learner.first_name} {learner.last_name[:1]}.".strip()


# --- the school's pages -----------------------------------------------------------------------


@require_GET
def internship_list(request):
    user = request.user
    visible = Internship.objects.visible_to(user)
    enrolment = None
    if (enrolment_id := _id(request.GET.get("inscription"))) is not None:
        enrolment = get_object_or_404(
            Enrolment.objects.visible_to(user).select_related("learner", "cohort__school"), pk=enrolment_id
        )
        visible = visible.filter(enrolment=enrolment)
    cohorts = Cohort.objects.filter(pk__in=visible.values("enrolment__cohort")).order_by(
        "-start_date", "name"
    )
    form = InternshipFilterForm(request.GET or None, cohorts=cohorts)
    internships = form.filter(visible).with_list_related_data().order_by("-start_date", "pk")
    context = {
        "form": form,
        "enrolment": enrolment,
        "page": paginate(request, internships),
        "can_create": enrolment is not None
        and permissions.can_manage_internships(user, enrolment.cohort.school),
    }
    return render_list(
        request, "internships/internship_list.html", "internships/includes/internship_table.html", context
    )


def _enrolment_for_create(request) -> Enrolment:
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related(
            "learner", "cohort__school", "cohort__framework"
        ),
        pk=_id(request.GET.get("inscription")) or 0,
    )
    if not permissions.can_manage_internships(request.user, enrolment.cohort.school):
        raise PermissionDenied("Seule l'équipe de l'école prépare les stages.")
    return enrolment


@require_http_methods(["GET", "POST"])
def internship_create(request):
    enrolment = _enrolment_for_create(request)
    form = InternshipForm(request.POST or None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        try:
            internship = services.internship_create(
                enrolment=enrolment, by=request.user, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Le stage est préparé (brouillon).")
            return redirect(internship)
    context = {"form": form, "enrolment": enrolment, "internship": None}
    return render(request, "internships/internship_form.html", context)


@require_http_methods(["GET", "POST"])
def internship_edit(request, pk):
    internship = _internship(request, pk)
    _check_team(request.user, internship)
    if internship.status != InternshipStatus.DRAFT:
        messages.error(request, "Seul un brouillon se modifie : remettez la convention en brouillon d'abord.")
        return redirect(internship)
    enrolment = Enrolment.objects.select_related("learner", "cohort__school", "cohort__framework").get(
        pk=internship.enrolment_id
    )
    form = InternshipForm(request.POST or None, enrolment=enrolment, internship=internship)
    if request.method == "POST" and form.is_valid():
        try:
            services.internship_update(internship=internship, by=request.user, data=form.changes())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Les modifications du stage sont enregistrées.")
            return redirect(internship)
    context = {"form": form, "enrolment": enrolment, "internship": internship}
    return render(request, "internships/internship_form.html", context)


def _qr(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)


@require_GET
def internship_detail(request, pk):
    internship = get_object_or_404(
        Internship.objects.visible_to(request.user)
        .with_list_related_data()
        .select_related(
            "prescriber_organisation", "renewal_of__site__company", "enrolment__cohort__framework"
        )
        .prefetch_related(
            Prefetch("objectives", queryset=Skill.objects.select_related("block")),
            Prefetch("signatures", queryset=ConventionSignature.objects.order_by("pk")),
        ),
        pk=pk,
    )
    team = permissions.can_manage_internships(request.user, internship.enrolment.cohort.school)
    signatures = list(internship.signatures.all())
    now = timezone.now()
    if team and internship.status == InternshipStatus.TO_SIGN:
        for signature in signatures:
            if not signature.is_signed:
                signature.url = request.build_absolute_uri(services.signing_link(signature))
                signature.qr = _qr(signature.url)
                signature.expired = signature.expires_at <= now
    evaluation = TutorEvaluation.objects.filter(internship=internship).first()
    evaluation_url = evaluation_qr = None
    observations = []
    if evaluation is not None and evaluation.submitted_at is None and team:
        evaluation_url = request.build_absolute_uri(services.evaluation_link(evaluation))
        evaluation_qr = _qr(evaluation_url)
    if evaluation is not None and evaluation.submitted_at is not None:
        observations = (
            Observation.objects.filter(
                enrolment_id=internship.enrolment_id,
                context=Context.WORKSITE,
                observer__isnull=True,
                observed_on__range=(internship.start_date, internship.end_date),
            )
            .select_related("skill")
            .order_by("skill__code", "pk")
        )
        evaluation.soft_rows = [
            (label, Rating(evaluation.soft_skills[key]).label if key in evaluation.soft_skills else "—")
            for key, label in SOFT_SKILLS.items()
        ]
        evaluation.contract_label = (
            ContractType(evaluation.hired_contract).label if evaluation.hired_contract else ""
        )
    actions = []
    if team:
        actions = [(to, label) for to, label in ACTIONS.items() if to in TRANSITIONS[internship.status]]
    context = {
        "internship": internship,
        "team": team,
        "signatures": signatures,
        "actions": actions,
        "can_interrupt": team and InternshipStatus.INTERRUPTED in TRANSITIONS[internship.status],
        "can_request_evaluation": team
        and internship.status in (InternshipStatus.ONGOING, InternshipStatus.FINISHED)
        and (evaluation is None or evaluation.submitted_at is None),
        "evaluation": evaluation,
        "evaluation_url": evaluation_url,
        "evaluation_qr": evaluation_qr,
        "evaluation_expired": evaluation is not None and evaluation.expires_at <= now,
        "observations": observations,
        "objectives": sorted(
            internship.objectives.all(), key=lambda s: (s.block.position, s.block_id, s.position, s.pk)
        ),
        "InternshipStatus": InternshipStatus,
    }
    return render(request, "internships/internship_detail.html", context)


@require_POST
def internship_transition(request, pk):
    internship = _internship(request, pk)
    _check_team(request.user, internship)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Action inconnue : rien n'a été enregistré.")
        return redirect(internship)
    to = form.cleaned_data["to"]
    try:
        services.internship_transition(
            internship=internship, to=to, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages) + " Rien n'a été enregistré.")
    else:
        messages.success(request, DONE[to])
    return redirect(internship)


@require_GET
def convention_pdf(request, pk):
    internship = _internship(request, pk)
    pdf = internship_convention_pdf(internship=internship)
    audit_log(actor=request.user, action="internship.convention_pdf", obj=internship)
    return _pdf_response(internship, pdf)


def _pdf_response(internship: Internship, pdf: bytes) -> HttpResponse:
    learner = internship.enrolment.learner
    name = slugify(f"convention-stage-{learner.last_name}-{learner.first_name}") or "convention-stage"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@require_POST
def convention_send(request, pk):
    """E-mail their personal link to the parties who have not signed (or to one party)."""
    internship = _internship(request, pk)
    _check_team(request.user, internship)
    if internship.status != InternshipStatus.TO_SIGN:
        messages.error(request, "La convention n'est pas à signer : aucun lien à envoyer.")
        return redirect(internship)
    signatures = internship.signatures.filter(signed_at__isnull=True).exclude(email="")
    if party := request.POST.get("partie"):
        signatures = signatures.filter(party=party)
    sent = []
    for signature in signatures:
        tasks.send_convention_link.enqueue(signature.pk)
        sent.append(signature.email)
    if sent:
        messages.success(request, f"Lien envoyé par e-mail à {', '.join(sent)}.")
    else:
        messages.error(
            request, "Aucune adresse e-mail connue pour cet envoi : copiez le lien ou montrez le QR code."
        )
    return redirect(internship)


@require_POST
def evaluation_request(request, pk):
    internship = _internship(request, pk)
    _check_team(request.user, internship)
    try:
        services.evaluation_request(internship=internship, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Le lien d'évaluation du tuteur ou de la tutrice est prêt.")
    return redirect(internship)


@require_POST
def evaluation_send(request, pk):
    internship = _internship(request, pk)
    _check_team(request.user, internship)
    evaluation = TutorEvaluation.objects.filter(internship=internship, submitted_at__isnull=True).first()
    if evaluation is None or not internship.tutor.email:
        messages.error(
            request, "Pas de lien à envoyer, ou pas d'adresse e-mail pour le tuteur ou la tutrice."
        )
    else:
        tasks.send_evaluation_link.enqueue(evaluation.pk)
        messages.success(request, f"Lien d'évaluation envoyé par e-mail à {internship.tutor.email}.")
    return redirect(internship)


# --- through the personal links (no account) ---------------------------------------------------


def _link_error(request, error: ValidationError, *, what: str, **context):
    """Forged or tampered → 404, expired or withdrawn → 410, in French; nothing was written."""
    status = 404 if error.code == "forged" else 410
    context.update(message=error.messages[0], what=what)
    return render(request, "internships/link_refused.html", context, status=status)


def _reading_closed(request, signature: ConventionSignature):
    """A signed convention's link once its reading window is over: it says so, and where the
    convention can still be read by those allowed (logged in)."""
    closed = timezone.localtime(services.convention_link_closes_at(signature))
    error = ValidationError(
        f"Ce lien a expiré le {closed:%d/%m/%Y} : une convention signée ne se lit par son lien que "
        f"{services.convention_read_days()} jours après la dernière signature. Pour la relire, connectez-vous "
        "à Plombiers, ou demandez-la à l'école.",
        code="expired",
    )
    return _link_error(request, error, what="lecture", internship_id=signature.internship_id)


def _signature_context(signature: ConventionSignature) -> dict:
    internship = (
        Internship.objects.select_related(
            "enrolment__learner", "enrolment__cohort__school", "site__company", "site__commune", "tutor"
        )
        .prefetch_related(Prefetch("objectives", queryset=Skill.objects.select_related("block")))
        .get(pk=signature.internship_id)
    )
    return {
        "signature": signature,
        "internship": internship,
        "learner": short_name(internship.enrolment.learner),
        "party": Party(signature.party).label,
    }


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def convention_sign(request, token):
    try:
        signature = services.convention_signature_for(token)
    except ValidationError as error:
        return _link_error(request, error, what="signature")
    if signature.is_signed and services.convention_link_closes_at(signature) <= timezone.now():
        return _reading_closed(request, signature)
    context = _signature_context(signature)
    if signature.is_signed:
        context["readable_until"] = services.convention_link_closes_at(signature)
        return render(
            request,
            "internships/convention_signed.html",
            context,
            status=409 if request.method == "POST" else 200,
        )
    internship = context["internship"]
    if signature.expires_at <= timezone.now():
        return _link_error(
            request,
            ValidationError("Ce lien a expiré : demandez-en un nouveau à l'école.", code="expired"),
            what="signature",
        )
    if internship.status != InternshipStatus.TO_SIGN:
        return _link_error(
            request,
            ValidationError(
                "Cette convention n'est plus à signer (elle a été modifiée ou annulée).", code="withdrawn"
            ),
            what="signature",
        )
    errors = {}
    name = ""
    if request.method == "POST":
        name = request.POST.get("nom", "")[:200]
        if request.POST.get("accepte") != "oui":
            errors["accepte"] = "Cochez « J'ai lu et j'accepte la convention » pour signer."
        if len(" ".join(name.split())) < 3:
            errors["nom"] = "Écrivez vos prénom et nom pour signer."
        if not errors:
            try:
                services.convention_sign(
                    token=token,
                    name=name,
                    ip=request.META.get("REMOTE_ADDR"),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            except ValidationError as error:
                code = getattr(error, "code", None)
                if code in ("forged", "expired", "withdrawn"):
                    return _link_error(request, error, what="signature")
                if code == "reused":
                    return redirect(request.path)
                errors["nom"] = " ".join(error.messages)
            else:
                return redirect(request.path)
    context.update(errors=errors, name=name, checked=request.POST.get("accepte") == "oui")
    return render(request, "internships/convention_sign.html", context, status=400 if errors else 200)


@login_not_required
@never_cache
@require_GET
def convention_read(request, token):
    """The convention read through a party's link: while it can still be signed, and for
    `PLOMBIERS_CONVENTION_READ_DAYS` after the last signature; then only logged in."""
    try:
        signature = services.convention_signature_for(token)
    except ValidationError as error:
        return _link_error(request, error, what="signature")
    if services.convention_link_closes_at(signature) <= timezone.now():
        if signature.is_signed:
            return _reading_closed(request, signature)
        return _link_error(
            request,
            ValidationError("Ce lien a expiré : demandez-en un nouveau à l'école.", code="expired"),
            what="signature",
        )
    internship = Internship.objects.select_related("enrolment__learner").get(pk=signature.internship_id)
    return _pdf_response(internship, internship_convention_pdf(internship=internship))


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def evaluation(request, token):
    try:
        evaluation = services.evaluation_for(token)
    except ValidationError as error:
        if error.code == "reused":
            return render(
                request, "internships/evaluation_thanks.html", status=409 if request.method == "POST" else 200
            )
        return _link_error(request, error, what="evaluation")
    internship = (
        Internship.objects.select_related("enrolment__learner", "enrolment__cohort", "site__company", "tutor")
        .prefetch_related(Prefetch("objectives", queryset=Skill.objects.select_related("block")))
        .get(pk=evaluation.internship_id)
    )
    objectives = sorted(
        internship.objectives.all(), key=lambda s: (s.block.position, s.block_id, s.position, s.pk)
    )
    others = list(
        Skill.objects.filter(framework_id=internship.enrolment.cohort.framework_id)
        .exclude(pk__in=[s.pk for s in objectives])
        .select_related("block")
        .order_by("block__position", "block__pk", "position", "pk")
    )
    form = EvaluationForm(
        request.POST or None,
        objectives=objectives,
        others=others,
        initial={"tutor_name": internship.tutor.full_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_submit(
                token=token, answers=form.answers(), ip=request.META.get("REMOTE_ADDR")
            )
        except ValidationError as error:
            if getattr(error, "code", None) in ("forged", "expired"):
                return _link_error(request, error, what="evaluation")
            if getattr(error, "code", None) == "reused":
                return redirect(request.path)
            add_service_errors(form, error)
        else:
            return redirect(request.path)
    context = {
        "form": form,
        "internship": internship,
        "learner": short_name(internship.enrolment.learner),
    }
    return render(request, "internships/evaluation_form.html", context, status=400 if form.errors else 200)
