"""The writes of the funding app: grants and their payments and reports, OPCO funding and its
invoices, budgets. Each is one atomic function that checks everything before writing anything,
raises a `ValidationError` in French on bad input, and leaves an audit event."""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from plombiers.accounts.models import User
from plombiers.cohorts.models import Cohort, Enrolment, TrainingSession
from plombiers.lib.evidence import check_evidence
from plombiers.lib.text import fold
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Network, Organisation, School
from plombiers.privacy.services import audit_log

from .enums import (
    GRANT_TRANSITIONS,
    INVOICE_TRANSITIONS,
    BudgetCategory,
    GrantPurpose,
    GrantStatus,
    InvoiceStatus,
    OpcoScheme,
)
from .models import ZERO, Budget, BudgetLine, Grant, GrantPayment, GrantReport, OpcoFunding, OpcoInvoice
from .money import amount_display, cents, parse_french_amount, to_amount
from .permissions import can_manage_grant, can_manage_network, can_manage_school

MAX_HOURS = Decimal("9999999.99")


# --- who may write: the predicates are in permissions.py ---------------------------------------


def _check_grant(user: User, grant: Grant) -> None:
    if not can_manage_grant(user, grant):
        raise PermissionDenied("Seuls la tête de réseau et la direction de l'école gèrent les financements.")


def _check_school(user: User, school: School) -> None:
    if not can_manage_school(user, school):
        raise PermissionDenied("Seuls la tête de réseau et la direction de l'école gèrent les financements.")


def _text(value: str, *, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: "Ce champ ne contient que du texte."})
    if len(value) > max_length:
        raise ValidationError({field: f"Ce champ tient en {max_length} caractères."})
    return value


def _date(value, *, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError({field: "Indiquez une date (jj/mm/aaaa)."})
    return value


def _period(start, end) -> tuple[dt.date, dt.date]:
    start, end = _date(start, field="period_start"), _date(end, field="period_end")
    if end < start:
        raise ValidationError({"period_end": "La fin de la période doit suivre son début."})
    return start, end


# --- grants -------------------------------------------------------------------------------------


def _check_no_overlap(*, funder, school, network, purpose, start, end, exclude_pk=None) -> None:
    """Two live requests of the same funder, for the same beneficiary and purpose, over periods
    that share a day would be the same money asked twice: refused. Refused grants do not count; a
    new request may follow the end of the previous one (periods that only touch are fine)."""
    others = (
        Grant.objects.filter(funder=funder, network=network, purpose=purpose)
        .filter(Q(school=school) if school is not None else Q(school__isnull=True))
        .exclude(status=GrantStatus.REFUSED)
        .filter(period_start__lte=end, period_end__gte=start)
        .exclude(pk=exclude_pk)
        .order_by("period_start")
    )
    other = others.first()
    if other is not None:
        raise ValidationError(
            {
                "period_start": f"{funder} finance déjà « {other.get_purpose_display()} » pour {other.beneficiary} "
                f"du {other.period_start:%d/%m/%Y} au {other.period_end:%d/%m/%Y} : les périodes se chevauchent."
            }
        )


@transaction.atomic
def grant_create(
    *,
    by: User,
    funder: Organisation,
    school: School | None,
    network: Network | None = None,
    purpose: str,
    amount_requested,
    period_start: dt.date,
    period_end: dt.date,
    conditions: str = "",
    reference: str = "",
) -> Grant:
    """A request for funding (« sollicitée »), for a school or, without one, for the network."""
    if school is not None:
        network_id = school.network_id
        _check_school(by, school)
    else:
        if network is None:
            raise ValidationError({"school": "Choisissez l'école, ou le réseau."})
        network_id = network.pk
        if not can_manage_network(by, network_id):
            raise PermissionDenied("Seule la tête de réseau demande un financement pour le réseau.")
    if funder.kind != OrganisationKind.FUNDER:
        raise ValidationError({"funder": "Le financeur doit être une organisation de type « financeur »."})
    if funder.network_id != network_id:
        raise ValidationError({"funder": "Ce financeur n'est pas un partenaire du réseau."})
    if purpose not in GrantPurpose.values:
        raise ValidationError({"purpose": f"Objet inconnu « {purpose} »."})
    amount = to_amount(amount_requested, field="amount_requested", label="Le montant sollicité")
    start, end = _period(period_start, period_end)
    # Locks the funder's row: two requests sent at once cannot both pass the overlap check.
    Organisation.objects.select_for_update().get(pk=funder.pk)
    _check_no_overlap(funder=funder, school=school, network=network_id, purpose=purpose, start=start, end=end)
    grant = Grant.objects.create(
        network_id=network_id,
        funder=funder,
        school=school,
        purpose=purpose,
        amount_requested=amount,
        period_start=start,
        period_end=end,
        conditions=_text(conditions, field="conditions", max_length=5000),
        reference=_text(reference, field="reference", max_length=100),
        created_by=by,
    )
    audit_log(
        actor=by,
        action="grant.create",
        obj=grant,
        school=school,
        details={"amount_requested": str(amount), "funder": funder.pk},
    )
    return grant


#: What may change on a grant once it exists: the terms while it is only asked for, the reference and
#: the conditions at any time (a funder's file number arrives later, conditions get clarified).
TERMS = ("amount_requested", "period_start", "period_end")


@transaction.atomic
def grant_update(*, grant: Grant, by: User, **changes) -> Grant:
    """Corrects a grant: the amount asked and the period while it is « sollicitée » (a decided grant
    goes back to « sollicitée » first), the reference and the conditions at any time. Only the fields
    given change; the same checks as at creation (overlap included)."""
    grant = Grant.objects.select_for_update(of=("self",)).select_related("school", "funder").get(pk=grant.pk)
    _check_grant(by, grant)
    unknown = set(changes) - {*TERMS, "reference", "conditions"}
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Ce champ ne se modifie pas."))
    terms = {name: changes[name] for name in TERMS if name in changes}
    if terms and grant.status != GrantStatus.REQUESTED:
        raise ValidationError(
            f"Le montant et la période d'une subvention « {grant.get_status_display().lower()} » ne changent "
            "plus : remettez-la d'abord à « sollicitée ».",
            code="transition",
        )
    before = {name: str(getattr(grant, name)) for name in changes}
    if "amount_requested" in terms:
        grant.amount_requested = to_amount(
            terms["amount_requested"], field="amount_requested", label="Le montant sollicité"
        )
    if "period_start" in terms or "period_end" in terms:
        grant.period_start, grant.period_end = _period(
            terms.get("period_start", grant.period_start), terms.get("period_end", grant.period_end)
        )
        Organisation.objects.select_for_update().get(pk=grant.funder_id)
        _check_no_overlap(
            funder=grant.funder,
            school=grant.school,
            network=grant.network_id,
            purpose=grant.purpose,
            start=grant.period_start,
            end=grant.period_end,
            exclude_pk=grant.pk,
        )
    if "reference" in changes:
        grant.reference = _text(changes["reference"], field="reference", max_length=100)
    if "conditions" in changes:
        grant.conditions = _text(changes["conditions"], field="conditions", max_length=5000)
    changed = [name for name in changes if str(getattr(grant, name)) != before[name]]
    if changed:
        grant.save(update_fields=changed)
        audit_log(
            actor=by,
            action="grant.update",
            obj=grant,
            school=grant.school,
            details={name: [before[name], str(getattr(grant, name))] for name in changed},
        )
    return grant


@transaction.atomic
def grant_decide(
    *, grant: Grant, by: User, to: str, amount_granted=None, decided_on: dt.date | None = None
) -> Grant:
    """The funder's answer: « accordée » (with the amount granted, the amount asked by default) or
    « refusée »; a decision entered by mistake goes back to « sollicitée ». A grant already paid
    does not move."""
    grant = Grant.objects.select_for_update(of=("self",)).select_related("school", "funder").get(pk=grant.pk)
    _check_grant(by, grant)
    if to not in GRANT_TRANSITIONS.get(grant.status, set()):
        labels = dict(GrantStatus.choices)
        raise ValidationError(
            f"Une subvention « {labels[grant.status].lower()} » ne peut pas passer à « {labels.get(to, to).lower()} ».",
            code="transition",
        )
    fields = ["status", "decided_on", "amount_granted"]
    if to == GrantStatus.GRANTED:
        amount = grant.amount_requested if amount_granted in (None, "") else amount_granted
        grant.amount_granted = to_amount(amount, field="amount_granted", label="Le montant accordé")
        grant.decided_on = _date(decided_on or timezone.localdate(), field="decided_on")
    elif to == GrantStatus.REFUSED:
        grant.amount_granted = None
        grant.decided_on = _date(decided_on or timezone.localdate(), field="decided_on")
    else:
        grant.amount_granted, grant.decided_on = None, None
    grant.status = to
    grant.save(update_fields=fields)
    audit_log(
        actor=by,
        action=f"grant.{to}",
        obj=grant,
        school=grant.school,
        details={"amount_granted": str(grant.amount_granted) if grant.amount_granted is not None else None},
    )
    return grant


@transaction.atomic
def grant_payment_record(
    *, grant: Grant, by: User, amount, paid_on: dt.date, reference: str = ""
) -> GrantPayment:
    """One payment of a granted grant; the payments never add up to more than the amount granted."""
    grant = Grant.objects.select_for_update(of=("self",)).select_related("school").get(pk=grant.pk)
    _check_grant(by, grant)
    if grant.status not in (GrantStatus.GRANTED, GrantStatus.PAID):
        raise ValidationError("On n'enregistre un versement que sur une subvention accordée.")
    amount = to_amount(amount, field="amount", label="Le montant du versement")
    paid_on = _date(paid_on, field="paid_on")
    if paid_on > timezone.localdate():
        raise ValidationError(
            {"paid_on": "Un versement se saisit une fois reçu : la date ne peut pas être à venir."}
        )
    already = grant.payments.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    if already + amount > grant.amount_granted:
        raise ValidationError(
            {
                "amount": f"Ce versement dépasserait le montant accordé : {amount_display(already)} déjà versés sur "
                f"{amount_display(grant.amount_granted)}, il reste {amount_display(grant.amount_granted - already)}."
            }
        )
    payment = GrantPayment.objects.create(
        grant=grant,
        amount=amount,
        paid_on=paid_on,
        reference=_text(reference, field="reference", max_length=100),
        recorded_by=by,
    )
    if grant.status != GrantStatus.PAID:
        grant.status = GrantStatus.PAID
        grant.save(update_fields=["status"])
    audit_log(
        actor=by, action="grant.payment", obj=grant, school=grant.school, details={"amount": str(amount)}
    )
    return payment


@transaction.atomic
def grant_report_add(*, grant: Grant, by: User, title: str, due_on: dt.date) -> GrantReport:
    grant = Grant.objects.select_related("school").get(pk=grant.pk)
    _check_grant(by, grant)
    title = _text(title, field="title", max_length=150)
    if not title:
        raise ValidationError(
            {"title": "Nommez le compte rendu attendu (bilan intermédiaire, bilan final…)."}
        )
    report = GrantReport.objects.create(grant=grant, title=title, due_on=_date(due_on, field="due_on"))
    audit_log(actor=by, action="grant.report_add", obj=grant, school=grant.school, details={"title": title})
    return report


@transaction.atomic
def grant_report_done(*, report: GrantReport, by: User, done_on: dt.date | None = None) -> GrantReport:
    report = (
        GrantReport.objects.select_for_update(of=("self",)).select_related("grant__school").get(pk=report.pk)
    )
    _check_grant(by, report.grant)
    if report.done:
        raise ValidationError("Ce compte rendu est déjà marqué remis.")
    report.done, report.done_on = True, done_on or timezone.localdate()
    report.save(update_fields=["done", "done_on"])
    audit_log(
        actor=by,
        action="grant.report_done",
        obj=report.grant,
        school=report.grant.school,
        details={"report": report.pk},
    )
    return report


@transaction.atomic
def grant_agreement_attach(*, grant: Grant, by: User, upload) -> Grant:
    """The signed agreement, a PDF checked by its bytes (10 MB at most), stored under a random name."""
    grant = Grant.objects.select_for_update(of=("self",)).select_related("school").get(pk=grant.pk)
    _check_grant(by, grant)
    try:
        kind = check_evidence(upload)
    except ValidationError as error:
        raise ValidationError({"agreement": error.messages}) from error
    if kind.name != "pdf":
        raise ValidationError({"agreement": "La convention se dépose en PDF."})
    old = grant.agreement.name
    grant.agreement.save("convention.pdf", upload, save=False)
    grant.save(update_fields=["agreement"])
    if old:
        transaction.on_commit(lambda: grant.agreement.storage.delete(old))
    audit_log(actor=by, action="grant.agreement", obj=grant, school=grant.school)
    return grant


#: Reminders start this many days before a report is due, and come back every week until done.
REMINDER_DAYS = 15
REMINDER_EVERY_DAYS = 7


def reports_to_remind(today: dt.date):
    return (
        GrantReport.objects.pending()
        .filter(due_on__lte=today + dt.timedelta(days=REMINDER_DAYS))
        .filter(
            Q(reminded_on__isnull=True) | Q(reminded_on__lte=today - dt.timedelta(days=REMINDER_EVERY_DAYS))
        )
        .select_related("grant__funder", "grant__school", "grant__network")
        .order_by("due_on", "pk")
    )


# --- OPCO ---------------------------------------------------------------------------------------


def _hours(value, *, field: str) -> Decimal:
    if isinstance(value, float | bool):
        raise ValidationError({field: "Les heures sont un nombre décimal exact, pas un nombre flottant."})
    try:
        hours = parse_french_amount(value) if isinstance(value, str) else Decimal(value)
    except Exception as error:
        raise ValidationError({field: "Nombre d'heures illisible."}) from error
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS or hours != cents(hours):
        raise ValidationError({field: "Le nombre d'heures est positif, avec au plus deux décimales."})
    return hours


@transaction.atomic
def opco_funding_create(
    *,
    cohort: Cohort,
    by: User,
    opco: Organisation,
    scheme: str,
    hours_agreed,
    hourly_rate,
    reference: str = "",
) -> OpcoFunding:
    cohort = Cohort.objects.select_for_update(of=("self",)).select_related("school").get(pk=cohort.pk)
    _check_school(by, cohort.school)
    if opco.kind != OrganisationKind.OPCO or opco.network_id != cohort.school.network_id:
        raise ValidationError({"opco": "Choisissez un OPCO partenaire du réseau."})
    if scheme not in OpcoScheme.values:
        raise ValidationError({"scheme": f"Dispositif inconnu « {scheme} »."})
    if OpcoFunding.objects.filter(cohort=cohort).exists():
        raise ValidationError("Cette promotion a déjà son financement OPCO.")
    funding = OpcoFunding.objects.create(
        cohort=cohort,
        opco=opco,
        scheme=scheme,
        hours_agreed=_hours(hours_agreed, field="hours_agreed"),
        hourly_rate=to_amount(hourly_rate, field="hourly_rate", label="Le taux horaire"),
        reference=_text(reference, field="reference", max_length=100),
        created_by=by,
    )
    audit_log(actor=by, action="opco.create", obj=funding, school=cohort.school)
    return funding


def attended_minutes(cohort: Cohort, start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Minutes attended by all the cohort's learners on the signed sheets, between two dates when
    given: a present learner counts the half-day, a late one the half-day less their delay, an
    absent one — excused or not — nothing; plus the hours attended of the months of history imported
    from the school's former spreadsheets, a month counted when its first day is in the period
    (`Enrolment.objects.with_minutes`)."""
    enrolments = Enrolment.objects.filter(cohort=cohort).with_minutes(start, end)
    return enrolments.aggregate(n=Coalesce(Sum("total_attended_minutes"), 0))["n"]


def minutes_to_hours(minutes: int) -> Decimal:
    return Decimal(minutes) / Decimal(60)


@dataclass(frozen=True)
class Claim:
    minutes: int
    hours: Decimal  # attended, exact (minutes / 60)
    billable_hours: Decimal  # capped at the hours agreed
    amount: Decimal  # billable hours × rate, to the cent

    @property
    def capped(self) -> bool:
        return self.billable_hours < self.hours


def claim(funding: OpcoFunding, minutes: int) -> Claim:
    hours = minutes_to_hours(minutes)
    billable = min(hours, funding.hours_agreed)
    return Claim(
        minutes=minutes, hours=hours, billable_hours=billable, amount=cents(billable * funding.hourly_rate)
    )


def claimable(funding: OpcoFunding) -> Claim:
    """What the OPCO owes for the whole cohort: hours attended × rate, at most the hours agreed."""
    return claim(funding, attended_minutes(funding.cohort))


def _invoiced_minutes(funding: OpcoFunding) -> int:
    return funding.invoices.exclude(status=InvoiceStatus.REJECTED).aggregate(
        total=Coalesce(Sum("attended_minutes"), 0)
    )["total"]


@transaction.atomic
def opco_invoice_create(
    *, funding: OpcoFunding, by: User, period_start: dt.date, period_end: dt.date
) -> OpcoInvoice:
    """An invoice « à émettre » for the hours attended between two dates: every half-day of the
    period must be signed, the period must not overlap another invoice (a rejected one is replaced by
    a new one), and the hours billed stay within the hours agreed."""
    funding = (
        OpcoFunding.objects.select_for_update(of=("self",))
        .select_related("cohort__school")
        .get(pk=funding.pk)
    )
    cohort = funding.cohort
    _check_school(by, cohort.school)
    start, end = _period(period_start, period_end)
    if start < cohort.start_date or end > cohort.end_date:
        raise ValidationError(
            {
                "period_start": f"La période tient dans la promotion (du {cohort.start_date:%d/%m/%Y} au {cohort.end_date:%d/%m/%Y})."
            }
        )
    if end > timezone.localdate():
        raise ValidationError(
            {"period_end": "On ne facture que des heures déjà faites : la période est passée."}
        )
    other = (
        funding.invoices.exclude(status=InvoiceStatus.REJECTED)
        .filter(period_start__lte=end, period_end__gte=start)
        .order_by("period_start")
        .first()
    )
    if other is not None:
        raise ValidationError(
            {
                "period_start": f"Cette période chevauche la facture du {other.period_start:%d/%m/%Y} au {other.period_end:%d/%m/%Y}."
            }
        )
    minutes_left = int(funding.hours_agreed * 60) - _invoiced_minutes(funding)
    if minutes_left <= 0:
        raise ValidationError("Toutes les heures accordées par l'OPCO sont déjà facturées.")
    unsigned = TrainingSession.objects.filter(
        cohort=cohort, date__range=(start, end), locked_at__isnull=True
    ).count()
    if unsigned:
        raise ValidationError(
            f"{unsigned} demi-journée(s) de cette période ne sont pas encore signées : faites signer les feuilles d'abord."
        )
    minutes = attended_minutes(cohort, start, end)
    if minutes == 0:
        raise ValidationError(
            "Aucune heure suivie sur les feuilles signées de cette période : rien à facturer."
        )
    billed_minutes = min(minutes, minutes_left)
    result = claim(funding, billed_minutes)
    invoice = OpcoInvoice.objects.create(
        funding=funding,
        period_start=start,
        period_end=end,
        attended_minutes=billed_minutes,
        amount=result.amount,
        created_by=by,
    )
    audit_log(
        actor=by,
        action="opco.invoice_create",
        obj=funding,
        school=cohort.school,
        details={"invoice": invoice.pk, "amount": str(result.amount), "minutes": billed_minutes},
    )
    return invoice


@transaction.atomic
def opco_invoice_transition(
    *,
    invoice: OpcoInvoice,
    by: User,
    to: str,
    number: str = "",
    on: dt.date | None = None,
    reason: str = "",
) -> OpcoInvoice:
    """à émettre → émise (number and date) → payée (date) | rejetée (reason required)."""
    invoice = (
        OpcoInvoice.objects.select_for_update(of=("self",))
        .select_related("funding__cohort__school")
        .get(pk=invoice.pk)
    )
    school = invoice.funding.cohort.school
    _check_school(by, school)
    if to not in INVOICE_TRANSITIONS.get(invoice.status, set()):
        labels = dict(InvoiceStatus.choices)
        raise ValidationError(
            f"Une facture « {labels[invoice.status].lower()} » ne peut pas passer à « {labels.get(to, to).lower()} ».",
            code="transition",
        )
    on = _date(on or timezone.localdate(), field="on")
    if on > timezone.localdate():
        raise ValidationError({"on": "La date ne peut pas être à venir."})
    fields = ["status"]
    if to == InvoiceStatus.ISSUED:
        number = _text(number, field="number", max_length=50)
        if not number:
            raise ValidationError({"number": "Le numéro de facture est obligatoire pour l'émettre."})
        invoice.number, invoice.issued_on = number, on
        fields += ["number", "issued_on"]
    elif to == InvoiceStatus.PAID:
        invoice.paid_on = on
        fields.append("paid_on")
    elif to == InvoiceStatus.REJECTED:
        reason = _text(reason, field="reason", max_length=2000)
        if not reason:
            raise ValidationError({"reason": "Le motif du rejet est obligatoire."})
        invoice.rejection_reason = reason
        fields.append("rejection_reason")
    invoice.status = to
    invoice.save(update_fields=fields)
    audit_log(
        actor=by,
        action=f"opco.invoice_{to}",
        obj=invoice.funding,
        school=school,
        details={"invoice": invoice.pk, **({"reason": reason} if to == InvoiceStatus.REJECTED else {})},
    )
    return invoice


# --- budgets ------------------------------------------------------------------------------------


@transaction.atomic
def budget_create(*, school: School, year: int, by: User, planned: dict | None = None) -> Budget:
    """The budget of a school for a year, one line per category (planned amounts optional).
    A school has one budget per year: a second one for the same year is refused."""
    _check_school(by, school)
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise ValidationError({"year": "Indiquez une année entre 2000 et 2100."})
    School.objects.select_for_update().get(pk=school.pk)
    if Budget.objects.filter(school=school, year=year).exists():
        raise ValidationError({"year": f"{school.name} a déjà un budget pour {year} : modifiez-le plutôt."})
    planned = planned or {}
    unknown = set(planned) - set(BudgetCategory.values)
    if unknown:
        raise ValidationError(f"Postes inconnus : {', '.join(sorted(unknown))}.")
    amounts = {
        category: to_amount(
            planned.get(category, ZERO), field=category, label=f"Le prévu « {label} »", positive=False
        )
        for category, label in BudgetCategory.choices
    }
    budget = Budget.objects.create(school=school, year=year)
    BudgetLine.objects.bulk_create(
        BudgetLine(budget=budget, category=category, planned=amount) for category, amount in amounts.items()
    )
    audit_log(actor=by, action="budget.create", obj=budget, school=school, details={"year": year})
    return budget


@transaction.atomic
def budget_lines_update(*, budget: Budget, by: User, values: dict[str, dict]) -> Budget:
    """{category: {"planned": amount, "actual": amount or None}}: every amount checked first."""
    budget = Budget.objects.select_for_update(of=("self",)).select_related("school").get(pk=budget.pk)
    _check_school(by, budget.school)
    lines = {line.category: line for line in budget.lines.all()}
    labels = dict(BudgetCategory.choices)
    changes = []
    for category, fields in values.items():
        if category not in lines:
            raise ValidationError(f"Poste inconnu « {category} ».")
        line = lines[category]
        for name in ("planned", "actual"):
            if name not in fields:
                continue
            value = fields[name]
            word = "prévu" if name == "planned" else "réalisé"
            if value in (None, "") and name == "actual":
                amount = None
            else:
                amount = to_amount(
                    value,
                    field=f"{category}_{name}",
                    label=f"Le {word} « {labels[category]} »",
                    positive=False,
                )
            setattr(line, name, amount)
        changes.append(line)
    BudgetLine.objects.bulk_update(changes, ["planned", "actual"])
    audit_log(
        actor=by, action="budget.update", obj=budget, school=budget.school, details={"lines": sorted(values)}
    )
    return budget


def _decode(content: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes) or, failing that, Windows-1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="strict")


_CATEGORY_BY_NAME = {
    **{fold(label): value for value, label in BudgetCategory.choices},
    **{fold(value): value for value in BudgetCategory.values},
}
_HEADERS = {"poste": "category", "prevu": "planned", "realise": "actual"}
MAX_CSV_BYTES = 1024 * 1024


def parse_budget_csv(content: bytes) -> dict[str, dict]:
    """The lines of a budget CSV in the French Excel dialect (`;`): a header with « poste » and
    « réalisé » (and optionally « prévu »), then one line per category. The first malformed line
    stops everything, with its number."""
    if len(content) > MAX_CSV_BYTES:
        raise ValidationError("Le fichier dépasse 1 Mo : ce n'est pas un budget.")
    try:
        text = _decode(content)
    except UnicodeDecodeError as error:
        raise ValidationError(
            "Le fichier n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en CSV."
        ) from error
    if "\x00" in text:
        raise ValidationError("Ce fichier n'est pas un CSV (contenu binaire).")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    if not numbered:
        raise ValidationError("Le fichier est vide.")
    header_line, header = numbered[0]
    columns = [_HEADERS.get((fold(cell).split(" ") or [""])[0]) for cell in header]
    if "category" not in columns or "actual" not in columns:
        raise ValidationError(
            f"Ligne {header_line} : l'en-tête doit nommer les colonnes « poste » et « réalisé » "
            "(et « prévu » si besoin), séparées par des points-virgules."
        )
    result: dict[str, dict] = {}
    seen: dict[str, int] = {}
    labels = dict(BudgetCategory.choices)
    for line, row in numbered[1:]:
        if len(row) != len(header):
            raise ValidationError(
                f"Ligne {line} : {len(header)} colonnes attendues (séparées par « ; »), {len(row)} trouvée(s)."
            )
        values: dict[str, Decimal | None] = {}
        category = None
        for column, cell in zip(columns, row, strict=True):
            if column == "category":
                category = _CATEGORY_BY_NAME.get(fold(cell))
                if category is None:
                    raise ValidationError(
                        f"Ligne {line} : poste « {cell.strip()} » inconnu ; postes possibles : "
                        + ", ".join(labels.values())
                        + "."
                    )
            elif column in ("planned", "actual"):
                if not cell.strip():
                    if column == "planned":
                        continue
                    values[column] = None
                    continue
                try:
                    amount = parse_french_amount(cell)
                except ValueError:
                    raise ValidationError(f"Ligne {line} : montant « {cell.strip()} » illisible.") from None
                if amount < 0:
                    raise ValidationError(f"Ligne {line} : montant « {cell.strip()} » négatif.")
                if amount != cents(amount):
                    raise ValidationError(
                        f"Ligne {line} : montant « {cell.strip()} » : deux décimales au plus."
                    )
                values[column] = amount
        if category in seen:
            raise ValidationError(
                f"Ligne {line} : le poste « {labels[category]} » figure déjà ligne {seen[category]}."
            )
        seen[category] = line
        result[category] = values
    if not result:
        raise ValidationError("Le fichier ne contient aucune ligne de budget sous l'en-tête.")
    return result


@transaction.atomic
def budget_import_csv(*, budget: Budget, by: User, content: bytes) -> int:
    """Actuals (and planned amounts when the file has them) from a CSV; all lines or none."""
    values = parse_budget_csv(content)
    budget_lines_update(budget=budget, by=by, values=values)
    audit_log(
        actor=by, action="budget.import", obj=budget, school=budget.school, details={"lines": len(values)}
    )
    return len(values)


def invoice_bundle(invoice: OpcoInvoice) -> tuple[str, bytes]:
    """(file name, ZIP) of the supporting documents of one invoice: the certificats de réalisation
    and the signed weekly émargement sheets of its period, rendered by the documents app."""
    import zipfile

    from django.utils.text import slugify

    from plombiers.documents.services import period_documents_files

    cohort = invoice.funding.cohort
    files = period_documents_files(cohort=cohort, start=invoice.period_start, end=invoice.period_end)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for path, content in files:
            archive.writestr(path, content)
    label = slugify(invoice.number) or f"facture-{invoice.pk}"
    return f"justificatifs-{label}-{invoice.period_start.isoformat()}.zip", buffer.getvalue()
