"""Drop-out alerts: the list with the rules explained, one alert, its acknowledgement, the menu count."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from plombiers.accounts.permissions import works_for_schools
from plombiers.cohorts.enums import CohortStatus
from plombiers.cohorts.models import Cohort
from plombiers.forms import add_service_errors
from plombiers.views import paginate, render_list

from . import rules, services
from .forms import AcknowledgeForm, AlertFilterForm
from .models import Alert

ACKNOWLEDGEMENT = "alerts/includes/acknowledgement.html"


def _check_team(user) -> None:
    """Alerts are the school team's and the network staff's: anybody else finds no such page."""
    if not works_for_schools(user):
        raise Http404


def _alert(request, pk) -> Alert:
    return get_object_or_404(Alert.objects.visible_to(request.user).with_list_related_data(), pk=pk)


def alert_list(request):
    _check_team(request.user)
    alerts = Alert.objects.visible_to(request.user)
    cohorts = (
        Cohort.objects.filter(pk__in=alerts.values("enrolment__cohort"))
        .exclude(status=CohortStatus.FINISHED)
        .select_related("school")
        .order_by("name", "pk")
    )
    form = AlertFilterForm(request.GET or None, cohorts=cohorts)
    context = {
        "form": form,
        "page": paginate(request, form.filter(alerts).with_list_related_data().open_first()),
        "rules": rules.rule_descriptions(),
    }
    return render_list(request, "alerts/alert_list.html", "alerts/includes/alert_table.html", context)


def alert_detail(request, pk):
    alert = _alert(request, pk)
    return _render_detail(request, alert, AcknowledgeForm())


def _render_detail(request, alert: Alert, form, status: int = 200):
    params = rules.rule_settings()[alert.rule]
    context = {"alert": alert, "form": form, "rule_text": rules.describe(alert.rule, params)}
    return render(request, "alerts/alert_detail.html", context, status=status)


@require_POST
def alert_acknowledge(request, pk):
    alert = _alert(request, pk)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            alert = services.alert_acknowledge(alert=alert, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = "Alerte prise en compte."
            if request.htmx:
                response = render(request, ACKNOWLEDGEMENT, {"alert": alert, "message": message})
                response["HX-Trigger"] = "alerts-changed"  # the count in the menu follows
                return response
            messages.success(request, message)
            return redirect(alert)
    if request.htmx:
        return render(request, ACKNOWLEDGEMENT, {"alert": alert, "form": form})
    return _render_detail(request, alert, form, status=400)


@require_GET
def alert_badge(request):
    """The number of open alerts beside « Alertes » in the menu, fetched by htmx once the page is
    shown: the pages themselves spend no query on it."""
    _check_team(request.user)
    count = Alert.objects.visible_to(request.user).open().count()
    return render(request, "alerts/includes/badge.html", {"count": count})
