"""Social support pages: the caseload, a young person's support page, the audit list."""

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from plombiers.forms import add_service_errors
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Organisation
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.models import Learner
from plombiers.views import paginate

from . import permissions, selectors, services
from .documents import consent_notice_pdf
from .enums import ActionStatus, BarrierLevel, Visibility
from .forms import ActionForm, ActionUpdateForm, AuditFilterForm, BarrierForm, ConsentForm, JournalForm
from .models import Action, Barrier, BarrierCategory, Consent, PartnerService
from .permissions import HEALTH, PRESCRIBER, SUPPORT, access_of
from .selectors import URGENT_AFTER_DAYS

DUE_ACTIONS_LIMIT = 100
OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.ONGOING)
AUDIT_ACTIONS = [
    ("support.journal.read_confidential", "Lecture d'une note confidentielle"),
    ("support.journal.add", "Entrée ajoutée au journal"),
    ("support.barrier.set", "Diagnostic d'un frein"),
    ("support.action.create", "Action planifiée"),
    ("support.action.update", "Action mise à jour"),
    ("support.consent", "Consentement enregistré"),
]


def _support_schools(user) -> set[int]:
    schools = user.school_ids(*permissions.SUPPORT_ROLES)
    if not schools:
        raise Http404
    return schools


# --- caseload ---------------------------------------------------------------


def caseload(request):
    user = request.user
    schools = _support_schools(user)
    today = timezone.localdate()
    # « Pas vu·e depuis 3 semaines » (the social worker's home links here).
    not_seen = request.GET.get("non_vus") == "1"
    learners = (selectors.not_seen if not_seen else selectors.caseload_learners)(schools, today)
    page = paginate(request, learners)
    for learner in page.object_list:
        learner.blocking_days = (today - learner.blocking_since).days if learner.blocking_since else None
    due = list(
        selectors.due_actions(schools, today).select_related(
            "barrier__learner", "barrier__category", "partner"
        )[:DUE_ACTIONS_LIMIT]
    )
    for action in due:
        action.overdue_days = (today - action.due_on).days
    context = {
        "page": page,
        "urgent": [learner for learner in page.object_list if learner.urgent == 0],
        "others": [learner for learner in page.object_list if learner.urgent == 1],
        "due": due,
        "due_limit": DUE_ACTIONS_LIMIT,
        "urgent_after": URGENT_AFTER_DAYS,
        "not_seen": not_seen,
        "not_seen_days": selectors.NOT_SEEN_DAYS,
        "query": "non_vus=1" if not_seen else "",
    }
    return render(request, "support/caseload.html", context)


# --- a young person's support page ------------------------------------------


def _learner(request, pk) -> Learner:
    return get_object_or_404(
        Learner.objects.visible_to(request.user).select_related("commune", "school"), pk=pk
    )


def learner_support(request, pk):
    learner = _learner(request, pk)
    access = access_of(request.user, learner)
    return _render_support(request, learner, access)


def consent_notice(request, pk):
    """The printable information notice, with the young person's and the school's names filled in."""
    learner = _learner(request, pk)
    access = access_of(request.user, learner)
    if access.mode != SUPPORT:
        raise Http404
    pdf = consent_notice_pdf(learner=learner, school=access.school)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-information-{learner.pk}.pdf"'
    return response


def _render_support(request, learner: Learner, access, *, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    # The shared categories and the record's network's own (never another network's).
    categories = list(
        BarrierCategory.objects.filter(
            Q(network__isnull=True) | Q(network=learner.school.network_id) | Q(barriers__learner=learner)
        ).distinct()
    )
    if access.mode == PRESCRIBER:
        rows = []
        if access.shared:
            barriers = {
                b.category_id: b for b in Barrier.objects.visible_to(request.user).filter(learner=learner)
            }
            rows = [
                SimpleNamespace(category=c, barrier=barriers[c.pk]) for c in categories if c.pk in barriers
            ]
        return render(
            request,
            "support/learner_support_prescriber.html",
            {"learner": learner, "rows": rows, "shared": access.shared},
            status=status,
        )
    barriers = {
        b.category_id: b
        for b in Barrier.objects.visible_to(request.user)
        .filter(learner=learner)
        .prefetch_related(_actions_prefetch())
    }
    editable = access.mode == SUPPORT
    nearby = {}
    if editable:
        # One search of the directory around the young person's home; grouped by category in Python.
        directory = PartnerService.objects.of_network(learner.school.network_id)
        for found in services.services_near(services=directory, near=learner.commune):
            for category in found.service.categories.all():
                nearby.setdefault(category.pk, []).append(found)
    rows = []
    for category in categories:
        barrier = barriers.get(category.pk)
        row = SimpleNamespace(
            category=category,
            barrier=barrier,
            summary_hidden=not editable and category.code == HEALTH,
            actions=list(barrier.actions.all()) if barrier else [],
        )
        if editable:
            row.form = bound.get(("barrier", category.code)) or BarrierForm(
                auto_id=f"id_frein_{category.code}_%s",
                initial={
                    "category": category.code,
                    "level": barrier.level if barrier else BarrierLevel.NONE,
                    "summary": barrier.summary if barrier else "",
                },
            )
            if barrier:
                services_found = nearby.get(category.pk, [])
                row.action_form = bound.get(("action", barrier.pk)) or ActionForm(
                    auto_id=f"id_action_{barrier.pk}_%s",
                    services=services_found,
                    initial={"barrier": barrier.pk},
                )
                for action in row.actions:
                    action.form = bound.get(("action_update", action.pk)) or ActionUpdateForm(
                        auto_id=f"id_suivi_{action.pk}_%s", initial={"status": action.status}
                    )
        rows.append(row)
    entries = services.journal_read(by=request.user, learner=learner)
    context = {
        "learner": learner,
        "access": access,
        "editable": editable,
        "rows": rows,
        "entries": entries,
        "consents": list(Consent.objects.filter(learner=learner).select_related("recorded_by")),
        "health": HEALTH,
    }
    if editable:
        context["journal_form"] = bound.get("journal") or JournalForm(
            confidential_allowed=access.social_worker, initial={"occurred_on": timezone.localdate()}
        )
        context["consent_form"] = bound.get("consent") or ConsentForm(
            initial={"given_on": timezone.localdate()}
        )
    return render(request, "support/learner_support.html", context, status=status)


def _actions_prefetch():
    from django.db.models import Prefetch

    return Prefetch("actions", queryset=Action.objects.select_related("partner"))


def _writable(request, pk):
    """The young person, for a write: 404 if invisible, 403 if the person only reads."""
    learner = _learner(request, pk)
    access = access_of(request.user, learner)
    if access.mode != SUPPORT:
        raise PermissionDenied
    return learner, access


def _done(request, learner, message: str, anchor: str):
    messages.success(request, message)
    return redirect(reverse("support:learner_support", args=[learner.pk]) + f"#{anchor}")


@require_POST
def barrier_set(request, pk):
    learner, access = _writable(request, pk)
    code = request.POST.get("category", "")[:30]
    form = BarrierForm(request.POST, auto_id=f"id_frein_{code}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            barrier = services.barrier_set(
                learner=learner,
                category=data["category"],
                level=data["level"],
                summary=data["summary"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(
                request,
                learner,
                f"Diagnostic enregistré : {barrier.category.name}.",
                f"frein-{barrier.category.code}",
            )
    if not BarrierCategory.objects.of_network(learner.school.network_id).filter(code=code).exists():
        messages.error(request, "Catégorie de frein inconnue : rien n'a été enregistré.")
    return _render_support(request, learner, access, bound={("barrier", code): form}, status=400)


@require_POST
def action_create(request, pk):
    learner, access = _writable(request, pk)
    barrier = get_object_or_404(
        Barrier.objects.filter(learner=learner).select_related("category"),
        pk=_int(request.POST.get("barrier")),
    )
    found = services.services_near(
        services=PartnerService.objects.of_network(learner.school.network_id),
        category=barrier.category.code,
        near=learner.commune,
    )
    form = ActionForm(request.POST, services=found, auto_id=f"id_action_{barrier.pk}_%s")
    if form.is_valid():
        data = form.cleaned_data
        partner = (
            Organisation.objects.filter(pk=data["partner"], kind=OrganisationKind.SOCIAL_SERVICE).first()
            if data["partner"]
            else None
        )
        try:
            services.action_create(
                barrier=barrier,
                description=data["description"],
                due_on=data["due_on"],
                partner=partner,
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, learner, "Action ajoutée au plan.", f"frein-{barrier.category.code}")
    return _render_support(request, learner, access, bound={("action", barrier.pk): form}, status=400)


@require_POST
def action_update(request, pk, action_pk):
    learner, access = _writable(request, pk)
    action = get_object_or_404(
        Action.objects.filter(barrier__learner=learner).select_related("barrier__category"), pk=action_pk
    )
    form = ActionUpdateForm(request.POST, auto_id=f"id_suivi_{action.pk}_%s")
    if form.is_valid():
        try:
            services.action_update(
                action=action,
                status=form.cleaned_data["status"],
                outcome=form.cleaned_data["outcome"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, learner, "Action mise à jour.", f"frein-{action.barrier.category.code}")
    return _render_support(request, learner, access, bound={("action_update", action.pk): form}, status=400)


@require_POST
def journal_add(request, pk):
    learner, access = _writable(request, pk)
    form = JournalForm(request.POST, confidential_allowed=access.social_worker)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.journal_add(
                learner=learner,
                by=request.user,
                kind=data["kind"],
                text=data["text"],
                visibility=data["visibility"],
                occurred_on=data["occurred_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            label = "Note confidentielle" if data["visibility"] == Visibility.CONFIDENTIAL else "Note"
            return _done(request, learner, f"{label} ajoutée au journal.", "titre-journal")
    return _render_support(request, learner, access, bound={"journal": form}, status=400)


@require_POST
def consent_record(request, pk):
    learner, access = _writable(request, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                learner=learner,
                scope=data["scope"],
                given=data["given"],
                on=data["given_on"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, learner, "Consentement enregistré.", "titre-consentements")
    return _render_support(request, learner, access, bound={"consent": form}, status=400)


def _int(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 1 <= number < 2**63:
        raise Http404
    return number


# --- audit ------------------------------------------------------------------


def audit_list(request):
    user = request.user
    if not permissions.reads_audit(user):
        raise Http404
    form = AuditFilterForm(request.GET or None, actions=AUDIT_ACTIONS)
    events = AuditEvent.objects.visible_to(user).select_related("actor", "school")
    if form.is_valid() and form.cleaned_data["action"]:
        events = events.filter(action=form.cleaned_data["action"])
    page = paginate(request, events.order_by("-created_at", "-pk"))
    labels = dict(AUDIT_ACTIONS)
    for event in page.object_list:
        event.label = labels.get(event.action, event.action)
        learner = (event.details or {}).get("learner") if isinstance(event.details, dict) else None
        event.learner_id = learner if isinstance(learner, int) else None
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request, "support/audit_list.html", {"form": form, "page": page, "filters_query": filters.urlencode()}
    )
