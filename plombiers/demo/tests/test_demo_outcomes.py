"""The exits and follow-ups of the demo: one per finished enrolment, near 70 % positive, follow-ups
consistent with today's date, the graduate of DEMO.md, and a second run that changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.conftest import built_once
from plombiers.demo.attendance import AttendanceBuilder
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.internships import THOMAS, InternshipsBuilder
from plombiers.demo.network import Builder
from plombiers.demo.outcomes import OutcomesBuilder
from plombiers.demo.skills import SkillsBuilder
from plombiers.frameworks.loader import frameworks_load
from plombiers.internships.enums import ApplicationStatus, ContractType
from plombiers.internships.models import Application
from plombiers.lib.dates import add_months
from plombiers.outcomes.enums import (
    CATEGORY_OF,
    NO_NEWS_AFTER_DAYS,
    ExitCategory,
    ExitType,
    FollowUpSource,
    FollowUpStatus,
)
from plombiers.outcomes.models import Exit, FollowUp


def _build(communes):
    """The demo network with the histories of Chelles only (quicker)."""
    demo = Builder().build()
    frameworks_load()
    intake = IntakeBuilder()
    intake.save(intake.plan(demo, intake.prescribers(demo), only={"chelles"}))
    SkillsBuilder().build(demo, only={"chelles"})
    AttendanceBuilder().build(demo, only={"chelles"})
    InternshipsBuilder().build(demo, only={"chelles"})
    demo.plan = OutcomesBuilder().build(demo, only={"chelles"})
    return demo


demo_built = built_once(_build)


@pytest.fixture
def demo(demo_built, db):
    return demo_built


def test_every_finished_enrolment_has_its_exit_and_four_follow_ups(demo):
    ended = Enrolment.objects.filter(
        cohort__school=demo.schools["chelles"],
        cohort__status=CohortStatus.FINISHED,
        status__in=[EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT],
    )
    assert ended.count() > 100
    assert set(Exit.objects.values_list("enrolment", flat=True)) == set(ended.values_list("pk", flat=True))
    assert FollowUp.objects.count() == 4 * ended.count()
    for exit in Exit.objects.all():
        assert exit.category == CATEGORY_OF[exit.exit_type]
        assert exit.exit_date == exit.enrolment.end_date
    # The cohort under way has no exit yet (its drop-outs are the exits to record).
    assert not Exit.objects.filter(enrolment__cohort__status=CohortStatus.ONGOING).exists()


def test_about_seven_in_ten_positive_exits_and_drop_outs_mostly_other(demo):
    counted = Exit.objects.counted().count()
    rate = Exit.objects.positive().count() / counted
    assert 0.5 <= rate <= 0.9
    dropped = Exit.objects.filter(enrolment__status=EnrolmentStatus.DROPPED_OUT)
    other = dropped.filter(category=ExitCategory.OTHER).count()
    assert other > dropped.count() / 2
    assert dropped.filter(category=ExitCategory.NEUTRALISED).exists()
    # Hires of partner companies in the exits, with the internship host flagged.
    assert Exit.objects.filter(employer__isnull=False, hired_by_internship_host=True).count() > 10


def test_follow_ups_are_consistent_with_today(demo):
    today = timezone.localdate()
    for follow_up in FollowUp.objects.select_related("exit"):
        assert follow_up.due_on == add_months(follow_up.exit.exit_date, follow_up.horizon)
        no_news = follow_up.due_on + dt.timedelta(days=NO_NEWS_AFTER_DAYS)
        if follow_up.due_on > today:
            assert follow_up.status == FollowUpStatus.DUE
        elif today > no_news:
            assert follow_up.status != FollowUpStatus.DUE
        if follow_up.status == FollowUpStatus.NO_NEWS:
            assert follow_up.source == FollowUpSource.SYSTEM
            assert follow_up.situation_type == ExitType.NO_NEWS
        if follow_up.answered_at is not None:
            assert timezone.localdate(follow_up.answered_at) <= today
    statuses = set(FollowUp.objects.values_list("status", flat=True))
    assert statuses == {FollowUpStatus.DUE, FollowUpStatus.DONE, FollowUpStatus.NO_NEWS}
    # The drift: some young people in a transition job at exit are in a durable one later.
    assert FollowUp.objects.filter(
        exit__category=ExitCategory.TRANSITION_JOB, category=ExitCategory.DURABLE_JOB
    ).exists()


def test_the_graduate_of_demo_md(demo):
    """At Chelles, a finished learner of the previous cohort: exit into a CDI with the internship
    company, follow-ups at 1 and 3 months answered (when due), the later ones to come."""
    graduate = demo.plan.graduate
    assert graduate.cohort.school == demo.schools["chelles"]
    assert graduate.referral.prescriber == demo.users[THOMAS]
    exit = Exit.objects.get(enrolment=graduate)
    assert exit.exit_type == ExitType.CDI and exit.hired_by_internship_host
    assert exit.employer is not None
    hire = Application.objects.get(enrolment=graduate, status=ApplicationStatus.HIRED)
    assert (hire.offer.company, hire.offer.contract) == (exit.employer, ContractType.CDI)
    today = timezone.localdate()
    for follow_up in exit.follow_ups.all():
        if follow_up.due_on <= today:
            assert (follow_up.status, follow_up.situation_type) == (FollowUpStatus.DONE, ExitType.CDI)
        else:
            assert follow_up.status == FollowUpStatus.DUE


def test_a_second_run_changes_nothing(demo):
    before = (Exit.objects.count(), FollowUp.objects.count())
    assert OutcomesBuilder().build(demo, only={"chelles"}) is None
    assert (Exit.objects.count(), FollowUp.objects.count()) == before


def test_the_impact_api_rate_equals_a_recomputation_from_the_exits_api(client, demo):
    """On the demo data, the positive-exit rate of `GET /api/v1/impact` equals the one recomputed
    from the exits served by `GET /api/v1/exits` (every page of it), by the official definition."""
    from plombiers.accounts.services import api_token_create

    _token, raw = api_token_create(user=demo.users["reseau@plombiers.example"])
    headers = {"Authorization": f"Bearer {raw}"}
    categories, offset = [], 0
    while True:
        page = client.get(f"/api/v1/exits?limit=100&offset={offset}", headers=headers).json()
        categories += [item["category"] for item in page["items"]]
        offset += 100
        if offset >= page["count"]:
            break
    assert len(categories) == page["count"] > 100
    counted = [c for c in categories if c != "sortie_neutralisee"]
    positive = sum(c in ("emploi_durable", "emploi_transition", "sortie_positive") for c in counted)
    rate = client.get("/api/v1/impact?scope=network", headers=headers).json()["total"]["indicators"][
        "positive_exit_rate"
    ]
    assert (rate["numerator"], rate["denominator"]) == (positive, len(counted))
    assert rate["value"] == round(positive / len(counted), 4)
    assert 0.55 <= rate["value"] <= 0.9
