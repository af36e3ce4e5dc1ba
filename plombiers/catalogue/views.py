"""The public catalogue of upcoming sessions (`/formations/`): anybody reads it, without an account;
a prescriber orients a young person from it, a young person applies from it."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from plombiers.accounts.throttle import client_address
from plombiers.forms import add_service_errors
from plombiers.network.models import Commune
from plombiers.referrals.permissions import can_refer
from plombiers.views import paginate, render_list

from . import selectors, services
from .forms import ApplicationForm, CatalogueFilterForm

TOO_FAST = "Le formulaire a été envoyé trop vite : vérifiez vos réponses, puis envoyez-le à nouveau."


@login_not_required
@require_GET
def cohort_list(request):
    """Upcoming sessions, filtered by trade, region, school, or distance from a commune."""
    form = CatalogueFilterForm(request.GET or None)
    cohorts = selectors.catalogue_cohorts()
    near = None
    if form.is_valid():
        data = form.cleaned_data
        if data["metier"]:
            cohorts = cohorts.filter(trade=data["metier"])
        if data["region"]:
            cohorts = cohorts.filter(school__commune__departement__region=data["region"])
        if data["ecole"]:
            cohorts = cohorts.filter(school__slug=data["ecole"])
        if data["commune"]:
            near = selectors.schools_near(data["commune"], data["distance"])
            cohorts = cohorts.filter(school__in=list(near))
    elif form.is_bound:
        cohorts = cohorts.none()
    page = paginate(request, cohorts)
    for cohort in page.object_list:
        cohort.distance_km = near.get(cohort.school_id) if near is not None else None
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {"form": form, "page": page, "filters_query": filters.urlencode()}
    return render_list(
        request, "catalogue/cohort_list.html", "catalogue/includes/cohort_results.html", context
    )


def _orient_url(request, cohort) -> str | None:
    """« Orienter un·e jeune »: the referral form with the school chosen, for those who refer; the
    login page leading there for a visitor; nothing for an account that does not refer."""
    target = f"{reverse('referrals:referral_create')}?{urlencode({'ecole': cohort.school_id})}"
    if not request.user.is_authenticated:
        return f"{reverse('account_login')}?{urlencode({'next': target})}"
    return target if can_refer(request.user) else None


@login_not_required
@require_GET
def cohort_detail(request, pk):
    cohort = get_object_or_404(selectors.catalogue_cohorts(), pk=pk)
    context = {
        "cohort": cohort,
        "school": cohort.school,
        "sessions": selectors.next_information_sessions(cohort.school),
        "orient_url": _orient_url(request, cohort),
    }
    return render(request, "catalogue/cohort_detail.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def apply(request, pk):
    """« Je suis intéressé·e » : a short form that makes a referral of source « candidature directe ».
    A robot meets a hidden field (filled: nothing is written, the same confirmation is shown), a
    minimum fill time, and a limit of applications per address (429)."""
    cohort = get_object_or_404(selectors.catalogue_cohorts().select_related("trade"), pk=pk)
    if request.method != "POST":
        return render(request, "catalogue/apply.html", {"cohort": cohort, "form": ApplicationForm()})
    address = client_address(request)
    if services.application_rate_limited(address=address):
        return render(request, "catalogue/throttled.html", {"cohort": cohort}, status=429)
    form = ApplicationForm(request.POST)
    if form.is_spam():
        services.application_attempt_record(address=address)
        return redirect("catalogue:applied", pk=cohort.pk)
    elapsed = form.seconds_since_shown()
    if form.is_valid():
        if elapsed is None or elapsed < services.MIN_FILL_SECONDS:
            form.add_error(None, TOO_FAST)
        else:
            services.application_attempt_record(address=address)
            data = form.cleaned_data
            try:
                services.self_referral_create(
                    cohort=cohort,
                    learner_data=form.learner_data(),
                    expectations=data["expectations"],
                    contact_consent=data["contact_consent"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("catalogue:applied", pk=cohort.pk)
    return render(request, "catalogue/apply.html", {"cohort": cohort, "form": form}, status=400)


@login_not_required
@require_GET
def applied(request, pk):
    """The confirmation: the same for everybody, whatever happened (nothing personal on it)."""
    cohort = get_object_or_404(selectors.catalogue_cohorts().select_related("trade"), pk=pk)
    sessions = selectors.next_information_sessions(cohort.school)
    return render(request, "catalogue/applied.html", {"cohort": cohort, "sessions": sessions})


@login_not_required
@require_GET
def commune_suggestions(request):
    """The communes matching what is typed (public reference data), for the catalogue's forms."""
    communes = Commune.objects.search(request.GET.get("commune") or request.GET.get("q") or "")
    return render(
        request,
        "network/includes/commune_options.html",
        {"communes": communes.select_related("departement").ranked()[:15]},
    )
