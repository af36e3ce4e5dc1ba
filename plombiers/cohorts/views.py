import datetime as dt
import json
from types import SimpleNamespace

import segno
from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from plombiers.accounts.enums import Role
from plombiers.accounts.models import User, school_staff_q
from plombiers.accounts.permissions import is_learner_only, is_school_side
from plombiers.forms import add_service_errors
from plombiers.lib.evidence import KINDS
from plombiers.lib.text import de
from plombiers.network.models import School
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.models import Referral
from plombiers.views import paginate, render_list

from . import attendance, services
from .enums import AttendanceStatus, CohortStatus, EnrolmentStatus, SignatureMethod, SignatureMode
from .forms import (
    SIGNING_MODES,
    AdmissionForm,
    CohortFilterForm,
    CohortForm,
    DropOutForm,
    MarkForm,
    ScheduleForm,
    SessionForm,
    SignatureForm,
    SigningCodeForm,
)
from .models import Attendance, Cohort, Enrolment, TrainingSession, WaitlistEntry
from .permissions import can_create_cohorts, can_manage, can_take_attendance


def _check_can_manage(user: User, school: School) -> None:
    if not can_manage(user, school):
        raise PermissionDenied("Seul·e le ou la responsable de l'école peut faire cette action.")


def _candidate(entry: WaitlistEntry) -> str:
    return f"{entry.referral.learner} (rang {entry.position})"


# --- cohorts ---------------------------------------------------------------------------------


def cohort_list(request):
    schools = School.objects.visible_to(request.user).filter(cohorts__isnull=False).distinct()
    form = CohortFilterForm(request.GET or None, schools=schools.order_by("name"))
    cohorts = form.filter(Cohort.objects.visible_to(request.user)).with_list_related_data()
    context = {
        "form": form,
        "page": paginate(request, cohorts.order_by("-start_date", "name", "pk")),
        "can_create": School.objects.editable_by(request.user).exists()
        if can_create_cohorts(request.user)
        else False,
    }
    return render_list(request, "cohorts/cohort_list.html", "cohorts/includes/cohort_table.html", context)


def _managed_schools(user):
    return School.objects.editable_by(user).order_by("name")


def cohort_create(request):
    schools = _managed_schools(request.user)
    if not can_create_cohorts(request.user) or not schools.exists():
        raise PermissionDenied("Seul·e le ou la responsable de l'école peut créer une promotion.")
    initial = {}
    if chosen := request.GET.get("school"):
        initial["school"] = schools.filter(pk=chosen).first() if chosen.isdigit() else None
    form = CohortForm(request.POST or None, schools=schools, initial=initial)
    if request.method == "POST" and form.is_valid():
        school = form.cleaned_data["school"]
        try:
            cohort = services.cohort_create(
                school=school,
                by=request.user,
                trainers=form.cleaned_data["trainers"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"La promotion « {cohort.name} » a été créée.")
            return redirect(cohort)
    return render(request, "cohorts/cohort_form.html", {"form": form, "cohort": None})


def cohort_edit(request, pk):
    cohort = get_object_or_404(Cohort.objects.visible_to(request.user).select_related("school"), pk=pk)
    _check_can_manage(request.user, cohort.school)
    form = CohortForm(request.POST or None, instance=cohort, schools=None)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        try:
            services.cohort_update(cohort=cohort, by=request.user, data=data)
        except ValidationError as error:
            cohort.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, "Les modifications de la promotion ont été enregistrées.")
            return redirect(cohort)
    return render(request, "cohorts/cohort_form.html", {"form": form, "cohort": cohort})


def cohort_detail(request, pk):
    cohort = get_object_or_404(
        Cohort.objects.visible_to(request.user)
        .with_list_related_data()
        .select_related("school__network", "social_worker")
        .prefetch_related(
            Prefetch("trainers", queryset=User.objects.order_by("last_name", "first_name")),
            Prefetch(
                "enrolments",
                # Hours from the signed sheets ride along: no extra query for the table of hours.
                queryset=Enrolment.objects.select_related("learner", "exit")
                .with_hours()
                .order_by("status", "learner__last_name", "learner__first_name", "pk"),
            ),
            Prefetch(
                "waitlist",
                queryset=WaitlistEntry.objects.waiting()
                .select_related("referral__learner")
                .order_by("position"),
            ),
        ),
        pk=pk,
    )
    waitlist = list(cohort.waitlist.all())
    manager = can_manage(request.user, cohort.school)
    next_candidate = None
    if manager and cohort.is_open_for_admission and cohort.seats_left and waitlist:
        next_candidate = waitlist[0]
    enrolments = cohort.enrolments.all()
    school_side = is_school_side(request.user, cohort.school)
    if not school_side:
        # A young person reads their own cohort: nothing about anyone else, neither the classmates
        # nor the candidates waiting for a seat.
        enrolments = [e for e in enrolments if e.learner.user_id == request.user.pk]
        waitlist = []
    hours = enrolments
    context = {
        "cohort": cohort,
        "enrolments": enrolments,
        "hours": [_hours_row(e) for e in hours],
        "hours_history": any(
            e.history_attended_minutes or e.history_absent_minutes or e.history_excused_minutes for e in hours
        ),
        "school_side": school_side,
        "team": can_take_attendance(request.user, cohort.school),
        "waitlist": waitlist,
        "next_candidate": next_candidate,
        "can_manage": manager,
        "EnrolmentStatus": EnrolmentStatus,
    }
    return render(request, "cohorts/cohort_detail.html", context)


@require_http_methods(["GET", "POST"])
def cohort_finish(request, pk):
    cohort = get_object_or_404(Cohort.objects.visible_to(request.user).select_related("school"), pk=pk)
    _check_can_manage(request.user, cohort.school)
    if cohort.status == CohortStatus.FINISHED:
        messages.info(request, "Cette promotion est déjà clôturée.")
        return redirect(cohort)
    if request.method == "POST":
        count = services.cohort_finish(cohort=cohort, by=request.user)
        messages.success(
            request,
            f"La promotion « {cohort.name} » est clôturée : "
            f"{count} parcours terminé{'s' if count > 1 else ''}.",
        )
        return redirect(cohort)
    active = cohort.enrolments.filter(status=EnrolmentStatus.ACTIVE).count()
    return render(request, "cohorts/cohort_finish.html", {"cohort": cohort, "active": active})


# --- admission and drop-out --------------------------------------------------------------


def _referral_admissible(referral: Referral) -> bool:
    return referral.can_move_to(ReferralStatus.ADMITTED) or referral.can_move_to(ReferralStatus.WAITLIST)


@require_http_methods(["GET", "POST"])
def referral_admit(request, pk):
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("learner", "school__network"), pk=pk
    )
    _check_can_manage(request.user, referral.school)
    cohorts = (
        Cohort.objects.visible_to(request.user)
        .open_for_admission()
        .filter(school=referral.school)
        .with_list_related_data()
        .order_by("start_date", "name", "pk")
    )
    initial = {}
    if (chosen := request.GET.get("promotion", "")).isdigit():
        initial["cohort"] = int(chosen)
    form = AdmissionForm(request.POST or None, referral=referral, cohorts=cohorts, initial=initial)
    admissible = _referral_admissible(referral)
    if request.method == "POST" and admissible and form.is_valid():
        cohort = form.cleaned_data["cohort"]
        try:
            admission = services.referral_admit(
                referral=referral,
                cohort=cohort,
                by=request.user,
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or "Vous ne pouvez pas admettre ce ou cette jeune.")
        else:
            if admission.waitlisted:
                messages.warning(
                    request,
                    f"Promotion complète : {referral.learner} est placé·e en liste d'attente "
                    f"(rang {admission.waitlist_entry.position}) de « {cohort.name} ».",
                )
            else:
                messages.success(request, f"{referral.learner} est admis·e dans « {cohort.name} ».")
            return redirect(cohort)
    elif request.method == "POST" and not admissible:
        form.add_error(None, _not_admissible_message(referral))
    eligibility = referral.eligibility or {}
    context = {
        "referral": referral,
        "form": form,
        "cohorts": form.fields["cohort"].queryset,
        "admissible": admissible,
        "not_admissible_message": _not_admissible_message(referral),
        "eligible": referral.is_eligible,
        "reasons": eligibility.get("reasons") or [],
        "explanations": eligibility.get("explanations") or [],
        "priorities": eligibility.get("priorities") or [],
    }
    return render(request, "cohorts/referral_admit.html", context)


def _not_admissible_message(referral: Referral) -> str:
    return (
        f"Cette prescription n'attend pas de décision d'admission "
        f"(statut : {referral.get_status_display().lower()})."
    )


@require_http_methods(["GET", "POST"])
def enrolment_drop_out(request, pk):
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("learner", "cohort__school"), pk=pk
    )
    cohort = enrolment.cohort
    _check_can_manage(request.user, cohort.school)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        messages.info(request, f"Le parcours {de(enrolment.learner)} n'est plus en cours.")
        return redirect(cohort)
    form = DropOutForm(request.POST or None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposed = services.enrolment_drop_out(
                enrolment=enrolment,
                by=request.user,
                reason=data["reason"],
                detail=data["detail"],
                on=data["on"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                error = ValidationError(
                    {
                        {"drop_out_reason": "reason", "end_date": "on"}.get(k, k): v
                        for k, v in error.error_dict.items()
                    }
                )
            add_service_errors(form, error)
        else:
            message = f"Abandon {de(enrolment.learner)} enregistré : une place se libère."
            if proposed is not None:
                message += f" Prochain·e sur la liste d'attente : {_candidate(proposed)}."
            messages.success(request, message)
            return redirect(cohort)
    return render(
        request, "cohorts/enrolment_drop_out.html", {"form": form, "enrolment": enrolment, "cohort": cohort}
    )


# --- calendar and attendance sheets (émargement) -------------------------------------------------

WEEKS_PER_PAGE = 4


def _hours_row(enrolment: Enrolment) -> SimpleNamespace:
    hours, show = hours_of(enrolment), attendance.Hours.format
    return SimpleNamespace(
        enrolment=enrolment,
        attended=show(hours.attended),
        scheduled=show(hours.scheduled),
        late=f"{hours.late} min" if hours.late else "—",
        excused=show(hours.excused) if hours.excused else "—",
        absent=show(hours.absent) if hours.absent else "—",
        history=_history(enrolment),
    )


def _history(enrolment: Enrolment) -> str:
    """The months imported from the school's former spreadsheets, summed (read-only, never mixed
    with the sheets): « 70 h 30 suivies, 3 h 30 d'absence justifiée, 7 h d'absence injustifiée »."""
    show = attendance.Hours.format
    parts = []
    for minutes, label in [
        (enrolment.history_attended_minutes, "suivies"),
        (enrolment.history_excused_minutes, "d'absence justifiée"),
        (enrolment.history_absent_minutes, "d'absence injustifiée"),
    ]:
        if minutes:
            parts.append(f"{show(minutes)} {label}")
    return ", ".join(parts) or "—"


def hours_of(enrolment: Enrolment) -> attendance.Hours:
    """The hours of an enrolment annotated by `Enrolment.objects.with_hours()`."""
    return attendance.Hours(
        scheduled=enrolment.scheduled_minutes,
        attended=enrolment.attended_minutes,
        late=enrolment.late_minutes,
        absent=enrolment.absent_minutes,
        excused=enrolment.excused_minutes,
    )


def _check_team(user: User, school: School) -> None:
    if not can_take_attendance(user, school):
        raise PermissionDenied("Seule l'équipe pédagogique de l'école tient les feuilles d'émargement.")


def _errors(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error) or "Vous ne pouvez pas faire cette action."]


def _sessions_for_list(queryset):
    return queryset.with_list_related_data().annotate(
        there_count=Count(
            "marks",
            filter=Q(marks__status__in=[AttendanceStatus.PRESENT, AttendanceStatus.LATE]),
            distinct=True,
        )
    )


def _calendar_cohort(request, pk) -> Cohort:
    return get_object_or_404(Cohort.objects.visible_to(request.user).select_related("school"), pk=pk)


def _calendar_page(request, cohort: Cohort, *, schedule_form=None):
    """Weeks of half-days, a few weeks a page; the page of the current week by default."""
    user = request.user
    team = can_take_attendance(user, cohort.school)
    weeks = list(cohort.sessions.dates("date", "week"))
    paginator = Paginator(weeks, WEEKS_PER_PAGE)
    number = request.GET.get("page")
    if number is None and weeks:
        monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
        number = next((i // WEEKS_PER_PAGE + 1 for i, week in enumerate(weeks) if week >= monday), None)
        number = number or paginator.num_pages
    page = paginator.get_page(number)
    grouped = []
    if page.object_list:
        first, last = page.object_list[0], page.object_list[-1] + dt.timedelta(days=7)
        sessions = _sessions_for_list(
            TrainingSession.objects.visible_to(user).filter(cohort=cohort, date__gte=first, date__lt=last)
        ).order_by("date", "start_time", "pk")
        by_week = {week: [] for week in page.object_list}
        for session in sessions:
            by_week[session.date - dt.timedelta(days=session.date.weekday())].append(session)
        grouped = [
            SimpleNamespace(monday=week, sunday=week + dt.timedelta(days=6), sessions=rows)
            for week, rows in by_week.items()
        ]
    if team and schedule_form is None:
        schedule_form = ScheduleForm(cohort=cohort)
    context = {
        "cohort": cohort,
        "weeks": grouped,
        "page": page,
        "team": team,
        "reads_sheets": is_school_side(user, cohort.school),
        "schedule_form": schedule_form if team else None,
    }
    return render(request, "cohorts/cohort_calendar.html", context)


def cohort_calendar(request, pk):
    return _calendar_page(request, _calendar_cohort(request, pk))


@require_POST
def schedule_generate(request, pk):
    cohort = _calendar_cohort(request, pk)
    _check_team(request.user, cohort.school)
    form = ScheduleForm(request.POST, cohort=cohort)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = attendance.schedule_generate(
                cohort=cohort,
                by=request.user,
                weekdays=data["weekdays"],
                hours=data["hours"],
                internship_weeks=data["internship_weeks"],
                kind=data["kind"],
                trainer=data["trainer"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = len(created)
            messages.success(
                request,
                f"Calendrier généré : {count} demi-journée{pluralize(count)} ajoutée{pluralize(count)} "
                "(jours fériés exclus, demi-journées existantes conservées).",
            )
            return redirect("cohorts:cohort_calendar", cohort.pk)
    return _calendar_page(request, cohort, schedule_form=form)


@require_http_methods(["GET", "POST"])
def session_create(request, pk):
    cohort = _calendar_cohort(request, pk)
    _check_team(request.user, cohort.school)
    form = SessionForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            session = attendance.session_create(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Demi-journée ajoutée : {session.date:%d/%m/%Y}, {session.get_period_display().lower()}.",
            )
            return redirect(
                f"{reverse('cohorts:cohort_calendar', args=[cohort.pk])}?page={_week_page(cohort, session.date)}"
            )
    return render(request, "cohorts/session_form.html", {"form": form, "cohort": cohort, "session": None})


def _week_page(cohort: Cohort, date: dt.date) -> int:
    weeks = list(cohort.sessions.dates("date", "week"))
    monday = date - dt.timedelta(days=date.weekday())
    return weeks.index(monday) // WEEKS_PER_PAGE + 1 if monday in weeks else 1


def _session(request, pk) -> TrainingSession:
    return get_object_or_404(
        TrainingSession.objects.visible_to(request.user).select_related(
            "cohort__school", "block", "trainer", "locked_by", "trainer_signature"
        ),
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
def session_edit(request, pk):
    session = _session(request, pk)
    cohort = session.cohort
    _check_team(request.user, cohort.school)
    initial = {
        "date": session.date,
        "period": session.period,
        "start_time": session.start_time,
        "end_time": session.end_time,
        "kind": session.kind,
        "block": session.block,
        "trainer": session.trainer,
    }
    form = SessionForm(request.POST or None, cohort=cohort, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        for name in ("start_time", "end_time"):
            if name in data and data[name] is None:
                data.pop(name)
        try:
            attendance.session_update(session=session, by=request.user, data=data)
        except ValidationError as error:
            session.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, "La demi-journée a été modifiée.")
            return redirect(
                f"{reverse('cohorts:cohort_calendar', args=[cohort.pk])}?page={_week_page(cohort, session.date)}"
            )
    return render(request, "cohorts/session_form.html", {"form": form, "cohort": cohort, "session": session})


@require_http_methods(["GET", "POST"])
def session_delete(request, pk):
    """A confirmation page first (no JavaScript needed); the half-day goes only once confirmed."""
    session = _session(request, pk)
    cohort = session.cohort
    _check_team(request.user, cohort.school)
    page = _week_page(cohort, session.date)
    label = f"{session.date:%d/%m/%Y}, {session.get_period_display().lower()}"
    back = f"{reverse('cohorts:cohort_calendar', args=[cohort.pk])}?page={page}"
    if request.method == "GET" or not request.POST.get("confirm"):
        return render(
            request, "cohorts/session_delete.html", {"session": session, "cohort": cohort, "back": back}
        )
    try:
        if session.is_locked:
            raise ValidationError("Cette feuille est signée : la demi-journée ne se supprime plus.")
        attendance.session_delete(session=session, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Demi-journée du {label} supprimée.")
    return redirect(f"{reverse('cohorts:cohort_calendar', args=[cohort.pk])}?page={page}")


# The sheet of a half-day: the trainer's tablet page.


def _sheet_session(request, pk) -> TrainingSession:
    session = _session(request, pk)
    if not is_school_side(request.user, session.cohort.school):
        # A learner signs on their phone; the sheet with everybody's names is the team's.
        raise PermissionDenied("La feuille d'émargement est tenue par l'équipe de l'école.")
    return session


LOCK_FORM_IDS = "formateur_%s"
# What cohorts/includes/signature_choice.html reads, besides its form.
SIGNING_CONTEXT = {"signing_modes": SIGNING_MODES, "SignatureMode": SignatureMode}


def _sheet_context(request, session: TrainingSession, **extra) -> dict:
    team = can_take_attendance(request.user, session.cohort.school)
    marks = {a.enrolment_id: a for a in session.marks.select_related("signature")}
    entered = extra.pop("entered", {})  # what a refused line held: shown again, not lost
    rows = [
        SimpleNamespace(enrolment=e, mark=marks.get(e.pk), entered=entered.get(e.pk) or marks.get(e.pk))
        for e in attendance.sheet_enrolments(session)
    ]
    today = timezone.localdate()
    now = timezone.now()
    code_active = bool(
        team
        and not session.is_locked
        and session.signing_code
        and session.signing_code_expires_at
        and session.signing_code_expires_at > now
    )
    context = {
        "session": session,
        "cohort": session.cohort,
        "rows": rows,
        "team": team,
        "can_mark": team and not session.is_locked and session.date <= today,
        "can_sign": team and not session.is_locked and session.date == today,
        "code_active": code_active,
        "marked": sum(1 for r in rows if r.mark),
        "there": sum(1 for r in rows if r.mark and r.mark.is_there),
        "signed": sum(1 for r in rows if r.mark and r.mark.signature_id),
        "statuses": AttendanceStatus.choices,
        "AttendanceStatus": AttendanceStatus,
        "errors": [],
        "lock_strokes": "",
        **SIGNING_CONTEXT,
        "lock_form": SignatureForm(auto_id=LOCK_FORM_IDS),
        "sign_form": SignatureForm(auto_id="jeune_%s"),
        "code_locked": [],
        "amendments": [
            SimpleNamespace(amendment=a, before=_describe(a.before), after=_describe(a.after))
            for a in session.amendments.select_related("attendance__enrolment__learner", "by").order_by(
                "at", "pk"
            )
        ]
        if session.is_locked
        else [],
    }
    if code_active:
        # Learners who typed too many wrong codes: « Nouveau code » unlocks them.
        locked = attendance.code_locked_enrolments(session)
        context["code_locked"] = [row.enrolment for row in rows if row.enrolment.pk in locked]
        url = request.build_absolute_uri(f"{reverse('cohorts:sign_with_code')}?code={session.signing_code}")
        context["code_url"] = url
        # segno writes the SVG from the URL alone: no client input ends up in it.
        context["qr_svg"] = mark_safe(segno.make(url, error="m").svg_inline(scale=5, border=2))  # noqa: S308
    context.update(extra)
    return context


def _describe(snapshot: dict) -> str:
    """A mark of the amendment history, in words."""
    if not snapshot:
        return "Pas noté"
    text = AttendanceStatus(snapshot["status"]).label
    if snapshot.get("late_minutes"):
        text += f" ({snapshot['late_minutes']} min)"
    if snapshot.get("excuse_reason"):
        text += f" — {snapshot['excuse_reason']}"
    return text + (", signé" if snapshot.get("signed") else "")


def _sheet_page(request, session, **extra):
    context = _sheet_context(request, session, **extra)
    template = "cohorts/includes/sheet.html" if request.htmx else "cohorts/session_detail.html"
    return render(request, template, context)


def session_detail(request, pk):
    return _sheet_page(request, _sheet_session(request, pk))


def _team_session(request, pk) -> TrainingSession:
    session = _sheet_session(request, pk)
    _check_team(request.user, session.cohort.school)
    return session


@require_POST
def attendance_mark(request, pk):
    """One learner's line (only what changed on this tablet), or « Tous présents » for those not yet
    marked: a mark another tablet wrote meanwhile is never overwritten by a stale page."""
    session = _team_session(request, pk)
    entered = {}
    if request.POST.get("tous"):
        marked = set(session.marks.values_list("enrolment_id", flat=True))
        marks = [
            attendance.Mark(e.pk, AttendanceStatus.PRESENT)
            for e in attendance.sheet_enrolments(session)
            if e.pk not in marked
        ]
        if not marks and not session.is_locked:
            return _sheet_page(request, session, notice="Chaque jeune a déjà une présence notée.")
        done = f"{len(marks)} jeune{pluralize(len(marks))} noté{pluralize(len(marks))} présent·e{pluralize(len(marks))}."
    else:
        form = MarkForm(request.POST, request.FILES)
        entered = _entered(request.POST)
        if not form.is_valid():
            return _sheet_page(request, session, errors=_form_errors(form), entered=entered)
        marks = [attendance.Mark(form.cleaned_data["enrolment"], **form.mark_fields())]
        done = None
    try:
        saved = attendance.attendance_mark(session=session, by=request.user, marks=marks)
    except (ValidationError, PermissionDenied) as error:
        return _sheet_page(request, session, errors=_errors(error), entered=entered)
    if done is None:
        mark = saved[0]
        done = f"{mark.enrolment.learner} : {mark.get_status_display().lower()}."
    if request.htmx:
        return _sheet_page(request, session, notice=f"Enregistré — {done}")
    messages.success(request, f"Enregistré — {done}")
    return redirect(session)


def _entered(data) -> dict[int, SimpleNamespace]:
    """The line a trainer sent, as typed, to show it again when it is refused."""
    try:
        enrolment = int(data.get("enrolment", ""))
    except ValueError:
        return {}
    return {
        enrolment: SimpleNamespace(
            status=data.get("status", ""),
            late_minutes=data.get("late_minutes", ""),
            excuse_reason=data.get("excuse_reason", ""),
        )
    }


def _form_errors(form) -> list[str]:
    return [str(message) for messages_ in form.errors.values() for message in messages_]


@require_POST
def attendance_sign(request, pk):
    """A learner signs on the trainer's tablet."""
    session = _team_session(request, pk)
    form = SignatureForm(request.POST)
    if not form.is_valid():
        return _sheet_page(request, session, errors=_form_errors(form))
    enrolment = (
        Enrolment.objects.filter(cohort=session.cohort, pk=form.cleaned_data["enrolment"] or 0)
        .select_related("learner")
        .first()
    )
    if enrolment is None:
        return _sheet_page(
            request, session, errors=["Ce ou cette jeune n'est pas sur la feuille de cette demi-journée."]
        )
    try:
        attendance.attendance_sign(
            session=session,
            enrolment=enrolment,
            signing=form.signing(),
            by=request.user,
            method=SignatureMethod.TABLET,
        )
    except (ValidationError, PermissionDenied) as error:
        return _sheet_page(request, session, errors=_errors(error))
    messages.success(request, f"Signature {de(enrolment.learner)} enregistrée.")
    return redirect(f"{session.get_absolute_url()}#ligne-{enrolment.pk}")


@require_POST
def signing_code_issue(request, pk):
    session = _team_session(request, pk)
    try:
        attendance.signing_code_issue(session=session, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        return _sheet_page(request, session, errors=_errors(error))
    return redirect(f"{session.get_absolute_url()}#code")


@require_POST
def sheet_lock(request, pk):
    """The trainer signs last: the sheet locks."""
    session = _team_session(request, pk)
    form = SignatureForm(request.POST, auto_id=LOCK_FORM_IDS)
    if not form.is_valid():
        return _sheet_page(request, session, errors=_form_errors(form), lock_form=form)
    try:
        attendance.sheet_lock(session=session, by=request.user, signing=form.signing())
    except (ValidationError, PermissionDenied) as error:
        # The trainer's signature stays on the pad (or their typed name in its field): they fix
        # the sheet and sign again at once.
        lock_strokes = json.dumps(form.cleaned_data["strokes"]) if form.cleaned_data["strokes"] else ""
        if isinstance(error, ValidationError):
            add_service_errors(form, error)
        return _sheet_page(request, session, errors=_errors(error), lock_strokes=lock_strokes, lock_form=form)
    messages.success(request, "Feuille signée et verrouillée.")
    return redirect(session)


@require_POST
def attendance_amend(request, pk):
    """Change one mark of a locked sheet, with a reason kept in the history."""
    session = _team_session(request, pk)
    form = MarkForm(request.POST, request.FILES)
    if not form.is_valid():
        return _sheet_page(request, session, errors=_form_errors(form))
    enrolment = (
        Enrolment.objects.filter(cohort=session.cohort, pk=form.cleaned_data["enrolment"])
        .select_related("learner")
        .first()
    )
    if enrolment is None:
        return _sheet_page(
            request, session, errors=["Ce ou cette jeune n'est pas sur la feuille de cette demi-journée."]
        )
    try:
        attendance.attendance_amend(
            session=session,
            enrolment=enrolment,
            by=request.user,
            reason=form.cleaned_data["reason"],
            **form.mark_fields(),
        )
    except (ValidationError, PermissionDenied) as error:
        return _sheet_page(request, session, errors=_errors(error))
    messages.success(
        request, f"Modification enregistrée pour {enrolment.learner} ; elle figure dans l'historique."
    )
    return redirect(f"{session.get_absolute_url()}#historique")


# A learner signs on their own phone.


def _session_to_sign(user) -> TrainingSession | None:
    """Today's half-day of the learner's cohort: the one whose code is running, else the current one."""
    now = timezone.now()
    sessions = list(
        TrainingSession.objects.visible_to(user)
        .filter(date=timezone.localdate(), cohort__enrolments__learner__user=user)
        .select_related("cohort")
        .distinct()
        .order_by("start_time", "pk")
    )
    with_code = [
        s
        for s in sessions
        if not s.is_locked and s.signing_code_expires_at and s.signing_code_expires_at > now
    ]
    if with_code:
        return max(with_code, key=lambda s: s.signing_code_expires_at)
    # No code running: the latest half-day already started, else the first of the day.
    current = timezone.localtime(now).time()
    started = [s for s in sessions if s.start_time <= current]
    if started:
        return started[-1]
    return sessions[0] if sessions else None


@require_http_methods(["GET", "POST"])
def sign_with_code(request):
    user = request.user
    if not user.has_role(Role.LEARNER):
        raise PermissionDenied("Cette page sert aux jeunes à signer la feuille sur leur téléphone.")
    session = _session_to_sign(user)
    enrolment = mark = None
    if session is not None:
        enrolment = attendance.sheet_enrolments(session).filter(learner__user=user).first()
        if enrolment is not None:
            mark = session.marks.filter(enrolment=enrolment).select_related("signature").first()
    code = "".join(c for c in request.GET.get("code", "") if c.isdigit())[:8]
    form = SigningCodeForm(request.POST or None, initial={"code": code})
    if request.method == "POST" and form.is_valid():
        if session is None or enrolment is None:
            form.add_error(None, "Aucune demi-journée à signer pour vous aujourd'hui.")
        else:
            try:
                attendance.attendance_sign(
                    session=session,
                    enrolment=enrolment,
                    signing=form.signing(),
                    by=user,
                    method=SignatureMethod.PHONE,
                    code=form.cleaned_data["code"],
                    address=_client_address(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Merci, votre signature est enregistrée.")
                return redirect("cohorts:sign_with_code")
    locked = bool(
        session is not None
        and enrolment is not None
        and not (mark and mark.signature_id)
        and attendance.code_locked(session, enrolment)
    )
    context = {
        "session": session,
        "enrolment": enrolment,
        "mark": mark,
        "form": form,
        "code_locked": locked,
        **SIGNING_CONTEXT,
    }
    return render(request, "cohorts/sign_with_code.html", context)


def _client_address(request) -> str | None:
    """The phone's address as the login throttle reads it (allauth's, behind the trusted proxies)."""
    try:
        return get_account_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def sessions_today(request):
    """Today's half-days of the cohorts the person works with, each a big link to its sheet."""
    user = request.user
    if is_learner_only(user):
        return redirect("cohorts:sign_with_code")
    sessions = _sessions_for_list(
        TrainingSession.objects.visible_to(user).filter(date=timezone.localdate())
    ).order_by("start_time", "cohort__name", "pk")
    return render(
        request, "cohorts/sessions_today.html", {"sessions": sessions, "today": timezone.localdate()}
    )


def attendance_proof(request, pk):
    """The proof of an excused absence (often a medical certificate): the school's team and the
    young person themself only, streamed after the check, always as a download."""
    user = request.user
    visible = Attendance.objects.exclude(proof="")
    if not user.is_superuser:
        visible = visible.filter(
            school_staff_q(user, "session__cohort__school") | Q(enrolment__learner__user=user)
        )
    mark = get_object_or_404(visible.select_related("enrolment__learner"), pk=pk)
    try:
        handle = mark.proof.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    head = handle.read(16)
    handle.seek(0)
    kind = next((k for k in KINDS if k.matches(head)), None)
    name = f"justificatif-{slugify(str(mark.enrolment.learner))}{kind.extensions[0] if kind else ''}"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
