import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from plombiers.accounts.enums import SCHOOL_ROLES, Role
from plombiers.accounts.models import Membership, school_staff_q
from plombiers.cohorts.models import Cohort
from plombiers.cohorts.permissions import can_manage
from plombiers.forms import add_service_errors
from plombiers.network.models import School
from plombiers.views import paginate

from . import services
from .enums import Audience
from .forms import AnswerForm, InviteForm
from .models import SurveyInvitation
from .permissions import reads_comments, reads_surveys
from .questionnaires import questionnaire
from .results import survey_results, with_survey_figures

YEAR = dt.timedelta(days=365)


def _results_cohorts(user):
    """Cohorts whose survey results a user reads: the school's team and the network staff
    (a learner sees their cohort, never its results)."""
    return Cohort.objects.all() if user.is_superuser else Cohort.objects.filter(school_staff_q(user))


def _results_schools(user):
    if user.is_superuser:
        return School.objects.all()
    mine = Membership.objects.filter(user=user)
    return School.objects.filter(
        Q(network__in=mine.filter(role=Role.NETWORK_STAFF).values("network"))
        | Q(pk__in=mine.filter(role__in=SCHOOL_ROLES).values("school"))
    )


# --- the respondent's side (public, through the signed link) ---------------------------------


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token):
    invitation = SurveyInvitation.objects.for_token(token).select_related("cohort").first()
    if invitation is None:
        return render(request, "surveys/link_invalid.html", status=404)
    context = {"invitation": invitation}
    if invitation.is_answered:
        return render(request, "surveys/thanks.html", context)
    if invitation.is_expired():
        return render(request, "surveys/link_expired.html", context, status=410)
    form = AnswerForm(
        request.POST or None,
        questionnaire=questionnaire(invitation.audience, invitation.questionnaire_version),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(invitation=invitation, answers=form.cleaned_data)
        except services.AlreadyAnswered:
            pass
        except services.InvitationExpired:
            return render(request, "surveys/link_expired.html", context, status=410)
        except ValidationError as error:
            add_service_errors(form, error)
        if not form.errors:
            return redirect(request.path)
    context.update(form=form, questionnaire=form.questionnaire)
    return render(request, "surveys/answer.html", context)


# --- the school's side -------------------------------------------------------------------


@require_GET
def index(request):
    if not reads_surveys(request.user):
        raise Http404("Les enquêtes sont lues par l'équipe des écoles et la tête de réseau.")
    since = timezone.now() - YEAR
    schools = with_survey_figures(
        _results_schools(request.user).select_related("trade"), since=since
    ).order_by("name", "pk")
    context = {"page": paginate(request, schools), "since": since}
    return render(request, "surveys/index.html", context)


@require_GET
def school_results(request, slug):
    school = get_object_or_404(_results_schools(request.user), slug=slug)
    since = timezone.now() - YEAR
    recent = school.survey_invitations.filter(created_at__gte=since)
    surveyed = school.cohorts.filter(pk__in=school.survey_invitations.values("cohort"))
    cohorts = with_survey_figures(surveyed, since=None).order_by("-end_date", "pk")
    context = {
        "school": school,
        "since": since,
        "results": survey_results(recent, with_comments=reads_comments(request.user, school)),
        "page": paginate(request, cohorts),
        "shows_comments": reads_comments(request.user, school),
    }
    return render(request, "surveys/school_results.html", context)


@require_GET
def cohort_results(request, pk):
    cohort = get_object_or_404(_results_cohorts(request.user).select_related("school"), pk=pk)
    team = reads_comments(request.user, cohort.school)
    context = {
        "cohort": cohort,
        "results": survey_results(cohort.survey_invitations.all(), with_comments=team),
        "shows_comments": team,
    }
    return render(request, "surveys/cohort_results.html", context)


@require_http_methods(["GET", "POST"])
def cohort_invitations(request, pk):
    """Who is invited and who answered (never what); the manager launches the invitations."""
    cohort = get_object_or_404(_results_cohorts(request.user).select_related("school"), pk=pk)
    manages = can_manage(request.user, cohort.school)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not manages:
            raise PermissionDenied("Seul·e le ou la responsable de l'école peut lancer une enquête.")
        if form.is_valid():
            audience = form.cleaned_data["audience"]
            try:
                created = services.survey_invite(cohort=cohort, audience=audience, by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if created:
                    sent = sum(bool(i.email) for i in created)
                    messages.success(
                        request,
                        f"{len(created)} invitation{'s' if len(created) > 1 else ''} créée{'s' if len(created) > 1 else ''}, "
                        f"{sent} envoyée{'s' if sent > 1 else ''} par e-mail.",
                    )
                else:
                    messages.info(
                        request, f"Personne de plus à inviter ({Audience(audience).label.lower()})."
                    )
                return redirect("surveys:cohort_invitations", cohort.pk)
    invitations = cohort.survey_invitations.with_list_related_data().order_by("audience", "addressee", "pk")
    context = {
        "cohort": cohort,
        "invitations": invitations,
        "form": form,
        "can_invite": manages,
        "now": timezone.now(),
        "link_days": services.link_validity().days,
    }
    return render(request, "surveys/cohort_invitations.html", context)


@require_GET
def invitation_link(request, pk):
    """The link of one invitation, to copy or to scan from the learner's phone on the last day."""
    invitation = get_object_or_404(
        SurveyInvitation.objects.visible_to(request.user).select_related(
            "cohort", "enrolment__learner", "organisation"
        ),
        pk=pk,
    )
    url = invitation.get_absolute_answer_url()
    context = {
        "invitation": invitation,
        "url": url,
        "qr": segno.make(url, error="m").svg_data_uri(scale=6, border=2),
        "usable": not invitation.is_answered and not invitation.is_expired(),
    }
    return render(request, "surveys/invitation_link.html", context)
