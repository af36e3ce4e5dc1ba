"""The demo's funding: grants for the technical platforms and the running costs, OPCO funding of
the cohorts with their invoices, and budgets per school and year.

Each school's platform was paid for, when it opened, by one to three of its partner funders:
60–80 k€ in all, granted and paid (the demo funder, a foundation, is always one of them at Chelles
and Montpellier). Every year since, the school's département paid part of its running costs
(« fonctionnement ») and, every other year, a national funder its social support: paid for the
past years, granted and partly paid this year, requested for next year; a few requests were
refused. Each grant expects a final report three months after its period, done for the past ones,
to do for the current ones (the reminders of `plombiers daily` have something to say).

The OPCO of each school funds its finished and ongoing cohorts (POEC, a few « autre »), 12–15 € per
hour, the hours agreed being the scheduled hours of the cohort for each seat. A finished cohort is
claimed in one invoice for its whole period, from the minutes attended on its signed sheets (the
rule of `Enrolment.objects.with_hours()`): most are paid, the latest of each school is issued and
awaits payment, a few were rejected first (a reason, then a corrected invoice, paid). An ongoing
cohort has its first four weeks issued and the next four to issue, once their sheets are signed.

Budgets cover each school's years from its opening to this year: planned lines of a plausible
size, and actual amounts within a few percent of them for the past years (this year's left
partly to be entered).

Rows are written with `bulk_create`, each one a row the services would have accepted. Each school
draws from its own random stream; a second run finds the grants and changes nothing.
"""

import datetime as dt
import itertools
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone

from plombiers.cohorts.enums import AttendanceStatus, CohortStatus
from plombiers.cohorts.models import Attendance, Cohort, TrainingSession
from plombiers.demo.network import DemoNetwork
from plombiers.funding.enums import BudgetCategory, GrantPurpose, GrantStatus, InvoiceStatus, OpcoScheme
from plombiers.funding.models import (
    Budget,
    BudgetLine,
    Grant,
    GrantPayment,
    GrantReport,
    OpcoFunding,
    OpcoInvoice,
)
from plombiers.funding.money import cents
from plombiers.network.enums import OrganisationCategory, OrganisationKind
from plombiers.network.models import Partnership

THERE = [AttendanceStatus.PRESENT, AttendanceStatus.LATE]
DEMO_FUNDER = "Fondation Connexions Solidaires"
REJECTIONS = [
    "Feuille d'émargement d'une semaine sans la signature du formateur.",
    "Numéro de dossier OPCO absent de la facture.",
    "Certificat de réalisation manquant pour un stagiaire.",
]
BUDGET = {  # (low, high) in euros
    BudgetCategory.SALARIES: (150_000, 210_000),
    BudgetCategory.PLATFORM: (4_000, 9_000),
    BudgetCategory.CONSUMABLES: (4_000, 8_000),
    BudgetCategory.INTERNSHIPS: (2_000, 4_000),
    BudgetCategory.SOCIAL_SUPPORT: (20_000, 40_000),
    BudgetCategory.OVERHEADS: (15_000, 25_000),
}


def _euros(rng: random.Random, low: int, high: int, step: int = 500) -> Decimal:
    return Decimal(rng.randrange(low, high + 1, step)).quantize(Decimal("0.01"))


def _split(rng: random.Random, total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` round amounts (multiples of 1 000 €) that add up exactly."""
    if parts == 1:
        return [total]
    cuts = sorted(rng.sample(range(1, int(total // 1000)), parts - 1))
    bounds = [0, *cuts, int(total // 1000)]
    amounts = [Decimal((b - a) * 1000) for a, b in itertools.pairwise(bounds)]
    amounts[-1] += total - sum(amounts)
    return [a.quantize(Decimal("0.01")) for a in amounts]


class FundingBuilder:
    def __init__(self, seed: int = 2017):
        self.seed = seed

    def build(self, demo: DemoNetwork, only: set[str] | None = None) -> int:
        """Returns the number of grants written (0 when the demo already has them)."""
        network = demo.network
        if Grant.objects.filter(network=network).exists():
            return 0
        self.today = timezone.localdate()
        self.staff = demo.users.get("reseau@plombiers.example")
        schools = {key: s for key, s in demo.schools.items() if only is None or key in only}
        funders_by_school = defaultdict(list)
        for p in (
            Partnership.objects.filter(
                school__in=schools.values(), organisation__kind=OrganisationKind.FUNDER
            )
            .select_related("organisation")
            .order_by("organisation__name")
        ):
            funders_by_school[p.school_id].append(p.organisation)
        opco_by_school = {
            p.school_id: p.organisation
            for p in Partnership.objects.filter(
                school__in=schools.values(), organisation__kind=OrganisationKind.OPCO
            ).select_related("organisation")
        }
        self.grants, self.payments, self.reports = [], [], []
        for key in sorted(schools):
            school = schools[key]
            rng = random.Random(f"{self.seed}:funding:{key}")
            self.school_grants(rng, school, funders_by_school[school.pk])
        Grant.objects.bulk_create([g for g, _, _ in self.grants])
        for grant, payments, reports in self.grants:
            for paid_on, amount in payments:
                self.payments.append(
                    GrantPayment(grant=grant, paid_on=paid_on, amount=amount, recorded_by=self.staff)
                )
            for title, due_on, done in reports:
                self.reports.append(
                    GrantReport(
                        grant=grant,
                        title=title,
                        due_on=due_on,
                        done=done,
                        done_on=due_on - dt.timedelta(days=12) if done else None,
                    )
                )
        GrantPayment.objects.bulk_create(self.payments)
        GrantReport.objects.bulk_create(self.reports)
        self.opco(schools, opco_by_school)
        self.budgets(schools)
        return len(self.grants)

    # --- grants -------------------------------------------------------------------------------

    def grant(self, school, funder, purpose, amount, start, end, status, *, paid=None, report_done=True):
        decided_on = start - dt.timedelta(days=45)
        grant = Grant(
            network_id=school.network_id,
            funder=funder,
            school=school,
            purpose=purpose,
            amount_requested=amount,
            amount_granted=amount if status in (GrantStatus.GRANTED, GrantStatus.PAID) else None,
            period_start=start,
            period_end=end,
            status=status,
            decided_on=decided_on if status != GrantStatus.REQUESTED else None,
            reference=f"{funder.name[:3].upper()}-{start.year}-{school.pk:03d}",
            conditions="Compte rendu final d'activité et financier ; logo du financeur sur le plateau."
            if purpose == GrantPurpose.PLATFORM
            else "",
            created_by=self.staff,
        )
        payments = paid or []
        reports = []
        if status in (GrantStatus.GRANTED, GrantStatus.PAID):
            due = end + dt.timedelta(days=90)
            reports.append(("Compte rendu final", due, report_done and due < self.today))
        self.grants.append((grant, payments, reports))

    def school_grants(self, rng, school, funders):
        opened = school.opened_on
        local = [f for f in funders if f.category == OrganisationCategory.LOCAL_AUTHORITY]
        others = [f for f in funders if f.category != OrganisationCategory.LOCAL_AUTHORITY]
        demo_funder = [f for f in others if f.name == DEMO_FUNDER]
        # The platform: one to three funders, the demo foundation first where it is a partner.
        platform_funders = demo_funder + [f for f in others if f not in demo_funder]
        platform_funders = platform_funders[: rng.randint(1, 3)] or local[:1]
        if len(platform_funders) < 3 and local and rng.random() < 0.5:
            platform_funders.append(local[0])
        total = _euros(rng, 60_000, 80_000, 1000)
        end = opened.replace(year=opened.year + 1) - dt.timedelta(days=1)
        for funder, amount in zip(platform_funders, _split(rng, total, len(platform_funders)), strict=True):
            first = (amount * Decimal("0.6")).quantize(Decimal("1.00"))
            paid_on = min(opened + dt.timedelta(days=20), self.today - dt.timedelta(days=1))
            payments = [(paid_on, first)]
            second_on = opened + dt.timedelta(days=300)
            if second_on < self.today:
                payments.append((second_on, amount - first))
            self.grant(
                school, funder, GrantPurpose.PLATFORM, amount, opened, end, GrantStatus.PAID, paid=payments
            )
        # Running costs from the département, each year; social support every other year.
        if not local:
            return
        for year in range(opened.year, self.today.year + 2):
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            amount = _euros(rng, 15_000, 30_000, 1000)
            if year > self.today.year:
                self.grant(
                    school, local[0], GrantPurpose.OPERATIONS, amount, start, end, GrantStatus.REQUESTED
                )
            elif year == self.today.year:
                half = (amount / 2).quantize(Decimal("1.00"))
                self.grant(
                    school, local[0], GrantPurpose.OPERATIONS, amount, start, end, GrantStatus.PAID,
                    paid=[(min(dt.date(year, 3, 15), self.today), half)], report_done=False,
                )  # fmt: skip
            elif rng.random() < 0.08:
                self.grant(school, local[0], GrantPurpose.OPERATIONS, amount, start, end, GrantStatus.REFUSED)
            else:
                half = (amount / 2).quantize(Decimal("1.00"))
                self.grant(
                    school, local[0], GrantPurpose.OPERATIONS, amount, start, end, GrantStatus.PAID,
                    paid=[(dt.date(year, 3, 15), half), (dt.date(year, 10, 15), amount - half)],
                )  # fmt: skip
            if others and year % 2 == opened.year % 2 and year <= self.today.year:
                funder = others[(year // 2) % len(others)]
                amount = _euros(rng, 8_000, 15_000, 500)
                end = dt.date(year + 1, 12, 31)
                if end < self.today:
                    paid = [(dt.date(year, 4, 1), amount)]
                    self.grant(
                        school,
                        funder,
                        GrantPurpose.SOCIAL_SUPPORT,
                        amount,
                        start,
                        end,
                        GrantStatus.PAID,
                        paid=paid,
                    )
                else:
                    self.grant(
                        school,
                        funder,
                        GrantPurpose.SOCIAL_SUPPORT,
                        amount,
                        start,
                        end,
                        GrantStatus.GRANTED,
                        report_done=False,
                    )

    # --- OPCO ---------------------------------------------------------------------------------

    def opco(self, schools, opco_by_school):
        cohorts = list(
            Cohort.objects.filter(
                school__in=schools.values(), status__in=[CohortStatus.FINISHED, CohortStatus.ONGOING]
            ).order_by("school__slug", "start_date", "pk")
        )
        ids = [c.pk for c in cohorts]
        scheduled = dict(
            TrainingSession.objects.filter(cohort__in=ids)
            .values_list("cohort")
            .annotate(total=Sum("duration_minutes"))
            .order_by()
        )
        signed = Attendance.objects.signed().filter(session__cohort__in=ids, status__in=THERE)
        attended = dict(
            signed.values_list("session__cohort")
            .annotate(total=Sum(F("session__duration_minutes") - F("late_minutes")))
            .order_by()
        )
        fundings, plans = [], []
        by_school = defaultdict(list)
        for cohort in cohorts:
            by_school[cohort.school_id].append(cohort)
        for school_id, school_cohorts in by_school.items():
            opco = opco_by_school.get(school_id)
            if opco is None:
                continue
            rng = random.Random(f"{self.seed}:opco:{school_id}")
            finished = [c for c in school_cohorts if c.status == CohortStatus.FINISHED]
            rejected = set(rng.sample([c.pk for c in finished[:-1]], min(2, max(len(finished) - 1, 0))))
            for cohort in school_cohorts:
                rate = Decimal(rng.choice(["12.00", "12.50", "13.00", "14.00", "15.00"]))
                hours = Decimal(scheduled.get(cohort.pk, 0) * cohort.capacity) / 60
                funding = OpcoFunding(
                    cohort=cohort,
                    opco=opco,
                    scheme=OpcoScheme.POEC if rng.random() < 0.9 else OpcoScheme.OTHER,
                    hours_agreed=cents(max(hours, Decimal(1))),
                    hourly_rate=rate,
                    reference=f"POEC-{cohort.start_date:%Y}-{cohort.pk:05d}",
                    created_by=self.staff,
                )
                fundings.append(funding)
                plans.append(
                    (funding, cohort, cohort == finished[-1] if finished else False, cohort.pk in rejected)
                )
        OpcoFunding.objects.bulk_create(fundings)
        invoices = []
        for funding, cohort, latest, was_rejected in plans:
            number = f"F{cohort.end_date:%Y}-{cohort.pk:05d}"
            if cohort.status == CohortStatus.FINISHED:
                minutes = min(attended.get(cohort.pk, 0), int(funding.hours_agreed * 60))
                if not minutes:
                    continue
                amount = cents(Decimal(minutes) / 60 * funding.hourly_rate)
                issued_on = min(cohort.end_date + dt.timedelta(days=10), self.today)
                common = {"funding": funding, "period_start": cohort.start_date, "period_end": cohort.end_date,
                              "attended_minutes": minutes, "amount": amount, "created_by": self.staff}  # fmt: skip
                if was_rejected:
                    invoices.append(OpcoInvoice(**common, number=number, status=InvoiceStatus.REJECTED, issued_on=issued_on,
                                                rejection_reason=REJECTIONS[cohort.pk % len(REJECTIONS)]))  # fmt: skip
                    number += "-B"
                if latest and not was_rejected:
                    invoices.append(
                        OpcoInvoice(**common, number=number, status=InvoiceStatus.ISSUED, issued_on=issued_on)
                    )
                else:
                    paid_on = min(issued_on + dt.timedelta(days=45), self.today)
                    invoices.append(
                        OpcoInvoice(
                            **common,
                            number=number,
                            status=InvoiceStatus.PAID,
                            issued_on=issued_on,
                            paid_on=paid_on,
                        )
                    )
            else:
                yesterday = self.today - dt.timedelta(days=1)
                for index, status in enumerate((InvoiceStatus.ISSUED, InvoiceStatus.TO_ISSUE)):
                    start = cohort.start_date + dt.timedelta(days=28 * index)
                    end = start + dt.timedelta(days=27)
                    if end > yesterday:
                        break
                    minutes = (
                        signed.filter(session__cohort=cohort, session__date__range=(start, end)).aggregate(
                            total=Sum(F("session__duration_minutes") - F("late_minutes"))
                        )["total"]
                        or 0
                    )
                    if not minutes:
                        continue
                    invoices.append(
                        OpcoInvoice(
                            funding=funding, period_start=start, period_end=end, attended_minutes=minutes,
                            amount=cents(Decimal(minutes) / 60 * funding.hourly_rate), status=status,
                            number=f"{number}-{index + 1}" if status == InvoiceStatus.ISSUED else "",
                            issued_on=min(end + dt.timedelta(days=5), self.today) if status == InvoiceStatus.ISSUED else None,
                            created_by=self.staff,
                        )
                    )  # fmt: skip
        OpcoInvoice.objects.bulk_create(invoices)

    # --- budgets ------------------------------------------------------------------------------

    def budgets(self, schools):
        budgets, plans = [], []
        for key in sorted(schools):
            school = schools[key]
            rng = random.Random(f"{self.seed}:budget:{key}")
            for year in range(school.opened_on.year, self.today.year + 1):
                budget = Budget(school=school, year=year)
                budgets.append(budget)
                lines = []
                for category, (low, high) in BUDGET.items():
                    planned = _euros(rng, low, high)
                    if category == BudgetCategory.PLATFORM and year == school.opened_on.year:
                        planned += 70_000  # the platform itself, the year it opened
                    variance = Decimal(rng.randint(-50, 50)) / 1000  # ± 5 %
                    actual = cents(planned * (1 + variance))
                    if year == self.today.year:
                        actual = (
                            cents(actual * Decimal(self.today.timetuple().tm_yday) / 365)
                            if rng.random() < 0.7
                            else None
                        )
                    lines.append((category, planned, actual))
                plans.append((budget, lines))
        Budget.objects.bulk_create(budgets)
        BudgetLine.objects.bulk_create(
            BudgetLine(budget=budget, category=category, planned=planned, actual=actual)
            for budget, lines in plans
            for category, planned, actual in lines
        )


def demo_funding_counts(network) -> dict[str, int]:
    grants = Grant.objects.filter(network=network)
    invoices = OpcoInvoice.objects.filter(funding__cohort__school__network=network)
    return {
        "subventions": grants.count(),
        "versements": GrantPayment.objects.filter(grant__network=network).count(),
        "financements OPCO": OpcoFunding.objects.filter(cohort__school__network=network).count(),
        "factures OPCO": invoices.count(),
        "budgets": Budget.objects.filter(school__network=network).count(),
    }
