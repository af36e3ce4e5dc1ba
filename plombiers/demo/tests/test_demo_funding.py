"""The funding of the demo: platforms of 60–80 k€ from one to three funders, the demo funder at
Chelles and Montpellier, OPCO invoices in every state from the signed sheets, budgets per year."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum

from plombiers.conftest import built_once
from plombiers.demo.attendance import AttendanceBuilder
from plombiers.demo.funding import DEMO_FUNDER, FundingBuilder
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.network import Builder
from plombiers.frameworks.loader import frameworks_load
from plombiers.funding import services as svc
from plombiers.funding.enums import GrantPurpose, GrantStatus, InvoiceStatus
from plombiers.funding.models import Budget, BudgetLine, Grant, GrantPayment, OpcoFunding, OpcoInvoice

ONLY = {"chelles", "montpellier"}


def _build(communes):
    demo = Builder().build()
    frameworks_load()
    intake = IntakeBuilder()
    intake.save(intake.plan(demo, intake.prescribers(demo), only=ONLY))
    AttendanceBuilder().build(demo, only=ONLY)
    FundingBuilder().build(demo, only=ONLY)
    return demo


demo_built = built_once(_build)


@pytest.fixture
def demo(demo_built, db):
    return demo_built


def test_demo_funding(demo):
    for key in ONLY:
        school = demo.schools[key]
        platform = Grant.objects.filter(school=school, purpose=GrantPurpose.PLATFORM)
        assert 1 <= platform.count() <= 3
        total = platform.aggregate(total=Sum("amount_granted"))["total"]
        assert Decimal(60_000) <= total <= Decimal(80_000)
        assert platform.filter(funder__name=DEMO_FUNDER).exists()
        assert Budget.objects.filter(school=school).count() == demo_years(school)
    # Payments never exceed the grant, in every grant.
    for grant in Grant.objects.with_paid():
        assert grant.amount_granted is None or grant.paid <= grant.amount_granted
        assert grant.status != GrantStatus.PAID or grant.paid > 0
    statuses = Counter(Grant.objects.values_list("status", flat=True))
    assert statuses[GrantStatus.PAID] and statuses[GrantStatus.REQUESTED]
    invoices = Counter(OpcoInvoice.objects.values_list("status", flat=True))
    assert all(invoices[s] for s in InvoiceStatus.values), invoices
    assert not OpcoInvoice.objects.filter(status=InvoiceStatus.REJECTED, rejection_reason="").exists()
    # A finished cohort's invoice is its attended hours × the rate.
    invoice = OpcoInvoice.objects.filter(status=InvoiceStatus.PAID).select_related("funding__cohort").first()
    minutes = svc.attended_minutes(invoice.funding.cohort)
    assert invoice.attended_minutes == minutes
    assert invoice.amount == svc.claim(invoice.funding, minutes).amount
    variances = [
        line.variance / line.planned
        for line in BudgetLine.objects.exclude(actual=None).filter(budget__year__lt=2025)
    ]
    assert variances and all(abs(v) <= Decimal("0.051") for v in variances)


def demo_years(school):
    from django.utils import timezone

    return timezone.localdate().year - school.opened_on.year + 1


def test_demo_funding_twice_changes_nothing(demo):
    counts = [m.objects.count() for m in (Grant, GrantPayment, OpcoFunding, OpcoInvoice, Budget, BudgetLine)]
    assert FundingBuilder().build(demo, only=ONLY) == 0
    assert [
        m.objects.count() for m in (Grant, GrantPayment, OpcoFunding, OpcoInvoice, Budget, BudgetLine)
    ] == counts
