"""The funding pages. Network staff see and manage their network's; a school's manager their
school's; a funder user only their own space (their grants and the aggregated figures of the schools
they fund). Trainers, social workers, prescribers, learners and tutors get a 404 on every one of
them: budgets hold salaries, and none of it is theirs to act on."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plombiers.accounts.enums import Role
from plombiers.cohorts.models import Cohort
from plombiers.documents.downloads import download_response
from plombiers.forms import add_service_errors
from plombiers.lib import secrecy
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Network, Organisation, School
from plombiers.privacy.services import audit_log
from plombiers.views import paginate

from . import permissions, selectors, services
from .bpf import bpf_xlsx
from .enums import COMMITTED, BudgetCategory, GrantStatus, InvoiceStatus
from .forms import (
    AgreementForm,
    BudgetCreateForm,
    BudgetImportForm,
    BudgetLinesForm,
    DecisionForm,
    GrantEditForm,
    GrantForm,
    InvoiceForm,
    InvoiceTransitionForm,
    OpcoFundingForm,
    PaymentForm,
    ReportForm,
)
from .models import Budget, Grant, GrantReport, OpcoFunding, OpcoInvoice, funder_organisations


def _year(request, default=None) -> int:
    value = (request.GET.get("annee") or "").strip()
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return default or timezone.localdate().year


def _check_team(user) -> None:
    """Network staff and school managers; everybody else sees no funding page."""
    if not permissions.reads_funding(user):
        raise Http404


def _managed_school(request, slug) -> School:
    school = get_object_or_404(School.objects.visible_to(request.user).select_related("network"), slug=slug)
    if not permissions.can_manage_school(request.user, school):
        raise Http404
    return school


# --- overview -------------------------------------------------------------------------------------


@require_GET
def overview(request):
    """The funding of the network: by funder, by school, by year (requested, granted, paid)."""
    user = request.user
    if permissions.is_funder_only(user):
        return redirect("funding:funder_space")
    _check_team(user)
    grants = Grant.objects.visible_to(user)
    year = request.GET.get("annee")
    by_year = selectors.grant_totals(grants, "period_start__year")
    if year and year.isdigit():
        grants = grants.filter(period_start__year=int(year))
    by_funder = selectors.grant_totals(grants, "funder")
    by_school = selectors.grant_totals(grants, "school")
    funders = Organisation.objects.in_bulk([row["key"] for row in by_funder])
    schools = School.objects.in_bulk([row["key"] for row in by_school if row["key"]])
    for row in by_funder:
        row["funder"] = funders[row["key"]]
    for row in by_school:
        row["school"] = schools.get(row["key"])
    by_funder.sort(key=lambda row: (-row["granted"], row["funder"].name))
    by_school.sort(key=lambda row: (row["school"] is None, row["school"].name if row["school"] else ""))
    context = {
        "by_funder": paginate(request, by_funder),
        "by_school": by_school,
        "by_year": by_year,
        "year": year if year and year.isdigit() else "",
        "can_create": True,
        "query": f"annee={year}" if year and year.isdigit() else "",
    }
    return render(request, "funding/overview.html", context)


# --- a school --------------------------------------------------------------------------------------


@require_GET
def school_funding(request, slug):
    school = _managed_school(request, slug)
    year = _year(request)
    grants = Grant.objects.filter(school=school).with_list_related_data().order_by("-period_start", "pk")
    fundings = (
        OpcoFunding.objects.filter(cohort__school=school)
        .with_list_related_data()
        .with_attended_minutes()
        .order_by("-cohort__start_date", "pk")
    )
    page = paginate(request, fundings)
    for funding in page:
        funding.claim = services.claim(funding, funding.attended_minutes)
    costs = selectors.costs_by_school([school.pk], year)[school.pk]
    context = {
        "school": school,
        "grants": paginate(request, grants),
        "fundings": page,
        "budgets": list(Budget.objects.filter(school=school).select_related("school").order_by("-year")[:10]),
        "costs": costs,
        "shares": selectors.funding_share([school.pk], year),
        "year": year,
        "budget_form": BudgetCreateForm(initial={"year": year}),
    }
    return render(request, "funding/school_funding.html", context)


# --- grants ----------------------------------------------------------------------------------------


def _grant_form(request, data=None):
    user = request.user
    schools = School.objects.editable_by(user).order_by("name")
    networks = Network.objects.filter(memberships__user=user, memberships__role=Role.NETWORK_STAFF)
    funders = (
        Organisation.objects.filter(kind=OrganisationKind.FUNDER)
        .filter(Q(network__in=schools.order_by().values("network")) | Q(network__in=networks.values("pk")))
        .order_by("name")
    )
    initial = {}
    if request.GET.get("ecole"):
        initial["school"] = schools.filter(slug=request.GET["ecole"]).first()
    return GrantForm(
        data, initial=initial, funders=funders, schools=schools, network_allowed=networks.exists()
    )


@require_http_methods(["GET", "POST"])
def grant_create(request):
    _check_team(request.user)
    form = _grant_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        network = data["school"].network if data["school"] else data["funder"].network
        try:
            grant = services.grant_create(by=request.user, network=network, **data)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "La demande de financement est enregistrée (sollicitée).")
            return redirect(grant)
    return render(request, "funding/grant_form.html", {"form": form})


def _grant(request, pk) -> Grant:
    return get_object_or_404(Grant.objects.visible_to(request.user).with_list_related_data(), pk=pk)


def _grant_page(request, grant, **forms):
    can_manage = permissions.can_manage_grant(request.user, grant)
    context = {
        "grant": grant,
        "payments": list(grant.payments.order_by("paid_on", "pk")),
        "reports": list(grant.reports.order_by("due_on", "pk")),
        "can_manage": can_manage,
        "today": timezone.localdate(),
    }
    if can_manage:
        context.update(
            decision_form=forms.get("decision_form")
            or DecisionForm(initial={"decided_on": timezone.localdate()}),
            payment_form=forms.get("payment_form") or PaymentForm(initial={"paid_on": timezone.localdate()}),
            report_form=forms.get("report_form") or ReportForm(),
            agreement_form=forms.get("agreement_form") or AgreementForm(),
        )
    return render(request, "funding/grant_detail.html", context, status=400 if forms else 200)


@require_GET
def grant_detail(request, pk):
    return _grant_page(request, _grant(request, pk))


def _managed_grant(request, pk) -> Grant:
    grant = _grant(request, pk)
    if not permissions.can_manage_grant(request.user, grant):
        raise PermissionDenied("Seuls la tête de réseau et la direction de l'école gèrent les financements.")
    return grant


def _grant_form_post(request, pk, form_class, service, form_name: str, done: str):
    """One of the grant page's forms posted: the service called with its cleaned data, or the
    page again with the form's errors."""
    grant = _managed_grant(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(grant=grant, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(grant)
    return _grant_page(request, grant, **{form_name: form})


@require_http_methods(["GET", "POST"])
def grant_edit(request, pk):
    grant = _managed_grant(request, pk)
    initial = {
        name: getattr(grant, name)
        for name in ("amount_requested", "period_start", "period_end", "reference", "conditions")
    }
    form = GrantEditForm(
        request.POST or None, initial=initial, terms_editable=grant.status == GrantStatus.REQUESTED
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items() if name in form.changed_data}
        try:
            services.grant_update(grant=grant, by=request.user, **changes)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "La subvention est modifiée." if changes else "Rien n'a changé.")
            return redirect(grant)
    status = 400 if request.method == "POST" else 200
    return render(request, "funding/grant_edit.html", {"grant": grant, "form": form}, status=status)


@require_POST
def grant_decide(request, pk):
    return _grant_form_post(
        request,
        pk,
        DecisionForm,
        services.grant_decide,
        "decision_form",
        "La décision du financeur est enregistrée.",
    )


@require_POST
def payment_create(request, pk):
    return _grant_form_post(
        request,
        pk,
        PaymentForm,
        services.grant_payment_record,
        "payment_form",
        "Le versement est enregistré.",
    )


@require_POST
def report_create(request, pk):
    return _grant_form_post(
        request,
        pk,
        ReportForm,
        services.grant_report_add,
        "report_form",
        "Le compte rendu attendu est ajouté : un rappel partira avant l'échéance.",
    )


@require_POST
def report_done(request, pk):
    report = get_object_or_404(
        GrantReport.objects.filter(grant__in=Grant.objects.visible_to(request.user)), pk=pk
    )
    grant = _managed_grant(request, report.grant_id)
    try:
        services.grant_report_done(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"« {report.title} » est marqué remis.")
    return redirect(grant)


@require_POST
def agreement_upload(request, pk):
    grant = _managed_grant(request, pk)
    form = AgreementForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.grant_agreement_attach(
                grant=grant, by=request.user, upload=form.cleaned_data["agreement"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "La convention signée est déposée.")
            return redirect(grant)
    return _grant_page(request, grant, agreement_form=form)


@require_GET
def agreement_download(request, pk):
    """The signed agreement: whoever sees the grant (staff, the school's manager, the funder),
    streamed after the check, as a download, never from a public URL."""
    grant = _grant(request, pk)
    if not grant.agreement:
        raise Http404
    try:
        with grant.agreement.open("rb") as handle:  # 10 MB at most: read at once, closed at once
            content = handle.read()
    except FileNotFoundError as error:
        raise Http404 from error
    audit_log(actor=request.user, action="grant.agreement_download", obj=grant, school=grant.school)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="convention-financement-{grant.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- OPCO --------------------------------------------------------------------------------------------


def _managed_cohort(request, pk) -> Cohort:
    cohort = get_object_or_404(
        Cohort.objects.visible_to(request.user).select_related("school__network"), pk=pk
    )
    if not permissions.can_manage_school(request.user, cohort.school):
        raise Http404
    return cohort


def _cohort_page(request, cohort, funding_form=None, invoice_form=None, status=200):
    funding = OpcoFunding.objects.filter(cohort=cohort).select_related("opco").with_attended_minutes().first()
    invoices = []
    claim = None
    if funding is not None:
        claim = services.claim(funding, funding.attended_minutes)
        invoices = list(funding.invoices.order_by("period_start", "pk"))
    context = {
        "cohort": cohort,
        "funding": funding,
        "claim": claim,
        "invoices": invoices,
        "funding_form": funding_form
        or (OpcoFundingForm(network=cohort.school.network) if funding is None else None),
        "invoice_form": invoice_form or InvoiceForm(),
        "transition_form": InvoiceTransitionForm(initial={"on": timezone.localdate()}),
        "statuses": InvoiceStatus,
    }
    return render(request, "funding/cohort_opco.html", context, status=status)


@require_GET
def cohort_opco(request, pk):
    return _cohort_page(request, _managed_cohort(request, pk))


@require_POST
def opco_funding_create(request, pk):
    cohort = _managed_cohort(request, pk)
    form = OpcoFundingForm(request.POST, network=cohort.school.network)
    if form.is_valid():
        try:
            services.opco_funding_create(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Le financement OPCO de la promotion est enregistré.")
            return redirect("funding:cohort_opco", pk=cohort.pk)
    return _cohort_page(request, cohort, funding_form=form, status=400)


@require_GET
def invoices_to_issue(request):
    """The OPCO invoices prepared and not yet issued, each a link to its cohort's OPCO page where it
    is issued (the director's home counts them)."""
    _check_team(request.user)
    page = paginate(request, selectors.invoices_to_issue(request.user))
    return render(request, "funding/invoices_to_issue.html", {"page": page, "query": ""})


@require_POST
def invoice_create(request, pk):
    cohort = _managed_cohort(request, pk)
    funding = get_object_or_404(OpcoFunding, cohort=cohort)
    form = InvoiceForm(request.POST)
    if form.is_valid():
        try:
            services.opco_invoice_create(funding=funding, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "La facture est prête à émettre, avec ses justificatifs.")
            return redirect("funding:cohort_opco", pk=cohort.pk)
    return _cohort_page(request, cohort, invoice_form=form, status=400)


def _invoice(request, pk) -> OpcoInvoice:
    invoice = get_object_or_404(
        OpcoInvoice.objects.filter(funding__in=OpcoFunding.objects.visible_to(request.user)).select_related(
            "funding__cohort__school"
        ),
        pk=pk,
    )
    return invoice


@require_POST
def invoice_transition(request, pk):
    invoice = _invoice(request, pk)
    form = InvoiceTransitionForm(request.POST)
    if form.is_valid():
        try:
            services.opco_invoice_transition(invoice=invoice, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "L'état de la facture est enregistré.")
    else:
        messages.error(request, "Choisissez un état de facture valide.")
    return redirect("funding:cohort_opco", pk=invoice.funding.cohort_id)


@require_GET
def invoice_bundle(request, pk):
    invoice = _invoice(request, pk)
    name, content = services.invoice_bundle(invoice)
    audit_log(
        actor=request.user,
        action="documents.download",
        obj=invoice.funding.cohort,
        school=invoice.funding.cohort.school,
        details={"kind": "justificatifs-opco", "invoice": invoice.pk},
    )
    return download_response(name, content)


# --- budgets ------------------------------------------------------------------------------------------


@require_POST
def budget_create(request, slug):
    school = _managed_school(request, slug)
    form = BudgetCreateForm(request.POST)
    if form.is_valid():
        try:
            budget = services.budget_create(school=school, year=form.cleaned_data["year"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Le budget {budget.year} est créé.")
            return redirect(budget)
    else:
        messages.error(request, "Indiquez une année entre 2000 et 2100.")
    return redirect("funding:school_funding", slug=school.slug)


def _budget_page(request, budget, lines_form=None, import_form=None, status=200):
    lines = sorted(budget.lines.all(), key=lambda line: BudgetCategory.values.index(line.category))
    actuals = [line.actual for line in lines if line.actual is not None]
    planned_total = sum((line.planned for line in lines), services.ZERO)
    actual_total = sum(actuals, services.ZERO) if actuals else None
    context = {
        "school": budget.school,
        "budget": budget,
        "lines": lines,
        "planned_total": planned_total,
        "actual_total": actual_total,
        "variance_total": None if actual_total is None else actual_total - planned_total,
        "lines_form": lines_form or BudgetLinesForm(budget=budget),
        "import_form": import_form or BudgetImportForm(),
    }
    return render(request, "funding/budget.html", context, status=status)


def _budget(request, slug, year) -> Budget:
    school = _managed_school(request, slug)
    return get_object_or_404(
        Budget.objects.select_related("school").prefetch_related("lines"), school=school, year=year
    )


@require_http_methods(["GET", "POST"])
def budget_detail(request, slug, year):
    budget = _budget(request, slug, year)
    if request.method == "POST":
        form = BudgetLinesForm(request.POST, budget=budget)
        if form.is_valid():
            try:
                services.budget_lines_update(budget=budget, by=request.user, values=form.values())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Le budget est enregistré.")
                return redirect(budget)
        return _budget_page(request, budget, lines_form=form, status=400)
    return _budget_page(request, budget)


@require_POST
def budget_import(request, slug, year):
    budget = _budget(request, slug, year)
    form = BudgetImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = services.budget_import_csv(
                budget=budget, by=request.user, content=form.cleaned_data["file"].read()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{count} ligne{'s' if count > 1 else ''} importée{'s' if count > 1 else ''}."
            )
            return redirect(budget)
    return _budget_page(request, budget, import_form=form, status=400)


# --- BPF ----------------------------------------------------------------------------------------------


@require_GET
def bpf_page(request, slug, year):
    school = _managed_school(request, slug)
    return render(
        request, "funding/bpf.html", {"school": school, "bpf": selectors.bpf(school, year), "year": year}
    )


@require_GET
def bpf_export(request, slug, year):
    school = _managed_school(request, slug)
    content = bpf_xlsx(selectors.bpf(school, year))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="bpf-{school.slug}-{year}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the funder's own space --------------------------------------------------------------------------


@require_GET
def funder_space(request):
    """A funder's grants and the aggregated figures of the schools they fund: no name, no person,
    and statistical secrecy (no count from 1 to 4, nor what would give one back)."""
    user = request.user
    if not user.has_role(Role.FUNDER):
        raise Http404
    organisations = list(Organisation.objects.filter(pk__in=funder_organisations(user)).order_by("name"))
    grants = (
        Grant.objects.visible_to(user)
        .filter(funder__in=organisations)
        .with_list_related_data()
        .order_by("-period_start", "pk")
    )
    schools = list(selectors.funded_schools([o.pk for o in organisations]))
    year = _year(request, default=None) if request.GET.get("annee") else None
    context = {
        "organisations": organisations,
        "grants": paginate(request, grants),
        "figures": selectors.funder_figures(schools, year, today=timezone.localdate()),
        "year": year,
        "committed": COMMITTED,
        "legend": secrecy.LEGEND,
    }
    return render(request, "funding/funder_space.html", context)
