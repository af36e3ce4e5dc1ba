"""Offers of partner companies, the applications of young people, and the relationship page of a
partner company with its sites and tutors."""

import datetime as dt
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from plombiers.accounts.enums import Role
from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment
from plombiers.forms import add_service_errors
from plombiers.lib.text import de
from plombiers.network.models import Contact, School
from plombiers.views import paginate, render_list

from .. import permissions, services
from ..companies import (
    company_relationship,
    company_site_save,
    partner_companies,
    team_schools,
    tutor_save,
    tutors_visible_to,
)
from ..enums import APPLICATION_TRANSITIONS, ApplicationStatus, OfferStatus
from ..forms.offers import (
    ApplicationCreateForm,
    ApplicationFilterForm,
    ApplicationTransitionForm,
    CompanySiteForm,
    OfferFilterForm,
    OfferForm,
    OfferStatusForm,
    TutorForm,
)
from ..models import Application, CompanySite, Offer

# How long after their cohort a young person may still be proposed for an offer.
PROPOSABLE_DAYS = 365


def _require_team(user) -> None:
    """Offers and partner companies are the schools' business: anybody else finds nothing."""
    if not permissions.reads_offers(user):
        raise Http404


def _save(form, save):
    """Run a service; a rule it enforces becomes a form error, never a 500."""
    try:
        return save()
    except ValidationError as error:
        add_service_errors(form, error)
        return None


# --- offers ----------------------------------------------------------------------------------------


def offer_list(request):
    user = request.user
    _require_team(user)
    data = request.GET.copy()
    data.setdefault("status", OfferStatus.OPEN)
    form = OfferFilterForm(data, companies=partner_companies(user))
    offers = (
        form.filter(Offer.objects.visible_to(user))
        .select_related("company", "site", "commune")
        .order_by("-created_at", "-pk")
    )
    data.pop("page", None)
    context = {"form": form, "page": paginate(request, offers), "query": data.urlencode()}
    return render_list(
        request, "internships/offers/offer_list.html", "internships/offers/includes/offer_table.html", context
    )


def _offer_form(request, instance=None, initial=None):
    user = request.user
    return OfferForm(
        request.POST or None,
        instance=instance,
        initial=initial,
        companies=partner_companies(user),
        sites=CompanySite.objects.visible_to(user),
    )


def offer_create(request):
    user = request.user
    _require_team(user)
    initial = {}
    if company_id := request.GET.get("entreprise"):
        company = get_object_or_404(partner_companies(user), pk=company_id if company_id.isdigit() else 0)
        initial = {"company": company, "commune": company.commune}
    form = _offer_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        offer = form.save(commit=False)
        saved = _save(
            form,
            lambda: services.offer_save(
                by=user, offer=offer, required_skills=form.cleaned_data["required_skills"]
            ),
        )
        if saved:
            messages.success(request, f"L'offre « {saved.title} » a été publiée.")
            return redirect(saved)
    return render(request, "internships/offers/offer_form.html", {"form": form, "offer": None})


def _visible_offer(request, pk):
    _require_team(request.user)
    return get_object_or_404(
        Offer.objects.visible_to(request.user).select_related("company", "site__commune", "commune"), pk=pk
    )


def offer_edit(request, pk):
    offer = _visible_offer(request, pk)
    if not permissions.can_manage_offers(request.user, offer.company):
        raise PermissionDenied
    form = _offer_form(request, instance=offer)
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        if _save(
            form,
            lambda: services.offer_save(
                by=request.user, offer=changed, required_skills=form.cleaned_data["required_skills"]
            ),
        ):
            messages.success(request, "Les modifications de l'offre ont été enregistrées.")
            return redirect(offer)
    return render(request, "internships/offers/offer_form.html", {"form": form, "offer": offer})


@require_POST
def offer_status(request, pk):
    offer = _visible_offer(request, pk)
    if not permissions.can_manage_offers(request.user, offer.company):
        raise PermissionDenied
    form = OfferStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Statut inconnu : rien n'a été modifié.")
        return redirect(offer)
    offer.status = form.cleaned_data["status"]
    try:
        services.offer_save(by=request.user, offer=offer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"L'offre est maintenant « {offer.get_status_display()} ».")
    return redirect(offer)


def _managed_partner_schools(user, offer) -> list[int]:
    """The company's partner schools where the user proposes young people (one query)."""
    return [
        school.pk
        for school in School.objects.filter(partnerships__organisation=offer.company_id)
        if permissions.can_manage_internships(user, school)
    ]


def _proposable_enrolments(managed: list[int], offer):
    """Young people of these schools, in training or out of their cohort for less than a year,
    not yet proposed for this offer."""
    since = timezone.localdate() - dt.timedelta(days=PROPOSABLE_DAYS)
    return (
        Enrolment.objects.filter(
            cohort__school__in=managed,
            status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED],
            cohort__end_date__gte=since,
        )
        .exclude(applications__offer=offer)
        .select_related("learner", "cohort")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )


def _render_offer(request, offer, *, propose_form=None, failed=None, status=200):
    """The offer and its applications; `failed` is a transition form to show with its errors."""
    user = request.user
    applications = (
        Application.objects.visible_to(user)
        .filter(offer=offer)
        .select_related("enrolment__learner", "enrolment__cohort__school", "proposed_by")
        .order_by("-created_at", "-pk")
    )
    rows = []
    for application in applications:
        can_act = permissions.can_manage_internships(user, application.enrolment.cohort.school)
        moves = APPLICATION_TRANSITIONS[application.status] if can_act else set()
        mine = failed if failed is not None and failed.prefix == f"c{application.pk}" else None
        form = None
        if moves:
            form = mine or ApplicationTransitionForm(prefix=f"c{application.pk}")
            form.fields["status"].choices = [(s.value, s.label) for s in ApplicationStatus if s in moves]
        # A refused move of a final application: its errors, without a form.
        rows.append(
            SimpleNamespace(application=application, form=form, failed=mine if form is None else None)
        )
    can_manage = permissions.can_manage_offers(user, offer.company)
    managed = _managed_partner_schools(user, offer) if offer.status == OfferStatus.OPEN else []
    if propose_form is None and managed:
        propose_form = ApplicationCreateForm(enrolments=_proposable_enrolments(managed, offer))
    skills = offer.required_skills.select_related("block").order_by("block__position", "position", "pk")
    context = {
        "offer": offer,
        "skills_by_block": _by_block(skills),
        "rows": rows,
        "can_manage": can_manage,
        "status_choices": [(s.value, s.label) for s in OfferStatus if s != offer.status],
        "propose_form": propose_form,
        "matches_url": reverse("internships:offer_learners", args=[offer.pk]),
    }
    return render(request, "internships/offers/offer_detail.html", context, status=status)


def _by_block(skills):
    groups: dict = {}
    for skill in skills:
        groups.setdefault(skill.block.title, []).append(skill)
    return groups


def offer_detail(request, pk):
    return _render_offer(request, _visible_offer(request, pk))


@require_POST
def application_create(request, pk):
    offer = _visible_offer(request, pk)
    managed = _managed_partner_schools(request.user, offer)
    if not managed:
        raise PermissionDenied
    form = ApplicationCreateForm(request.POST, enrolments=_proposable_enrolments(managed, offer))
    if form.is_valid():
        data = form.cleaned_data
        application = _save(
            form,
            lambda: services.application_create(
                offer=offer,
                enrolment=data["enrolment"],
                by=request.user,
                note=data["note"],
                shared_note=data["shared_note"],
            ),
        )
        if application:
            messages.success(request, f"{data['enrolment'].learner} est proposé·e pour cette offre.")
            return redirect(offer)
    return _render_offer(request, offer, propose_form=form, status=400)


@require_POST
def application_transition(request, pk):
    user = request.user
    application = get_object_or_404(
        Application.objects.visible_to(user).select_related("enrolment__cohort__school", "offer"), pk=pk
    )
    if not permissions.can_manage_internships(user, application.enrolment.cohort.school):
        raise PermissionDenied
    offer = _visible_offer(request, application.offer_id)
    form = ApplicationTransitionForm(request.POST, prefix=f"c{application.pk}")
    if form.is_valid():
        data = form.cleaned_data
        done = _save(
            form,
            lambda: services.application_transition(
                application=application,
                to=data["status"],
                by=user,
                note=data["note"],
                shared_note=data["shared_note"],
                hired_on=data["hired_on"],
            ),
        )
        if done:
            messages.success(
                request, f"Candidature {de(done.enrolment.learner)} : « {done.get_status_display()} »."
            )
            return redirect(f"{offer.get_absolute_url()}#candidature-{done.pk}")
    return _render_offer(request, offer, failed=form, status=400)


def application_list(request):
    """The school team's applications, filtered; a young person's own, read-only."""
    user = request.user
    if permissions.reads_offers(user):
        applications = Application.objects.visible_to(user)
        form = ApplicationFilterForm(
            request.GET or None,
            offers=Offer.objects.filter(pk__in=applications.values("offer"))
            .select_related("company")
            .order_by("title", "pk"),
            cohorts=Cohort.objects.filter(pk__in=applications.values("enrolment__cohort"))
            .select_related("school")
            .order_by("-start_date", "pk"),
        )
        applications = form.filter(applications)
    elif user.has_role(Role.LEARNER):
        applications, form = Application.objects.filter(enrolment__learner__user=user), None
    else:
        raise Http404
    applications = applications.select_related(
        "offer__company", "enrolment__learner", "enrolment__cohort"
    ).order_by("-updated_at", "-pk")
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": paginate(request, applications), "query": query.urlencode()}
    return render_list(
        request,
        "internships/offers/application_list.html",
        "internships/offers/includes/application_table.html",
        context,
    )


# --- the partner company ---------------------------------------------------------------------------


def _company(request, pk):
    _require_team(request.user)
    return get_object_or_404(partner_companies(request.user).select_related("commune"), pk=pk)


def company_detail(request, pk):
    company = _company(request, pk)
    user = request.user
    context = {
        "company": company,
        "schools": School.objects.filter(partnerships__organisation=company)
        .filter(pk__in=team_schools(user).values("pk"))
        .order_by("name"),
        "can_manage": permissions.can_manage_offers(user, company),
        **company_relationship(company=company, user=user),
    }
    return render(request, "internships/offers/company_detail.html", context)


def _site_form(request, company, site):
    if not permissions.can_manage_offers(request.user, company):
        raise PermissionDenied
    form = CompanySiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        site = form.save(commit=False)
        site.company = company
        if _save(form, lambda: company_site_save(site=site, by=request.user)):
            messages.success(request, f"Le site « {site.name} » est enregistré.")
            return redirect("internships:company_detail", company.pk)
    context = {"form": form, "company": company, "site": site if site.pk else None}
    return render(request, "internships/offers/site_form.html", context)


def site_create(request, pk):
    company = _company(request, pk)
    return _site_form(request, company, CompanySite(company=company))


def site_edit(request, pk):
    _require_team(request.user)
    site = get_object_or_404(CompanySite.objects.visible_to(request.user).select_related("company"), pk=pk)
    return _site_form(request, site.company, site)


def _tutor_form(request, company, contact):
    if not permissions.can_manage_offers(request.user, company):
        raise PermissionDenied
    form = TutorForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        contact.organisation = company
        if _save(form, lambda: tutor_save(contact=contact, by=request.user)):
            messages.success(request, f"{contact.full_name} est enregistré·e comme tuteur·rice.")
            return redirect("internships:company_detail", company.pk)
    context = {"form": form, "company": company, "tutor": contact if contact.pk else None}
    return render(request, "internships/offers/tutor_form.html", context)


def tutor_create(request, pk):
    company = _company(request, pk)
    return _tutor_form(request, company, Contact(organisation=company))


def tutor_edit(request, pk):
    _require_team(request.user)
    contact = get_object_or_404(tutors_visible_to(request.user).select_related("organisation"), pk=pk)
    return _tutor_form(request, contact.organisation, contact)
