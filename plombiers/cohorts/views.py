from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from plombiers.accounts.enums import Role
from plombiers.accounts.models import User
from plombiers.forms import add_service_errors
from plombiers.network.models import School
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.models import Referral
from plombiers.views import paginate, render_list

from . import services
from .enums import CohortStatus, EnrolmentStatus
from .forms import AdmissionForm, CohortFilterForm, CohortForm, DropOutForm
from .models import Cohort, Enrolment, WaitlistEntry


def can_manage(user: User, school: School) -> bool:
    """The school's manager or the staff of its network: who admits, enrols and closes cohorts.

    Read from the memberships already loaded for the request: no query.
    """
    if user.is_superuser:
        return True
    return any(
        (m.role == Role.NETWORK_STAFF and m.network_id == school.network_id)
        or (m.role == Role.SCHOOL_MANAGER and m.school_id == school.pk)
        for m in user.membership_list
    )


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
        "can_create": School.objects.editable_by(request.user).exists() if _is_staff(request.user) else False,
    }
    return render_list(request, "cohorts/cohort_list.html", "cohorts/includes/cohort_table.html", context)


def _is_staff(user) -> bool:
    return user.has_role(Role.NETWORK_STAFF, Role.SCHOOL_MANAGER)


def _managed_schools(user):
    return School.objects.editable_by(user).order_by("name")


def cohort_create(request):
    schools = _managed_schools(request.user)
    if not _is_staff(request.user) or not schools.exists():
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
                queryset=Enrolment.objects.select_related("learner").order_by(
                    "status", "learner__last_name", "learner__first_name", "pk"
                ),
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
    context = {
        "cohort": cohort,
        "enrolments": cohort.enrolments.all(),
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
        messages.info(request, f"Le parcours de {enrolment.learner} n'est plus en cours.")
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
            message = f"Abandon de {enrolment.learner} enregistré : une place se libère."
            if proposed is not None:
                message += f" Prochain·e sur la liste d'attente : {_candidate(proposed)}."
            messages.success(request, message)
            return redirect(cohort)
    return render(
        request, "cohorts/enrolment_drop_out.html", {"form": form, "enrolment": enrolment, "cohort": cohort}
    )
