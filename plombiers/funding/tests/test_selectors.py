import datetime as dt
from decimal import Decimal

import pytest

from plombiers.cohorts.attendance import cohort_hours
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.funding import selectors as sel
from plombiers.funding import services as svc
from plombiers.funding.enums import BpfOrigin, FunderType, GrantPurpose, GrantStatus, InvoiceStatus
from plombiers.outcomes.enums import ExitType
from plombiers.outcomes.tests.factories import ExitFactory
from plombiers.referrals.tests.factories import LearnerFactory

from .conftest import RATE, WEEK_1

pytestmark = pytest.mark.django_db
D = Decimal


def _finish(enrolment, exit_type, status="terminee"):
    enrolment.status, enrolment.end_date = status, dt.date(2026, 10, 30)
    if status == "abandon":
        enrolment.drop_out_reason = "sante"
    enrolment.save()
    return ExitFactory(enrolment=enrolment, exit_type=exit_type)


def test_cost_indicators_on_a_hand_computed_case(cast, course, orgs, today):
    _finish(course.ines, ExitType.CDI)  # positive
    _finish(course.bilal, ExitType.JOB_SEEKING)  # counted, not positive
    _finish(course.chloe, ExitType.MOVED, status="abandon")  # neutralised
    budget = svc.budget_create(school=cast.school_a, year=2026, by=cast.staff, planned={"salaires": "5000"})
    svc.budget_lines_update(
        budget=budget,
        by=cast.staff,
        values={"salaires": {"actual": "5400"}, "consommables": {"actual": "75"}},
    )
    # Another school's figures never leak in.
    other = CohortFactory(school=cast.school_b)
    EnrolmentFactory(cohort=other, learner=LearnerFactory(), entry_date=dt.date(2026, 9, 7))

    costs = sel.costs_by_school([cast.school_a.pk], 2026)[cast.school_a.pk]
    assert costs.spent == D("5475.00") and costs.planned == D("5000.00")
    assert (costs.learners_started, costs.learners_completed) == (3, 2)
    assert (costs.positive_exits, costs.exits_counted) == (1, 2)
    # The same minutes as the attendance app's own computation.
    assert costs.training_minutes == 1825 == sum(h.attended for h in cohort_hours(course.cohort).values())
    assert costs.per_learner_started == D("1825.00")  # 5 475 / 3
    assert costs.per_learner_completed == D("2737.50")
    assert costs.per_positive_exit == D("5475.00")
    assert costs.training_hours == D("30.42")
    assert costs.per_training_hour == D("179.98")  # 5 475 / 30,42
    assert costs.positive_rate == D("50.0")
    assert sel.costs_by_school([cast.school_a.pk], 2025)[cast.school_a.pk].per_learner_started is None
    together = sel.costs([cast.school_a.pk, cast.school_b.pk], 2026)
    assert together.learners_started == 4 and together.spent == D("5475.00")


def test_funding_share_and_bpf(cast, course, orgs, today):
    def paid(funder, amount, *, school=cast.school_a, purpose=GrantPurpose.PLATFORM):
        grant = svc.grant_create(
            by=cast.staff,
            funder=funder,
            school=school,
            network=cast.network,
            purpose=purpose,
            amount_requested=amount,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
        )
        svc.grant_decide(grant=grant, by=cast.staff, to=GrantStatus.GRANTED)
        svc.grant_payment_record(grant=grant, by=cast.staff, amount=amount, paid_on=dt.date(2026, 3, 1))

    paid(orgs.region, "3000")
    paid(orgs.fund, "1000")
    paid(orgs.foundation, "500")
    paid(orgs.foundation, "9999", school=None)  # the network's own: not a school's income
    funding = svc.opco_funding_create(
        cohort=course.cohort,
        by=cast.staff,
        opco=orgs.opco,
        scheme="poec",
        hours_agreed="500",
        hourly_rate=RATE,
    )
    invoice = svc.opco_invoice_create(
        funding=funding, by=cast.staff, period_start=WEEK_1, period_end=WEEK_1 + dt.timedelta(days=6)
    )
    svc.opco_invoice_transition(invoice=invoice, by=cast.staff, to=InvoiceStatus.ISSUED, number="F1")
    shares = {s.funder_type: s for s in sel.funding_share([cast.school_a.pk], 2026)}
    assert shares[FunderType.PUBLIC].amount == D("3000.00")
    assert shares[FunderType.OPCO].amount == D("302.08")
    assert shares[FunderType.FOUNDATIONS].amount == D("500.00")
    assert shares[FunderType.PUBLIC].percent == D("62.5")  # 3 000 / 4 802,08
    assert sum(s.percent for s in shares.values()) == D("100.0")
    network_shares = {
        s.funder_type: s.amount for s in sel.funding_share([], 2026, network_id=cast.network.pk)
    }
    assert network_shares[FunderType.FOUNDATIONS] == D("9999.00")

    figures = sel.bpf(cast.school_a, 2026)
    income = dict(figures.income)
    assert income == {
        BpfOrigin.PUBLIC: D("3000.00"),
        BpfOrigin.OPCO: D("302.08"),
        BpfOrigin.COMPANIES: D("1000.00"),
        BpfOrigin.OTHERS: D("500.00"),
    }
    assert figures.learners == 3 and figures.learner_minutes == 1825
    # Four signed half-days of 3 h 30 led by the trainer (the unsigned one does not count).
    assert figures.trainer_minutes == 4 * 210 and len(figures.trainers) == 1


def test_funder_figures_suppress_small_counts(cast, orgs):
    cohort = CohortFactory(
        school=cast.school_a, start_date=dt.date(2026, 1, 5), end_date=dt.date(2026, 4, 30)
    )
    enrolments = [
        EnrolmentFactory(cohort=cohort, learner=LearnerFactory(), entry_date=dt.date(2026, 1, 5))
        for _ in range(6)
    ]
    for enrolment in enrolments[:3]:
        _finish(enrolment, ExitType.CDI)
    rows = sel.funder_figures([cast.school_a], 2026, today=dt.date(2026, 11, 10))
    assert len(rows) == 1
    row = rows[0]
    assert (row.started, row.completed, row.positive) == ("6", "< 5", "< 5")
    # The rule of every figure that leaves the school team: 1 to 4 hidden, zero published.
    assert [sel.suppressed(n) for n in (0, 1, 4, 5)] == ["0", "< 5", "< 5", "5"]


def test_funded_schools_are_those_with_a_committed_grant(cast, orgs):
    grant = svc.grant_create(
        by=cast.staff,
        funder=orgs.foundation,
        school=cast.school_b,
        purpose=GrantPurpose.PLATFORM,
        amount_requested="70000",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    assert not sel.funded_schools([orgs.foundation.pk]).exists()
    svc.grant_decide(grant=grant, by=cast.staff, to=GrantStatus.GRANTED)
    assert list(sel.funded_schools([orgs.foundation.pk])) == [cast.school_b]
