import datetime as dt
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from plombiers.accounts.permissions import works_for_schools
from plombiers.forms import add_service_errors
from plombiers.lib.text import de
from plombiers.views import paginate, render_list

from . import services
from .enums import DECISIONS, OPEN_STATUSES, ReferralStatus
from .forms import (
    DecisionForm,
    InformationSessionForm,
    LearnerFilterForm,
    ReferralFilterForm,
    ReferralForm,
)
from .models import InformationSession, Learner, Referral
from .permissions import can_refer, reads_as_school
from .selectors import ReferralReading, referral_reading

# The column view of the inbox: the open stages, the waiting list, the decisions.
COLUMNS = [
    ("nouvelle", "Nouvelles", (ReferralStatus.NEW,)),
    ("en_etude", "En étude", (ReferralStatus.REVIEW,)),
    ("information_collective", "Information collective", (ReferralStatus.INFO_SESSION,)),
    ("entretien", "Entretien", (ReferralStatus.INTERVIEW,)),
    ("liste_attente", "Liste d'attente", (ReferralStatus.WAITLIST,)),
    ("decisions", "Décisions", (ReferralStatus.ADMITTED, ReferralStatus.REDIRECTED, ReferralStatus.REFUSED)),
]
COLUMN_STATUSES = [status for _key, _title, statuses in COLUMNS for status in statuses]
# Invitable candidates shown on an information session's page, most recent first.
INVITABLE_LIMIT = 100
DUPLICATE_NOTICE = (
    "Vous connaissez déjà ce ou cette jeune (mêmes nom, prénom et date de naissance) : "
    "la prescription sera rattachée à sa fiche dans cette école. Cochez la case pour confirmer."
)
DUPLICATE_ELSEWHERE_NOTICE = (
    "Vous connaissez déjà ce ou cette jeune (mêmes nom, prénom et date de naissance) à {school} : "
    "chaque école tient sa propre fiche, l'école choisie en ouvrira une avec ce que vous saisissez ici. "
    "Cochez la case pour confirmer qu'il s'agit bien de la même personne."
)


# --- referrals --------------------------------------------------------------


def referral_list(request):
    user = request.user
    form = ReferralFilterForm(request.GET or None, user=user)
    referrals = form.filter(Referral.objects.visible_to(user)).listed()
    columns_view = request.GET.get("vue") == "colonnes"
    filters = request.GET.copy()
    filters.pop("vue", None)
    filters.pop("page", None)
    context = {
        "filters_query": filters.urlencode(),
        "form": form,
        "columns_view": columns_view,
        "can_create": can_refer(user),
        "school_side": works_for_schools(user),
    }
    if columns_view:
        referrals = referrals.filter(status__in=COLUMN_STATUSES)
        totals = referrals.aggregate(
            **{key: Count("pk", filter=Q(status__in=statuses)) for key, _title, statuses in COLUMNS}
        )
    page = paginate(request, referrals)
    today = timezone.localdate()
    for referral in page.object_list:
        referral.learner_age = referral.learner.age_on(today)
    if columns_view:
        context["columns"] = [
            SimpleNamespace(
                key=key,
                title=title,
                total=totals[key],
                cards=[r for r in page.object_list if r.status in statuses],
            )
            for key, title, statuses in COLUMNS
        ]
    context["page"] = page
    return render_list(
        request, "referrals/referral_list.html", "referrals/includes/referral_results.html", context
    )


def referral_create(request):
    user = request.user
    if not can_refer(user):
        raise PermissionDenied
    form = ReferralForm(request.POST or None, user=user, initial={"school": request.GET.get("ecole")})
    duplicate = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key = data["idempotency_key"]
        if done := Referral.objects.filter(created_by=user, idempotency_key=key).first():
            # A double click or a resubmitted page: the first submission is the referral.
            messages.info(request, "Cette prescription était déjà enregistrée.")
            return redirect(done)
        learner_data = form.learner_data()
        # Only the records this person already sees: nobody learns here that another school knows someone.
        known = services.learner_find_duplicate(
            user=user,
            last_name=learner_data["last_name"],
            first_name=learner_data["first_name"],
            birth_date=learner_data["birth_date"],
            school=data["school"],
        )
        duplicate = known is not None and not data["confirm_existing"]
        if not duplicate:
            try:
                result = services.referral_create(
                    by=user,
                    school=data["school"],
                    learner_data=learner_data,
                    prescriber_organisation=data.get("prescriber_organisation"),
                    motivation=data["motivation"],
                    idempotency_key=key,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                referral = result.referral
                text = f"La prescription {de(referral.learner)} a été envoyée à {referral.school.name}."
                if result.learner_matched:
                    text += " Elle est rattachée à la fiche existante du ou de la jeune."
                messages.success(request, text)
                return redirect(referral)
    notice = DUPLICATE_NOTICE
    if duplicate and known.school_id != data["school"].pk:
        notice = DUPLICATE_ELSEWHERE_NOTICE.format(school=known.school.name)
    context = {"form": form, "duplicate": duplicate, "duplicate_notice": notice}
    return render(request, "referrals/referral_form.html", context)


def _visible_referral(request, pk):
    return get_object_or_404(Referral.objects.visible_to(request.user).with_list_related_data(), pk=pk)


def _history(referral: Referral, reading: ReferralReading) -> list[SimpleNamespace]:
    """The referral's events as this person may read them (`ReferralReading`)."""
    return [
        SimpleNamespace(
            at=event.at,
            by=event.by,
            from_label=event.get_from_status_display() if event.from_status else "",
            to_label=event.get_to_status_display(),
            reason=event.get_reason_display() if reading.event_reason(event) else "",
            note=reading.event_note(event),
        )
        for event in referral.events.select_related("by")
    ]


def _render_detail(request, referral: Referral, form=None, status=200):
    user = request.user
    reading = referral_reading(referral, user)
    school_side = reading.school_side
    allowed = services.referral_allowed_statuses(referral, user)
    if form is None and allowed:
        form = DecisionForm(allowed=allowed, school_side=school_side, eligible=referral.is_eligible)
    context = {
        "referral": referral,
        "learner": referral.learner,
        "age": referral.learner.age_on(timezone.localdate()),
        "school_side": school_side,
        "history": _history(referral, reading),
        "invitations": referral.invitations.select_related("session").order_by("session__starts_at"),
        "form": form,
        "shows_reason": reading.shows_reason,
        "reason_detail": reading.reason_detail,
        "can_admit": ReferralStatus.ADMITTED in allowed,
        "eligibility_day": _iso_date(referral.eligibility.get("checked_on")),
    }
    return render(request, "referrals/referral_detail.html", context, status=status)


def _iso_date(value):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def referral_detail(request, pk):
    return _render_detail(request, _visible_referral(request, pk))


@require_POST
def referral_transition(request, pk):
    referral = _visible_referral(request, pk)
    allowed = services.referral_allowed_statuses(referral, request.user)
    if not allowed:
        raise PermissionDenied
    school_side = reads_as_school(request.user, referral)
    form = DecisionForm(request.POST, allowed=allowed, school_side=school_side, eligible=referral.is_eligible)
    if form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_transition(
                referral=referral,
                to=data["to"],
                by=request.user,
                reason=data.get("reason", ""),
                reason_detail=data.get("reason_detail", ""),
                reason_shared=data.get("reason_shared", False),
                note=data["note"],
                justification=data.get("justification", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            text = f"Étape enregistrée : {referral.get_status_display()}."
            if referral.status in DECISIONS and referral.prescriber_id and referral.prescriber.email:
                text += " Le ou la prescripteur·rice en est informé·e par e-mail."
            messages.success(request, text)
            return redirect(referral)
    return _render_detail(request, referral, form=form, status=400)


# --- learners ---------------------------------------------------------------


def learner_list(request):
    form = LearnerFilterForm(request.GET or None)
    learners = form.filter(Learner.objects.visible_to(request.user)).select_related("commune")
    page = paginate(request, learners.order_by("last_name", "first_name", "pk"))
    today = timezone.localdate()
    for learner in page.object_list:
        learner.age = learner.age_on(today)
    context = {"form": form, "page": page}
    return render_list(
        request, "referrals/learner_list.html", "referrals/includes/learner_table.html", context
    )


def learner_detail(request, pk):
    user = request.user
    learner = get_object_or_404(Learner.objects.visible_to(user).select_related("commune"), pk=pk)
    referrals = Referral.objects.visible_to(user).filter(learner=learner).listed()
    context = {
        "learner": learner,
        "age": learner.age_on(timezone.localdate()),
        "referrals": referrals,
    }
    return render(request, "referrals/learner_detail.html", context)


# --- information sessions ---------------------------------------------------


def _require_school_side(user) -> None:
    if not works_for_schools(user):
        raise PermissionDenied


def session_list(request):
    _require_school_side(request.user)
    sessions = (
        InformationSession.objects.visible_to(request.user)
        .select_related("school")
        .annotate(
            invited_count=Count("invitations", distinct=True),
            attended_count=Count("invitations", filter=Q(invitations__attended=True), distinct=True),
        )
        .order_by("-starts_at", "pk")
    )
    context = {"page": paginate(request, sessions), "now": timezone.now()}
    return render(request, "referrals/session_list.html", context)


def session_create(request):
    _require_school_side(request.user)
    form = InformationSessionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        school = data.pop("school")
        try:
            session = services.session_create(school=school, by=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "L'information collective a été créée : invitez maintenant les candidat·es."
            )
            return redirect(session)
    return render(request, "referrals/session_form.html", {"form": form})


def _visible_session(request, pk):
    _require_school_side(request.user)
    return get_object_or_404(
        InformationSession.objects.visible_to(request.user).select_related("school"), pk=pk
    )


def _invitable(session, user):
    return (
        Referral.objects.visible_to(user)
        .filter(school=session.school_id, status__in=[*OPEN_STATUSES, ReferralStatus.WAITLIST])
        .exclude(invitations__session=session)
        .select_related("learner")
    )


def session_detail(request, pk):
    session = _visible_session(request, pk)
    invitations = session.invitations.select_related("referral__learner")
    invitable = _invitable(session, request.user).order_by("-referred_on", "-pk")[:INVITABLE_LIMIT]
    context = {
        "session": session,
        "invitations": invitations,
        "invitable": invitable,
        "invitable_limit": INVITABLE_LIMIT,
        "seats_left": max(session.capacity - len(invitations), 0),
    }
    return render(request, "referrals/session_detail.html", context)


def _ids(values) -> set[int]:
    return {int(v) for v in values if v.isdigit() and len(v) < 19}


@require_POST
def session_invite(request, pk):
    session = _visible_session(request, pk)
    referrals = list(_invitable(session, request.user).filter(pk__in=_ids(request.POST.getlist("referrals"))))
    if not referrals:
        messages.error(request, "Cochez au moins un·e candidat·e à inviter.")
        return redirect(session)
    try:
        count = services.session_invite(session=session, referrals=referrals, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages) + " Aucune invitation n'a été enregistrée.")
    else:
        messages.success(
            request, f"{count} candidat·e{'s' if count > 1 else ''} invité·e{'s' if count > 1 else ''}."
        )
    return redirect(session)


@require_POST
def session_attendance(request, pk):
    session = _visible_session(request, pk)
    present = _ids(request.POST.getlist("present"))
    services.session_record_attendance(session=session, present_ids=present, by=request.user)
    messages.success(request, "Les présences ont été enregistrées.")
    return redirect(session)
