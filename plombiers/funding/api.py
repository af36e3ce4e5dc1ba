"""The funding API: grants, OPCO fundings, a school's budget and its cost indicators.

Amounts travel as decimal strings (« 70000.00 »), never as JSON numbers: a float cannot hold every
amount in cents. A JSON number given for an amount is refused (422). The same querysets
(`visible_to`) and services as the pages: what a user may not see is a 404, what they see but may
not change a 403, a refusal of a service a 422 with its French message (mapped once, in
`plombiers/api/urls.py`).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, FilterLookup, FilterSchema, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import BeforeValidator, WithJsonSchema

from plombiers.cohorts.models import Cohort
from plombiers.lib.api import ErrorOut, Id, Pagination
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Network, Organisation, School

from . import permissions, selectors, services
from .enums import BudgetCategory, GrantPurpose, GrantStatus, InvoiceStatus, OpcoScheme
from .models import Budget, Grant, GrantReport, OpcoFunding, OpcoInvoice
from .money import CENT

router = Router(tags=["funding"])

Year = Annotated[int, Field(ge=2000, le=2100)]
NOT_MANAGER = "Seuls la tête de réseau et la direction de l'école gèrent les financements."


def _no_float(value):
    if isinstance(value, float):
        raise ValueError("Un montant s'écrit en texte (« 70000.00 »), jamais en nombre à virgule flottante.")
    return value


#: An amount in the body: a string (or an integer) read exactly as a Decimal.
#: Documented as a decimal string: pydantic's own `max_digits`/`decimal_places` are not OpenAPI.
DECIMAL_TEXT = WithJsonSchema({"type": "string", "format": "decimal"})
AmountIn = Annotated[
    Decimal, BeforeValidator(_no_float), Field(max_digits=12, decimal_places=2), DECIMAL_TEXT
]
HoursIn = Annotated[Decimal, BeforeValidator(_no_float), Field(max_digits=9, decimal_places=2), DECIMAL_TEXT]
Text = Annotated[str, Field(max_length=5000)]


# --- grants -------------------------------------------------------------------------------------


class GrantOut(Schema):
    id: int
    funder: int = Field(..., alias="funder_id")
    funder_name: str = Field(..., alias="funder.name")
    school: int | None = Field(None, alias="school_id")
    school_name: str | None
    purpose: GrantPurpose
    status: GrantStatus
    amount_requested: Decimal
    amount_granted: Decimal | None
    amount_paid: Decimal
    period_start: dt.date
    period_end: dt.date
    decided_on: dt.date | None
    reference: str
    conditions: str

    @staticmethod
    def resolve_school_name(obj):
        return obj.school.name if obj.school_id else None

    @staticmethod
    def resolve_amount_paid(obj):
        return obj.paid


class GrantFilter(FilterSchema):
    status: GrantStatus | None = None
    purpose: GrantPurpose | None = None
    school: Annotated[Id | None, FilterLookup("school_id")] = None
    funder: Annotated[Id | None, FilterLookup("funder_id")] = None
    year: Annotated[Year | None, FilterLookup("period_start__year")] = None


class GrantIn(Schema):
    funder: Id = Field(..., description="une organisation de type « financeur » du réseau")
    school: Id | None = Field(None, description="l'école ; absent : un financement du réseau lui-même")
    purpose: GrantPurpose
    amount_requested: AmountIn = Field(..., description="en euros, texte décimal, ex. « 70000.00 »")
    period_start: dt.date
    period_end: dt.date
    conditions: Text = ""
    reference: Annotated[str, Field(max_length=100)] = ""


@router.get("/grants", response=list[GrantOut])
@paginate(Pagination)
def grant_list(request, filters: Query[GrantFilter]):
    """The grants the user may see: their network's (staff), their school's (manager), the ones their
    organisation gives (funder). Latest period first."""
    return filters.filter(Grant.objects.visible_to(request.user).with_list_related_data()).order_by(
        "-period_start", "pk"
    )


@router.post("/grants", response={201: GrantOut, 404: ErrorOut})
def grant_create(request, payload: GrantIn):
    """A request for funding (« sollicitee »). 422 with the reason for a negative amount, a period
    that overlaps another request of the same funder for the same purpose and beneficiary…"""
    user = request.user
    school = network = None
    if payload.school is not None:
        school = get_object_or_404(School.objects.visible_to(user), pk=payload.school)
        if not permissions.can_manage_school(user, school):
            raise PermissionDenied(NOT_MANAGER)
        network = school.network
    else:
        network = Network.objects.filter(memberships__user=user, memberships__role="network_staff").first()
        if network is None:
            raise PermissionDenied("Seule la tête de réseau demande un financement pour le réseau.")
    funder = (
        Organisation.objects.visible_to(user)
        .filter(pk=payload.funder, kind=OrganisationKind.FUNDER, network=network)
        .first()
    )
    if funder is None:
        raise HttpError(422, "Ce financeur n'existe pas ou n'est pas un financeur du réseau.")
    grant = services.grant_create(
        by=user,
        funder=funder,
        school=school,
        network=network,
        purpose=payload.purpose,
        amount_requested=payload.amount_requested,
        period_start=payload.period_start,
        period_end=payload.period_end,
        conditions=payload.conditions,
        reference=payload.reference,
    )
    return Status(201, Grant.objects.with_list_related_data().get(pk=grant.pk))


class PaymentOut(Schema):
    id: int
    amount: Decimal
    paid_on: dt.date
    reference: str


class ReportOut(Schema):
    id: int
    grant: int = Field(..., alias="grant_id")
    title: str
    due_on: dt.date
    done: bool
    done_on: dt.date | None


class GrantDetailOut(GrantOut):
    payments: list[PaymentOut]
    reports: list[ReportOut]
    agreement: bool = Field(..., description="la convention signée est déposée (GET …/agreement la donne)")

    @staticmethod
    def resolve_payments(obj):
        return sorted(obj.payments.all(), key=lambda payment: (payment.paid_on, payment.pk))

    @staticmethod
    def resolve_reports(obj):
        return sorted(obj.reports.all(), key=lambda report: (report.due_on, report.pk))

    @staticmethod
    def resolve_agreement(obj):
        return bool(obj.agreement)


class GrantPatch(Schema):
    """Only the fields given change. The amount and the period: while « sollicitee » only."""

    amount_requested: AmountIn | None = Field(None, description="texte décimal, ex. « 70000.00 »")
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    conditions: Text | None = None
    reference: Annotated[str, Field(max_length=100)] | None = None


class DecisionIn(Schema):
    to: GrantStatus = Field(..., description="accordee, refusee, ou sollicitee pour revenir sur une décision")
    amount_granted: AmountIn | None = Field(None, description="accordee : par défaut le montant sollicité")
    decided_on: dt.date | None = Field(None, description="par défaut aujourd'hui")


class PaymentIn(Schema):
    amount: AmountIn
    paid_on: dt.date
    reference: Annotated[str, Field(max_length=100)] = ""


class ReportIn(Schema):
    title: Annotated[str, Field(max_length=150)]
    due_on: dt.date


class ReportDoneIn(Schema):
    done_on: dt.date | None = Field(None, description="par défaut aujourd'hui")


def _grant(user, grant_id: int) -> Grant:
    """A grant the user sees (404 otherwise) — the services refuse (403) who only sees it."""
    return get_object_or_404(Grant.objects.visible_to(user), pk=grant_id)


def _grant_detail(user, grant_id: int) -> Grant:
    return get_object_or_404(
        Grant.objects.visible_to(user).with_list_related_data().prefetch_related("payments", "reports"),
        pk=grant_id,
    )


@router.get("/grants/{grant_id}", response=GrantDetailOut)
def grant_detail(request, grant_id: Id):
    """One grant with its payments, its reports due and whether its signed agreement is there."""
    return _grant_detail(request.user, grant_id)


@router.patch("/grants/{grant_id}", response=GrantDetailOut)
def grant_update(request, grant_id: Id, payload: GrantPatch):
    """Corrects a grant (the page « Modifier »): 409 when the amount or the period of a decided grant
    would change, 422 when the new period overlaps another request."""
    changes = payload.dict(exclude_unset=True)
    for name in ("amount_requested", "period_start", "period_end"):
        if name in changes and changes[name] is None:
            raise HttpError(422, f"« {name} » ne peut pas être vide.")
    services.grant_update(grant=_grant(request.user, grant_id), by=request.user, **changes)
    return _grant_detail(request.user, grant_id)


@router.post("/grants/{grant_id}/decision", response=GrantDetailOut)
def grant_decide(request, grant_id: Id, payload: DecisionIn):
    """The funder's answer, recorded by the network or the school: « accordee » (amount granted),
    « refusee », or back to « sollicitee ». 409 for a move the workflow does not allow."""
    services.grant_decide(
        grant=_grant(request.user, grant_id),
        by=request.user,
        to=payload.to,
        amount_granted=payload.amount_granted,
        decided_on=payload.decided_on,
    )
    return _grant_detail(request.user, grant_id)


@router.post("/grants/{grant_id}/payments", response={201: PaymentOut})
def grant_payment_create(request, grant_id: Id, payload: PaymentIn):
    """A payment received; 422 when the payments would exceed the amount granted."""
    payment = services.grant_payment_record(
        grant=_grant(request.user, grant_id),
        by=request.user,
        amount=payload.amount,
        paid_on=payload.paid_on,
        reference=payload.reference,
    )
    return Status(201, payment)


@router.post("/grants/{grant_id}/reports", response={201: ReportOut})
def grant_report_create(request, grant_id: Id, payload: ReportIn):
    """A report the funder expects, with its due date (reminders start 15 days before)."""
    report = services.grant_report_add(
        grant=_grant(request.user, grant_id), by=request.user, title=payload.title, due_on=payload.due_on
    )
    return Status(201, report)


@router.post("/grant-reports/{report_id}/done", response=ReportOut)
def grant_report_done(request, report_id: Id, payload: ReportDoneIn):
    """The report is handed in. 422 when it already is."""
    report = get_object_or_404(
        GrantReport.objects.filter(grant__in=Grant.objects.visible_to(request.user)), pk=report_id
    )
    return services.grant_report_done(report=report, by=request.user, done_on=payload.done_on)


@router.post("/grants/{grant_id}/agreement", response=GrantDetailOut)
def grant_agreement_upload(request, grant_id: Id, agreement: File[UploadedFile]):
    """The signed agreement, multipart field `agreement`: a PDF checked by its bytes, 10 MB at most
    (422 otherwise); replaces the previous one."""
    services.grant_agreement_attach(grant=_grant(request.user, grant_id), by=request.user, upload=agreement)
    return _grant_detail(request.user, grant_id)


# --- OPCO ---------------------------------------------------------------------------------------


class OpcoFundingOut(Schema):
    id: int
    cohort: int = Field(..., alias="cohort_id")
    cohort_name: str = Field(..., alias="cohort.name")
    school: int = Field(..., alias="cohort.school_id")
    opco: int = Field(..., alias="opco_id")
    opco_name: str = Field(..., alias="opco.name")
    scheme: OpcoScheme
    hours_agreed: Decimal
    hourly_rate: Decimal
    reference: str
    hours_attended: Decimal = Field(..., description="heures suivies sur les feuilles signées, au centième")
    amount_claimable: Decimal = Field(..., description="heures suivies (au plus les heures accordées) × taux")
    amount_invoiced: Decimal = Field(..., description="factures non rejetées")
    amount_paid: Decimal

    @staticmethod
    def resolve_amount_invoiced(obj):
        return Decimal(obj.invoiced_total).quantize(CENT)

    @staticmethod
    def resolve_amount_paid(obj):
        return Decimal(obj.paid_total).quantize(CENT)

    @staticmethod
    def resolve_hours_attended(obj):
        return services.cents(services.minutes_to_hours(obj.attended_minutes))

    @staticmethod
    def resolve_amount_claimable(obj):
        return services.claim(obj, obj.attended_minutes).amount


class OpcoFundingFilter(FilterSchema):
    cohort: Annotated[Id | None, FilterLookup("cohort_id")] = None
    school: Annotated[Id | None, FilterLookup("cohort__school_id")] = None
    scheme: OpcoScheme | None = None


class OpcoFundingIn(Schema):
    cohort: Id
    opco: Id = Field(..., description="une organisation de type « OPCO » du réseau")
    scheme: OpcoScheme
    hours_agreed: HoursIn = Field(..., description="heures accordées pour tous les stagiaires, texte décimal")
    hourly_rate: AmountIn = Field(..., description="en euros par heure, texte décimal, ex. « 12.50 »")
    reference: Annotated[str, Field(max_length=100)] = ""


def _fundings(user):
    return OpcoFunding.objects.visible_to(user).with_list_related_data().with_attended_minutes()


@router.get("/opco-fundings", response=list[OpcoFundingOut])
@paginate(Pagination)
def opco_funding_list(request, filters: Query[OpcoFundingFilter]):
    """The OPCO fundings of the cohorts the user manages, with what can be claimed so far."""
    return filters.filter(_fundings(request.user)).order_by("-cohort__start_date", "pk")


@router.post("/opco-fundings", response={201: OpcoFundingOut, 404: ErrorOut})
def opco_funding_create(request, payload: OpcoFundingIn):
    user = request.user
    cohort = get_object_or_404(Cohort.objects.visible_to(user).select_related("school"), pk=payload.cohort)
    if not permissions.can_manage_school(user, cohort.school):
        raise PermissionDenied(NOT_MANAGER)
    opco = Organisation.objects.filter(
        pk=payload.opco, kind=OrganisationKind.OPCO, network=cohort.school.network_id
    ).first()
    if opco is None:
        raise HttpError(422, "Cet OPCO n'existe pas ou n'est pas un partenaire du réseau.")
    funding = services.opco_funding_create(
        cohort=cohort,
        by=user,
        opco=opco,
        scheme=payload.scheme,
        hours_agreed=payload.hours_agreed,
        hourly_rate=payload.hourly_rate,
        reference=payload.reference,
    )
    return Status(201, _fundings(user).get(pk=funding.pk))


class InvoiceOut(Schema):
    id: int
    funding: int = Field(..., alias="funding_id")
    number: str
    period_start: dt.date
    period_end: dt.date
    hours: Decimal = Field(..., description="heures suivies facturées, au centième")
    amount: Decimal
    status: InvoiceStatus
    issued_on: dt.date | None
    paid_on: dt.date | None
    rejection_reason: str

    @staticmethod
    def resolve_hours(obj):
        return services.cents(services.minutes_to_hours(obj.attended_minutes))


class InvoiceIn(Schema):
    period_start: dt.date
    period_end: dt.date


class InvoiceTransitionIn(Schema):
    to: InvoiceStatus = Field(..., description="emise (numéro, date), payee (date) ou rejetee (motif)")
    number: Annotated[str, Field(max_length=50)] = ""
    on: dt.date | None = Field(None, description="date d'émission ou de paiement ; par défaut aujourd'hui")
    reason: Annotated[str, Field(max_length=2000)] = ""


def _managed_funding(user, funding_id: int) -> OpcoFunding:
    """OPCO fundings are the school managers' and the network's: 404 for everybody else."""
    funding = get_object_or_404(
        OpcoFunding.objects.visible_to(user).select_related("cohort__school"), pk=funding_id
    )
    if not permissions.can_manage_school(user, funding.cohort.school):
        raise Http404
    return funding


@router.get("/opco-fundings/{funding_id}/invoices", response=list[InvoiceOut])
def opco_invoice_list(request, funding_id: Id):
    """The invoices of one OPCO funding, oldest period first."""
    return _managed_funding(request.user, funding_id).invoices.order_by("period_start", "pk")


@router.post("/opco-fundings/{funding_id}/invoices", response={201: InvoiceOut})
def opco_invoice_create(request, funding_id: Id, payload: InvoiceIn):
    """An invoice « a_emettre » for the hours attended over a period: 422 when a half-day of the
    period is not signed, when it overlaps another invoice or exceeds the hours agreed."""
    invoice = services.opco_invoice_create(
        funding=_managed_funding(request.user, funding_id),
        by=request.user,
        period_start=payload.period_start,
        period_end=payload.period_end,
    )
    return Status(201, invoice)


@router.post("/opco-invoices/{invoice_id}/transition", response=InvoiceOut)
def opco_invoice_transition(request, invoice_id: Id, payload: InvoiceTransitionIn):
    """a_emettre → emise → payee | rejetee; 409 for any other move, 422 for what it needs missing."""
    invoice = get_object_or_404(
        OpcoInvoice.objects.filter(funding__in=OpcoFunding.objects.visible_to(request.user)), pk=invoice_id
    )
    _managed_funding(request.user, invoice.funding_id)
    return services.opco_invoice_transition(
        invoice=invoice,
        by=request.user,
        to=payload.to,
        number=payload.number,
        on=payload.on,
        reason=payload.reason,
    )


# --- a school's budget and costs ----------------------------------------------------------------


class BudgetLineOut(Schema):
    category: BudgetCategory
    label: str
    planned: Decimal
    actual: Decimal | None
    variance: Decimal | None


class BudgetOut(Schema):
    school: int
    year: int
    lines: list[BudgetLineOut]
    planned_total: Decimal
    actual_total: Decimal | None


class ShareOut(Schema):
    funder_type: str
    label: str
    amount: Decimal
    percent: Decimal | None


class CostsOut(Schema):
    school: int
    year: int
    spent: Decimal | None = Field(..., description="somme des réalisés du budget de l'année")
    learners_started: int
    learners_completed: int
    positive_exits: int
    exits_counted: int
    training_hours: Decimal
    cost_per_learner_started: Decimal | None
    cost_per_learner_completed: Decimal | None
    cost_per_positive_exit: Decimal | None
    cost_per_training_hour: Decimal | None
    funding_share: list[ShareOut]


def _managed_school(user, school_id: int) -> School:
    """Budgets and costs: network staff and the school's manager; 404 for everybody else."""
    school = get_object_or_404(School.objects.visible_to(user), pk=school_id)
    if not permissions.can_manage_school(user, school):
        raise Http404
    return school


def _year(year: int | None) -> int:
    return year or timezone.localdate().year


@router.get("/schools/{school_id}/budget", response=BudgetOut)
def school_budget(request, school_id: Id, year: Year | None = None):
    """The budget of a school for a year (this year by default): planned, actual and variance per
    line. 404 when the school has no budget that year."""
    school = _managed_school(request.user, school_id)
    budget = get_object_or_404(Budget.objects.prefetch_related("lines"), school=school, year=_year(year))
    lines = sorted(budget.lines.all(), key=lambda line: BudgetCategory.values.index(line.category))
    actuals = [line.actual for line in lines if line.actual is not None]
    return {
        "school": school.pk,
        "year": budget.year,
        "lines": [
            {
                "category": line.category,
                "label": line.get_category_display(),
                "planned": line.planned,
                "actual": line.actual,
                "variance": line.variance,
            }
            for line in lines
        ],
        "planned_total": sum((line.planned for line in lines), Decimal("0.00")),
        "actual_total": sum(actuals, Decimal("0.00")) if actuals else None,
    }


@router.get("/schools/{school_id}/costs", response=CostsOut)
def school_costs(request, school_id: Id, year: Year | None = None):
    """Cost indicators of a school for a year: spending over learners started, completed, positive
    exits and hours of training, and the share of each funder type in its income."""
    school = _managed_school(request.user, school_id)
    year = _year(year)
    costs = selectors.costs_by_school([school.pk], year)[school.pk]
    return {
        "school": school.pk,
        "year": year,
        "spent": costs.spent,
        "learners_started": costs.learners_started,
        "learners_completed": costs.learners_completed,
        "positive_exits": costs.positive_exits,
        "exits_counted": costs.exits_counted,
        "training_hours": costs.training_hours,
        "cost_per_learner_started": costs.per_learner_started,
        "cost_per_learner_completed": costs.per_learner_completed,
        "cost_per_positive_exit": costs.per_positive_exit,
        "cost_per_training_hour": costs.per_training_hour,
        "funding_share": selectors.funding_share([school.pk], year),
    }
