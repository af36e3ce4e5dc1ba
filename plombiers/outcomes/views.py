"""Exits and follow-ups: the school's pages (`/sorties/`, `/suivis/`), the exit of an enrolment, and
the young person's page opened through their signed link (`/suivi/<token>/`)."""

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plombiers.cohorts.models import Enrolment
from plombiers.forms import add_service_errors
from plombiers.lib.text import de
from plombiers.views import paginate, render_list

from . import permissions, selectors, services, tasks
from .enums import NO_NEWS_AFTER_DAYS, OPENS_DAYS_BEFORE, FollowUpSource, FollowUpStatus
from .forms import AnswerForm, ExitCorrectionForm, ExitFilterForm, ExitForm, FollowUpForm
from .models import Exit, FollowUp

TO_RECORD_PREVIEW = 10


def _check_team_page(user) -> None:
    """The lists are the school teams' and the network's: anyone else gets 404."""
    if not permissions.reads_exit_lists(user):
        raise Http404("Les sorties se suivent par l'équipe des écoles et la tête de réseau.")


_team_schools = selectors.team_schools
_in_team_schools = selectors.in_team_schools
_to_record = selectors.exits_to_record


def _exits(user):
    exits = _in_team_schools(Exit.objects.visible_to(user), user, "enrolment__cohort__school")
    return exits.with_list_related_data()


def _recordable(user) -> set[int] | None:
    """The schools where the user records exits, read from the memberships (None: every school
    the page shows)."""
    return permissions.recording_school_ids(user)


def _source_for(user, exit: Exit) -> str | None:
    """How this user reports a follow-up of this exit, if they may (no query for the team)."""
    school = exit.enrolment.cohort.school
    if permissions.can_record(user, school):
        return FollowUpSource.SOCIAL_WORKER
    if permissions.is_prescriber_of(user, exit.enrolment):
        return FollowUpSource.PRESCRIBER
    return None


# --- lists --------------------------------------------------------------------------------------


@require_GET
def exit_list(request):
    """« Sorties à renseigner » (oldest first) and the exits recorded, with filters."""
    user = request.user
    _check_team_page(user)
    form = ExitFilterForm(request.GET or None, schools=_team_schools(user))
    pending = form.filter_enrolments(_to_record(user))
    exits = form.filter_exits(_exits(user)).order_by("-exit_date", "-pk")
    context = {
        "form": form,
        "pending": list(pending[:TO_RECORD_PREVIEW]),
        "pending_count": pending.count(),
        "page": paginate(request, exits),
        "recordable": _recordable(user),
    }
    return render_list(request, "outcomes/exit_list.html", "outcomes/includes/exit_table.html", context)


@require_GET
def to_record_list(request):
    user = request.user
    _check_team_page(user)
    form = ExitFilterForm(request.GET or None, schools=_team_schools(user))
    context = {
        "form": form,
        "page": paginate(request, form.filter_enrolments(_to_record(user))),
        "recordable": _recordable(user),
    }
    return render(request, "outcomes/to_record_list.html", context)


@require_GET
def follow_up_list(request):
    """The to-do list of the social worker: follow-ups due this month or overdue, each with its form."""
    user = request.user
    _check_team_page(user)
    today = timezone.localdate()
    follow_ups = selectors.follow_ups_due(user, today)
    form = ExitFilterForm(request.GET or None, schools=_team_schools(user))
    follow_ups = form.filter_enrolments(follow_ups, "exit__enrolment__")
    page = paginate(request, follow_ups)
    for follow_up in page.object_list:
        follow_up.can_record = permissions.can_record(user, follow_up.exit.enrolment.cohort.school)
        follow_up.form = FollowUpForm(prefix=f"suivi-{follow_up.pk}") if follow_up.can_record else None
        follow_up.overdue = follow_up.due_on < today
        follow_up.no_news_on = services.no_news_on(follow_up)
    context = {"page": page, "form": form, "today": today}
    return render(request, "outcomes/follow_up_list.html", context)


# --- one exit ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def exit_create(request, pk):
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("learner", "cohort__school"), pk=pk
    )
    school = enrolment.cohort.school
    if not permissions.can_record(request.user, school):
        raise PermissionDenied(services.NOT_TEAM)
    existing = Exit.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        messages.info(request, "La sortie de ce parcours est déjà renseignée.")
        return redirect(existing)
    if enrolment.status not in services.ENDED:
        messages.error(
            request, "Ce parcours n'est pas terminé : la sortie se renseigne quand l'inscription se termine."
        )
        return redirect(enrolment.cohort)
    form = ExitForm(request.POST or None, school=school, initial={"exit_date": enrolment.end_date})
    if request.method == "POST" and form.is_valid():
        try:
            exit = services.exit_record(enrolment, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"La sortie {de(enrolment.learner)} est enregistrée ({exit.get_category_display().lower()}) ; "
                "les suivis à 1, 3, 6 et 12 mois sont prévus.",
            )
            return redirect(exit)
    return render(request, "outcomes/exit_form.html", {"form": form, "enrolment": enrolment, "exit": None})


def _exit(request, pk) -> Exit:
    return get_object_or_404(
        Exit.objects.visible_to(request.user).with_list_related_data().select_related("recorded_by"), pk=pk
    )


@require_GET
def exit_detail(request, pk):
    exit = get_object_or_404(
        Exit.objects.visible_to(request.user)
        .with_list_related_data()
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch(
                "follow_ups", queryset=FollowUp.objects.select_related("answered_by").order_by("horizon")
            )
        ),
        pk=pk,
    )
    user = request.user
    source = _source_for(user, exit)
    today = timezone.localdate()
    follow_ups = list(exit.follow_ups.all())
    for follow_up in follow_ups:
        follow_up.state = services.link_state(follow_up, today)
        follow_up.opens_on = services.opens_on(follow_up)
        follow_up.no_news_on = services.no_news_on(follow_up)
        # Anyone who reports answers a follow-up that is open; the school also gives late news.
        open_ = follow_up.status == FollowUpStatus.DUE and follow_up.state == "open"
        late = source == FollowUpSource.SOCIAL_WORKER and follow_up.status == FollowUpStatus.NO_NEWS
        follow_up.form = (
            FollowUpForm(prefix=f"suivi-{follow_up.pk}", source=source)
            if source and (open_ or late)
            else None
        )
    team = source == FollowUpSource.SOCIAL_WORKER
    link = next((f for f in follow_ups if f.state == "open"), None) if team else None
    context = {
        "exit": exit,
        "enrolment": exit.enrolment,
        "follow_ups": follow_ups,
        "source": source,
        "can_correct": team,
        "shows_list": permissions.reads_exit_lists(user),
        "link": link,
    }
    if link is not None:
        url = request.build_absolute_uri(services.follow_up_link(link))
        context.update(link_url=url, link_qr=segno.make(url, error="m").svg_data_uri(scale=5, border=2))
    return render(request, "outcomes/exit_detail.html", context)


@require_http_methods(["GET", "POST"])
def exit_edit(request, pk):
    exit = _exit(request, pk)
    if not permissions.can_record(request.user, exit.enrolment.cohort.school):
        raise PermissionDenied(services.NOT_TEAM)
    form = ExitCorrectionForm(request.POST or None, exit=exit)
    if request.method == "POST" and form.is_valid():
        try:
            services.exit_update(
                exit, by=request.user, reason=form.cleaned_data["reason"], data=form.changes()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "La sortie est corrigée ; la correction et son motif sont gardés.")
            return redirect(exit)
    return render(
        request, "outcomes/exit_form.html", {"form": form, "enrolment": exit.enrolment, "exit": exit}
    )


@require_http_methods(["GET", "POST"])
def follow_up_record(request, pk):
    """The school reports (on `/suivis/` or the exit's page), or the prescriber (the exit's page)."""
    follow_up = get_object_or_404(FollowUp.objects.visible_to(request.user).with_list_related_data(), pk=pk)
    exit = follow_up.exit
    source = _source_for(request.user, exit)
    if source is None:
        raise PermissionDenied(
            "Seuls l'équipe de l'école et le prescripteur du ou de la jeune renseignent un suivi."
        )
    form = FollowUpForm(request.POST or None, prefix=f"suivi-{follow_up.pk}", source=source)
    back = request.POST.get("next") or request.GET.get("next")
    if back not in ("suivis", "sortie"):
        back = "sortie"
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_record(follow_up, by=request.user, source=source, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            learner = exit.enrolment.learner
            messages.success(
                request, f"Le suivi à {follow_up.get_horizon_display()} {de(learner)} est renseigné."
            )
            return redirect("outcomes:follow_up_list" if back == "suivis" else exit)
    context = {"follow_up": follow_up, "exit": exit, "form": form, "next": back}
    return render(
        request, "outcomes/follow_up_form.html", context, status=400 if request.method == "POST" else 200
    )


@require_POST
def follow_up_link_renew(request, pk):
    """A new link for the young person (the old one is refused from now on), e-mailed when they
    have an address and the follow-up can be answered."""
    follow_up = get_object_or_404(
        FollowUp.objects.visible_to(request.user).select_related(
            "exit__enrolment__learner", "exit__enrolment__cohort__school"
        ),
        pk=pk,
    )
    try:
        follow_up = services.follow_up_link_renew(follow_up=follow_up, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(follow_up.exit)
    learner = follow_up.exit.enrolment.learner
    if learner.email and services.link_state(follow_up) == "open":
        tasks.send_follow_up_link.enqueue(follow_up.pk)
        sent = f"envoyé par e-mail à {learner.email}"
    else:
        sent = "prêt : envoyez-le par SMS ou faites scanner le QR code"
    messages.success(request, f"Un nouveau lien est {sent}. L'ancien lien ne fonctionne plus.")
    return redirect(follow_up.exit)


# --- the young person ------------------------------------------------------------------------


def short_name(learner) -> str:
    return f"{learner.first_name} {learner.last_name[:1]}.".strip()


def _link_replaced(request):
    """An old link: nothing of the young person or the school, only what to do."""
    return render(request, "outcomes/link_replaced.html", {"message": services.LINK_REPLACED}, status=410)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token):
    """Three questions on a phone, one answer, until the follow-up's « sans nouvelles » date."""
    try:
        follow_up = services.follow_up_for_token(token)
    except services.LinkReplaced:
        return _link_replaced(request)
    if follow_up is None:
        return render(request, "outcomes/link_invalid.html", status=404)
    school = follow_up.exit.enrolment.cohort.school
    context = {
        "follow_up": follow_up,
        "school": school,
        "first_name": follow_up.exit.enrolment.learner.first_name,
        "until": services.no_news_on(follow_up),
        "opens_on": services.opens_on(follow_up),
    }
    state = services.link_state(follow_up)
    if state == "answered":
        return render(request, "outcomes/answer_thanks.html", context)
    if state != "open":
        context["state"] = state
        return render(
            request, "outcomes/answer_closed.html", context, status=410 if state == "expired" else 200
        )
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_record(
                follow_up,
                by=None,
                source=FollowUpSource.LEARNER,
                link_nonce=follow_up.link_nonce,
                **form.cleaned_data,
            )
        except PermissionDenied:
            return _link_replaced(request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(request.path)
    context["form"] = form
    return render(request, "outcomes/answer.html", context, status=400 if form.errors else 200)


@require_GET
def my_follow_up(request):
    """On the young person's home page (htmx): their follow-up to answer, if there is one."""
    today = timezone.localdate()
    follow_up = (
        FollowUp.objects.due()
        .filter(
            exit__enrolment__learner__user=request.user,
            due_on__lte=today + dt.timedelta(days=OPENS_DAYS_BEFORE),
            due_on__gte=today - dt.timedelta(days=NO_NEWS_AFTER_DAYS),
        )
        .select_related("exit__enrolment__cohort__school")
        .order_by("due_on", "pk")
        .first()
    )
    context = {"follow_up": follow_up}
    if follow_up is not None:
        context.update(url=services.follow_up_link(follow_up), until=services.no_news_on(follow_up))
    # Opened directly (a bookmark, the menu), it is a page of its own, never a blank one.
    template = "outcomes/includes/my_follow_up.html" if request.htmx else "outcomes/my_follow_up.html"
    return render(request, template, context)
