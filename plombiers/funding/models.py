"""Funding of the schools: grants of patrons and public funders, OPCO training funding per cohort
with its invoices, and budgets per school and year. Amounts are `Decimal` (euros, two places),
never floats, from the form or the API to the database and back."""

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, scoped
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Network, Organisation, School

from .enums import BudgetCategory, GrantPurpose, GrantStatus, InvoiceStatus, OpcoScheme

ZERO = Decimal("0.00")


def money(label: str, **options) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2, **options)


def _mine(user, role):
    return Membership.objects.filter(user=user, role=role)


def staff_networks(user):
    return _mine(user, Role.NETWORK_STAFF).values("network")


def managed_schools(user):
    return _mine(user, Role.SCHOOL_MANAGER).values("school")


def funder_organisations(user):
    return _mine(user, Role.FUNDER).values("organisation")


# --- grants -------------------------------------------------------------------------------------


class GrantQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Network staff: their network's. A school manager: their school's (not the network's own
        grants). A funder: the grants their organisation gives, nothing else. Nobody else."""
        return self.filter(
            Q(network__in=staff_networks(user))
            | Q(school__in=managed_schools(user))
            | Q(funder__in=funder_organisations(user))
        )

    @scoped
    def editable_by(self, user):
        return self.filter(Q(network__in=staff_networks(user)) | Q(school__in=managed_schools(user)))

    def committed(self):
        return self.filter(status__in=[GrantStatus.GRANTED, GrantStatus.PAID])

    def with_paid(self):
        return self.annotate(paid_total=Coalesce(Sum("payments__amount"), ZERO))

    def with_list_related_data(self):
        return self.select_related("funder", "school", "network").with_paid()


def agreement_path(instance, filename: str) -> str:
    # A random name: never the name the file had on someone's computer.
    return f"conventions-financement/{instance.network_id}/{uuid.uuid4().hex}.pdf"


class Grant(models.Model):
    """A funder's support to one school (or to the network as a whole) for one purpose and period."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="grants")
    funder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="grants",
        verbose_name="financeur",
        limit_choices_to={"kind": OrganisationKind.FUNDER},
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name="école",
        help_text="Vide : le financement va au réseau.",
    )
    purpose = models.CharField("objet", max_length=30, choices=GrantPurpose.choices)
    amount_requested = money("montant sollicité (€)")
    amount_granted = money("montant accordé (€)", null=True, blank=True)
    period_start = models.DateField("début de la période")
    period_end = models.DateField("fin de la période")
    status = models.CharField(
        "statut", max_length=12, choices=GrantStatus.choices, default=GrantStatus.REQUESTED, db_index=True
    )
    decided_on = models.DateField("décidé le", null=True, blank=True)
    reference = models.CharField("référence", max_length=100, blank=True)
    conditions = models.TextField("conditions", blank=True)
    agreement = models.FileField("convention signée (PDF)", upload_to=agreement_path, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = "subvention"
        ordering = ["-period_start", "pk"]
        constraints = [
            models.CheckConstraint(name="grant_requested_positive", condition=Q(amount_requested__gt=0)),
            models.CheckConstraint(
                name="grant_granted_positive",
                condition=Q(amount_granted__isnull=True) | Q(amount_granted__gt=0),
            ),
            models.CheckConstraint(
                name="grant_committed_has_amount",
                condition=~Q(status__in=[GrantStatus.GRANTED, GrantStatus.PAID])
                | Q(amount_granted__isnull=False),
            ),
            models.CheckConstraint(
                name="grant_end_after_start", condition=Q(period_end__gte=models.F("period_start"))
            ),
        ]
        indexes = [
            models.Index(fields=["network", "period_start"]),
            models.Index(fields=["school", "status"]),
        ]

    def __str__(self):
        return f"{self.funder} — {self.get_purpose_display()} ({self.beneficiary})"

    def get_absolute_url(self):
        return reverse("funding:grant_detail", args=[self.pk])

    @property
    def beneficiary(self) -> str:
        return self.school.name if self.school_id else "le réseau"

    @property
    def paid(self) -> Decimal:
        if hasattr(self, "paid_total"):
            total = self.paid_total
        else:
            total = self.payments.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
        return Decimal(total).quantize(ZERO)  # SQLite gives back 0 for an empty sum

    @property
    def remaining(self) -> Decimal | None:
        if self.amount_granted is None:
            return None
        return self.amount_granted - self.paid

    @property
    def is_fully_paid(self) -> bool:
        return self.amount_granted is not None and self.paid >= self.amount_granted

    @property
    def status_label(self) -> str:
        if self.status == GrantStatus.PAID and not self.is_fully_paid:
            return "Versée en partie"
        return self.get_status_display()


class GrantPayment(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="payments")
    paid_on = models.DateField("versé le")
    amount = money("montant (€)")
    reference = models.CharField("référence", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "versement"
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0))]
        indexes = [models.Index(fields=["paid_on"])]

    def __str__(self):
        return f"{self.amount} € le {self.paid_on:%d/%m/%Y}"


class GrantReportQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(done=False)


class GrantReport(models.Model):
    """A report the funder expects (bilan intermédiaire, bilan final…), due on a date."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="reports")
    title = models.CharField("compte rendu", max_length=150)
    due_on = models.DateField("à remettre le", db_index=True)
    done = models.BooleanField("remis", default=False)
    done_on = models.DateField("remis le", null=True, blank=True)
    reminded_on = models.DateField("dernier rappel le", null=True, blank=True)

    objects = GrantReportQuerySet.as_manager()

    class Meta:
        verbose_name = "compte rendu au financeur"
        verbose_name_plural = "comptes rendus aux financeurs"
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="report_done_has_date", condition=Q(done=False) | Q(done_on__isnull=False)
            )
        ]

    def __str__(self):
        return f"{self.title} — {self.due_on:%d/%m/%Y}"


# --- OPCO ---------------------------------------------------------------------------------------


class OpcoFundingQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Network staff and the school's manager; the OPCO's claims are no business of the
        trainers (who keep the sheets), the funders or the learners."""
        return self.filter(
            Q(cohort__school__network__in=staff_networks(user)) | Q(cohort__school__in=managed_schools(user))
        )

    def with_list_related_data(self):
        return self.select_related("cohort__school", "opco").annotate(
            invoiced_total=Coalesce(
                Sum("invoices__amount", filter=~Q(invoices__status=InvoiceStatus.REJECTED)), ZERO
            ),
            paid_total=Coalesce(Sum("invoices__amount", filter=Q(invoices__status=InvoiceStatus.PAID)), ZERO),
        )

    def with_attended_minutes(self):
        """`attended_minutes`: the minutes attended by the cohort's learners on its signed sheets
        (the rule of `Enrolment.objects.with_hours()`) and in its imported months of history
        (`AttendanceHistory`), two subqueries for the whole list."""
        from plombiers.cohorts.enums import AttendanceStatus
        from plombiers.cohorts.models import MINUTES, Attendance, AttendanceHistory

        minutes = (
            Attendance.objects.signed()
            .filter(
                session__cohort=models.OuterRef("cohort"),
                status__in=[AttendanceStatus.PRESENT, AttendanceStatus.LATE],
            )
            .values("session__cohort")
            .annotate(total=Sum(models.F("session__duration_minutes") - models.F("late_minutes")))
            .values("total")
        )
        # And the months of history imported from the school's former spreadsheets.
        months = (
            AttendanceHistory.objects.filter(enrolment__cohort=models.OuterRef("cohort"))
            .values("enrolment__cohort")
            .annotate(total=Sum(MINUTES["attended_hours"]))
            .values("total")
        )
        return self.annotate(
            attended_minutes=Coalesce(models.Subquery(minutes), 0)
            + Coalesce(models.Subquery(months, output_field=models.IntegerField()), 0)
        )


class OpcoFunding(models.Model):
    """The training of one cohort funded by an OPCO, paid per hour actually attended."""

    cohort = models.OneToOneField(
        "cohorts.Cohort", on_delete=models.PROTECT, related_name="opco_funding", verbose_name="promotion"
    )
    opco = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="opco_fundings",
        verbose_name="OPCO",
        limit_choices_to={"kind": OrganisationKind.OPCO},
    )
    scheme = models.CharField("dispositif", max_length=10, choices=OpcoScheme.choices)
    hours_agreed = models.DecimalField("heures accordées (tous stagiaires)", max_digits=9, decimal_places=2)
    hourly_rate = models.DecimalField("taux horaire (€)", max_digits=7, decimal_places=2)
    reference = models.CharField("numéro de dossier", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OpcoFundingQuerySet.as_manager()

    class Meta:
        verbose_name = "financement OPCO"
        verbose_name_plural = "financements OPCO"
        ordering = ["-cohort__start_date", "pk"]
        constraints = [
            models.CheckConstraint(name="opco_hours_positive", condition=Q(hours_agreed__gt=0)),
            models.CheckConstraint(name="opco_rate_positive", condition=Q(hourly_rate__gt=0)),
        ]

    def __str__(self):
        return f"{self.opco} — {self.cohort}"

    def get_absolute_url(self):
        return reverse("funding:cohort_opco", args=[self.cohort_id])


class OpcoInvoice(models.Model):
    """A claim to the OPCO for the hours attended over a period, with its supporting documents."""

    funding = models.ForeignKey(OpcoFunding, on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField("numéro de facture", max_length=50, blank=True)
    period_start = models.DateField("du")
    period_end = models.DateField("au")
    attended_minutes = models.PositiveIntegerField("minutes suivies facturées")
    amount = money("montant (€)")
    status = models.CharField(
        "statut", max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.TO_ISSUE, db_index=True
    )
    issued_on = models.DateField("émise le", null=True, blank=True)
    paid_on = models.DateField("payée le", null=True, blank=True)
    rejection_reason = models.TextField("motif du rejet", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "facture OPCO"
        verbose_name_plural = "factures OPCO"
        ordering = ["period_start", "pk"]
        constraints = [
            models.CheckConstraint(name="invoice_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="invoice_end_after_start", condition=Q(period_end__gte=models.F("period_start"))
            ),
            models.CheckConstraint(
                name="invoice_rejected_has_reason",
                condition=~Q(status=InvoiceStatus.REJECTED) | ~Q(rejection_reason=""),
            ),
            models.CheckConstraint(
                name="invoice_issued_has_number_and_date",
                condition=Q(status=InvoiceStatus.TO_ISSUE) | (~Q(number="") & Q(issued_on__isnull=False)),
            ),
            models.CheckConstraint(
                name="invoice_paid_has_date",
                condition=~Q(status=InvoiceStatus.PAID) | Q(paid_on__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status", "issued_on"])]

    def __str__(self):
        label = self.number or "facture à émettre"
        return f"{label} — du {self.period_start:%d/%m/%Y} au {self.period_end:%d/%m/%Y}"


# --- budgets ------------------------------------------------------------------------------------


class BudgetQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Network staff and the school's manager: salaries are in it."""
        return self.filter(Q(school__network__in=staff_networks(user)) | Q(school__in=managed_schools(user)))


class Budget(models.Model):
    """The budget of one school for one calendar year: one line per category."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="budgets", verbose_name="école")
    year = models.PositiveSmallIntegerField("année")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        verbose_name = "budget"
        ordering = ["school", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="budget_one_per_school_year"),
            models.CheckConstraint(name="budget_year_range", condition=Q(year__gte=2000, year__lte=2100)),
        ]

    def __str__(self):
        return f"Budget {self.year} — {self.school}"

    def get_absolute_url(self):
        return reverse("funding:budget", args=[self.school.slug, self.year])


class BudgetLine(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField("poste", max_length=30, choices=BudgetCategory.choices)
    planned = money("prévu (€)", default=ZERO)
    actual = money("réalisé (€)", null=True, blank=True)

    class Meta:
        verbose_name = "ligne de budget"
        ordering = ["budget", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "category"], name="budget_line_once"),
            models.CheckConstraint(name="budget_planned_not_negative", condition=Q(planned__gte=0)),
            models.CheckConstraint(
                name="budget_actual_not_negative", condition=Q(actual__isnull=True) | Q(actual__gte=0)
            ),
        ]

    def __str__(self):
        return f"{self.budget} — {self.get_category_display()}"

    @property
    def variance(self) -> Decimal | None:
        return None if self.actual is None else self.actual - self.planned


def agreement_name(grant: Grant) -> str:
    return f"convention-{grant.pk}{Path(grant.agreement.name).suffix or '.pdf'}"
