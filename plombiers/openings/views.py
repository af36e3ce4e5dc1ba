from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from plombiers.accounts.permissions import staff_network_ids
from plombiers.forms import add_service_errors
from plombiers.network import services as network_services
from plombiers.network.forms import SchoolForm
from plombiers.network.models import Network, Organisation, School
from plombiers.referrals.services import session_create

from . import permissions, services
from .checklist import progress, school_checklist
from .forms import (
    CalendarTemplateForm,
    CopySettingsForm,
    FirstCohortForm,
    InformationSessionForm,
    PartnersForm,
    PublishForm,
)
from .models import CalendarTemplate


def _school(request, slug) -> School:
    """A school of the user's network, for its staff; 404 for anyone else."""
    school = get_object_or_404(
        School.objects.visible_to(request.user).select_related(
            "trade", "commune", "project_holder", "network"
        ),
        slug=slug,
    )
    if not permissions.opens(request.user, school):
        raise Http404
    return school


def _other_schools(request, school=None):
    schools = School.objects.filter(network__in=staff_network_ids(request.user)).order_by("name")
    return schools.exclude(pk=school.pk) if school else schools


def _run(form, call):
    try:
        return call()
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@require_http_methods(["GET", "POST"])
def school_open(request):
    """Step 1 of « Ouvrir une école »: the school itself, and, if wished, the settings of another."""
    if not permissions.can_open_schools(request.user):
        raise Http404
    network = Network.objects.filter(pk__in=staff_network_ids(request.user)).order_by("pk").first()
    if network is None:
        raise Http404
    form = SchoolForm(request.POST or None, network=network)
    copy = CopySettingsForm(request.POST or None, schools=_other_schools(request), prefix="copie")
    copy.fields["source"].required = False
    if request.method == "POST" and form.is_valid() and copy.is_valid():
        data = form.cleaned_data
        source = copy.cleaned_data["source"]

        def create():
            school = network_services.school_create(
                network=network, by=request.user, slug=form.unique_slug(), **data
            )
            if source is not None:
                services.school_settings_copy(source=source, target=school, by=request.user)
            return school

        school = _run(form, create)
        if school:
            messages.success(request, f"L'école « {school.name} » est créée : voici ce qu'il reste à faire.")
            return redirect("openings:checklist", slug=school.slug)
    return render(
        request,
        "openings/school_open.html",
        {"form": form, "copy": copy},
        status=400 if request.method == "POST" else 200,
    )


def checklist(request, slug):
    school = _school(request, slug)
    steps = school_checklist(school)
    done, total = progress(steps)
    return render(
        request,
        "openings/checklist.html",
        {
            "school": school,
            "steps": steps,
            "done": done,
            "total": total,
        },
    )


def _step_page(request, school, form, title, intro, status=200):
    return render(
        request,
        "openings/step_form.html",
        {"school": school, "form": form, "title": title, "intro": intro},
        status=status,
    )


def _back(request, school, message):
    messages.success(request, message)
    return redirect("openings:checklist", slug=school.slug)


@require_http_methods(["GET", "POST"])
def calendar(request, slug):
    school = _school(request, slug)
    instance = CalendarTemplate.objects.filter(school=school).first()
    form = CalendarTemplateForm(request.POST or None, instance=instance or CalendarTemplate(school=school))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if _run(form, lambda: services.calendar_template_save(school=school, by=request.user, **data)):
            return _back(request, school, "Le calendrier type est enregistré.")
    intro = (
        "La semaine type de chaque promotion : ses jours, ses demi-journées et leurs horaires, sa durée et ses "
        "semaines de stage. Les jours fériés sont exclus quand les demi-journées sont créées."
    )
    return _step_page(request, school, form, "Le calendrier type", intro, 400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def cohort(request, slug):
    school = _school(request, slug)
    form = FirstCohortForm(request.POST or None, initial={"name": f"{school.name} — promotion 1"})
    if request.method == "POST" and form.is_valid():
        created = _run(
            form, lambda: services.first_cohort_create(school=school, by=request.user, **form.cleaned_data)
        )
        if created:
            return _back(
                request, school, f"La promotion « {created.name} » est créée, avec ses demi-journées."
            )
    intro = "Ses dates de fin et ses demi-journées viennent du calendrier type."
    return _step_page(request, school, form, "La première promotion", intro, 400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def information(request, slug):
    school = _school(request, slug)
    form = InformationSessionForm(request.POST or None, initial={"place": school.address})
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, lambda: session_create(school=school, by=request.user, **form.cleaned_data))
    ):
        return _back(request, school, "L'information collective est programmée.")
    intro = "Une présentation de l'école aux candidat·es, avant l'admission."
    return _step_page(request, school, form, "Une information collective", intro, 400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def partners(request, slug):
    school = _school(request, slug)
    form = PartnersForm(
        request.POST or None, school=school, organisations=Organisation.objects.visible_to(request.user)
    )
    if request.method == "POST" and form.is_valid():
        added = _run(
            form,
            lambda: services.partners_add(
                school=school, by=request.user, organisations=list(form.cleaned_data["organisations"])
            ),
        )
        if added:
            return _back(request, school, f"{added} partenaire(s) ajouté(s) à l'école.")
    intro = "Entreprises, structures prescriptrices, financeurs et OPCO de l'annuaire du réseau."
    return _step_page(request, school, form, "Les partenaires", intro, 400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def publish(request, slug):
    school = _school(request, slug)
    form = PublishForm(request.POST or None, initial={"opened_on": school.opened_on or timezone.localdate()})
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, lambda: services.school_publish(school=school, by=request.user, **form.cleaned_data))
    ):
        return _back(
            request, school, "L'école est ouverte : elle paraît au catalogue public et dans l'offre LHEO."
        )
    intro = (
        "Une école ouverte paraît au catalogue public (ses promotions à venir, ses informations collectives) et "
        "dans l'offre de formation LHEO transmise au Carif-Oref, dès que son porteur de projet a un SIRET et un "
        "numéro de déclaration d'activité."
    )
    return _step_page(request, school, form, "Ouvrir l'école au public", intro, 400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def copy_settings(request, slug):
    school = _school(request, slug)
    form = CopySettingsForm(request.POST or None, schools=_other_schools(request, school))
    if request.method == "POST" and form.is_valid():
        copied = _run(
            form,
            lambda: services.school_settings_copy(
                source=form.cleaned_data["source"], target=school, by=request.user
            ),
        )
        if copied is not None:
            return _back(
                request,
                school,
                f"Réglages copiés : calendrier type {'oui' if copied['calendrier'] else 'non (absent)'}, "
                f"{copied['partenaires']} partenaire(s), {copied['textes']} texte(s).",
            )
    intro = (
        "Le calendrier type, les partenaires et la description du plateau technique d'une école du réseau."
    )
    return _step_page(
        request, school, form, "Copier les réglages d'une école", intro, 400 if form.errors else 200
    )
