from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from plombiers.accounts.enums import SCHOOL_ROLES, Role
from plombiers.accounts.models import Membership
from plombiers.forms import add_service_errors
from plombiers.views import paginate, render_list

from . import permissions, services
from .enums import OrganisationKind
from .forms import OrganisationFilterForm, OrganisationForm, SchoolFilterForm, SchoolForm
from .models import Commune, Network, Organisation, School


def school_list(request):
    form = SchoolFilterForm(request.GET or None)
    schools = form.filter(School.objects.visible_to(request.user)).with_list_related_data().order_by("name")
    context = {
        "form": form,
        "page": paginate(request, schools),
        "can_create": permissions.can_create_school(request.user),
    }
    return render_list(request, "network/school_list.html", "network/includes/school_table.html", context)


def school_detail(request, slug):
    school = get_object_or_404(
        School.objects.visible_to(request.user).select_related(
            "trade", "commune__departement__region", "project_holder", "network"
        ),
        slug=slug,
    )
    partners = (
        Organisation.objects.visible_to(request.user)
        .filter(partnerships__school=school)
        .select_related("commune")
        .order_by("kind", "name")
    )
    staff = (
        Membership.objects.visible_to(request.user)
        .filter(school=school, role__in=SCHOOL_ROLES)
        .select_related("user")
        .order_by("role", "user__last_name")
    )
    manages = permissions.manages_school(request.user, school)
    context = {
        "school": school,
        "partners_by_kind": _group_by_kind(partners),
        "staff": staff,
        "can_edit": School.objects.editable_by(request.user).filter(pk=school.pk).exists(),
        "can_add_partner": manages,
        "shows_cohorts": manages or school.pk in request.user.school_ids(),
    }
    return render(request, "network/school_detail.html", context)


def _group_by_kind(organisations):
    labels = dict(OrganisationKind.choices)
    groups: dict[str, list] = {}
    for organisation in organisations:
        groups.setdefault(labels[organisation.kind], []).append(organisation)
    return groups


def _network_of(user) -> Network:
    network = next((m.network for m in user.membership_list if m.role == Role.NETWORK_STAFF), None)
    network = network or next((m.school.network for m in user.membership_list if m.school_id), None)
    network = network or next(
        (m.organisation.network for m in user.membership_list if m.organisation_id), None
    )
    if network is None and user.is_superuser:
        network = Network.objects.first()
    if network is None:
        raise PermissionDenied
    return network


def _save_or_report(request, form, save):
    """Run a service; a model rule it enforces becomes a form error, never a 500."""
    try:
        return save()
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def school_create(request):
    if not permissions.can_create_school(request.user):
        raise PermissionDenied
    network = _network_of(request.user)
    form = SchoolForm(request.POST or None, network=network)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        school = _save_or_report(
            request,
            form,
            lambda: services.school_create(network=network, by=request.user, slug=form.unique_slug(), **data),
        )
        if school:
            messages.success(request, f"L'école « {school.name} » a été créée.")
            return redirect(school)
    return render(request, "network/school_form.html", {"form": form, "school": None})


def school_edit(request, slug):
    school = get_object_or_404(School.objects.editable_by(request.user), slug=slug)
    form = SchoolForm(request.POST or None, instance=school, network=school.network)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        if _save_or_report(
            request, form, lambda: services.school_update(school=school, by=request.user, data=data)
        ):
            messages.success(request, "Les modifications ont été enregistrées.")
            return redirect(school)
    return render(request, "network/school_form.html", {"form": form, "school": school})


def organisation_list(request):
    form = OrganisationFilterForm(request.GET or None)
    organisations = form.filter(Organisation.objects.visible_to(request.user)).with_list_related_data()
    context = {
        "form": form,
        "page": paginate(request, organisations.order_by("name")),
        "can_create": permissions.organisation_school_ids(request.user) is not None,
    }
    return render_list(
        request, "network/organisation_list.html", "network/includes/organisation_table.html", context
    )


def organisation_detail(request, pk):
    organisation = get_object_or_404(
        Organisation.objects.visible_to(request.user).select_related("commune__departement", "network"), pk=pk
    )
    context = {
        "organisation": organisation,
        "schools": School.objects.visible_to(request.user)
        .filter(Q(partnerships__organisation=organisation) | Q(project_holder=organisation))
        .distinct()
        .select_related("trade", "commune"),
        "contacts": organisation.contacts.all(),
        "can_edit": Organisation.objects.editable_by(request.user).filter(pk=organisation.pk).exists(),
    }
    return render(request, "network/organisation_detail.html", context)


def organisation_create(request):
    allowed = permissions.organisation_school_ids(request.user)
    if allowed is None:
        raise PermissionDenied
    network = _network_of(request.user)
    partner_of = None
    if school_slug := request.GET.get("ecole") or request.POST.get("ecole"):
        partner_of = get_object_or_404(School.objects.editable_by(request.user), slug=school_slug)
    elif allowed:
        partner_of = School.objects.filter(pk__in=allowed).order_by("name").first()
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = _save_or_report(
            request,
            form,
            lambda: services.organisation_create(
                network=network, by=request.user, partner_of=partner_of, **form.cleaned_data
            ),
        )
        if organisation:
            messages.success(request, f"L'organisation « {organisation.name} » a été créée.")
            return redirect(organisation)
    return render(
        request,
        "network/organisation_form.html",
        {"form": form, "organisation": None, "partner_of": partner_of},
    )


def organisation_edit(request, pk):
    organisation = get_object_or_404(Organisation.objects.editable_by(request.user), pk=pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        if _save_or_report(
            request,
            form,
            lambda: services.organisation_update(organisation=organisation, by=request.user, data=data),
        ):
            messages.success(request, "Les modifications ont été enregistrées.")
            return redirect(organisation)
    return render(request, "network/organisation_form.html", {"form": form, "organisation": organisation})


@require_GET
def commune_suggestions(request):
    communes = Commune.objects.search(request.GET.get("commune") or request.GET.get("q") or "")
    return render(
        request,
        "network/includes/commune_options.html",
        {"communes": communes.select_related("departement").ranked()[:15]},
    )
