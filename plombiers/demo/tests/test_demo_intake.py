"""The intake history of the demo: the story of DEMO.md and numbers that follow the model."""

import itertools
from collections import Counter

from django.db.models import Count
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment, WaitlistEntry
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.network import Builder
from plombiers.network.models import Organisation, School
from plombiers.referrals.enums import OPEN_STATUSES, TRANSITIONS, Diploma, ReferralStatus
from plombiers.referrals.models import Invitation, Learner, Referral, ReferralEvent, identity_key


def intake_counts():
    models = (
        Learner,
        Referral,
        ReferralEvent,
        Invitation,
        Cohort,
        Enrolment,
        WaitlistEntry,
        User,
        Membership,
    )
    return [m.objects.count() for m in models]


def check_the_story_of_demo_md(demo):
    today = timezone.localdate()
    chelles, roubaix = demo.schools["chelles"], demo.schools["roubaix"]
    ongoing = chelles.cohorts.get(status=CohortStatus.ONGOING)
    assert ongoing.start_date <= today <= ongoing.end_date

    ines = Learner.objects.get(user__email="jeune@plombiers.example")
    assert (ines.first_name, ines.age_on(today), ines.lives_in_qpv) == ("Inès", 19, True)
    assert ines.commune.insee_code == "77108"
    referral = ines.referrals.get()
    assert referral.prescriber.email == "prescription@plombiers.example"
    assert referral.prescriber_organisation.name == "Mission Locale Horizon Chelles"
    assert referral.status == ReferralStatus.ADMITTED
    assert ines.enrolments.get().cohort == ongoing
    assert ines.enrolments.get().status == EnrolmentStatus.ACTIVE

    thomas = Referral.objects.filter(prescriber__email="prescription@plombiers.example", school=chelles)
    statuses = set(thomas.values_list("status", flat=True))
    assert len(statuses) >= 4
    assert ReferralStatus.ADMITTED in statuses
    assert statuses & {ReferralStatus.REFUSED, ReferralStatus.REDIRECTED}
    assert statuses & {*OPEN_STATUSES, ReferralStatus.WAITLIST}  # one still waiting

    assert "formation@plombiers.example" in {u.email for u in ongoing.trainers.all()}
    assert ongoing.social_worker.email == "accompagnement@plombiers.example"
    roubaix_ongoing = roubaix.cohorts.get(status=CohortStatus.ONGOING)
    assert "formation.roubaix@plombiers.example" in {u.email for u in roubaix_ongoing.trainers.all()}

    previous = chelles.cohorts.filter(status=CohortStatus.FINISHED).order_by("-start_date").first()
    assert previous.enrolments.filter(
        status=EnrolmentStatus.COMPLETED, referral__prescriber__email="prescription@plombiers.example"
    ).exists()


def check_each_school_has_its_cohorts():
    today = timezone.localdate()
    for school in School.objects.select_related("trade"):
        cohorts = list(school.cohorts.order_by("start_date"))
        statuses = Counter(c.status for c in cohorts)
        assert statuses[CohortStatus.ONGOING] == 1
        assert statuses[CohortStatus.PLANNED] == 1
        assert cohorts[0].start_date == school.opened_on
        assert [c.status for c in cohorts[-2:]] == [CohortStatus.ONGOING, CohortStatus.PLANNED]
        ongoing, planned = cohorts[-2:]
        assert ongoing.start_date <= today <= ongoing.end_date < planned.start_date
        years = (ongoing.start_date - school.opened_on).days / 365.25
        assert 2 <= len(cohorts[:-2]) / years <= 3
        for cohort in cohorts:
            assert cohort.capacity == (12 if school.trade.slug == "technicien-data-center" else 8)
            assert 84 <= (cohort.end_date - cohort.start_date).days <= 124
            assert cohort.name.startswith(f"Promotion {cohort.start_date.year}-")
        for previous, following in itertools.pairwise(cohorts):
            assert previous.end_date < following.start_date
        assert all(c.end_date < today for c in cohorts[:-2])
        assert school.referrals.filter(status__in=OPEN_STATUSES).exists()


def check_cohorts_enrolments_and_waiting_lists():
    today = timezone.localdate()
    for cohort in Cohort.objects.annotate(
        n=Count("enrolments", distinct=True), waiting=Count("waitlist", distinct=True)
    ):
        assert cohort.n <= cohort.capacity
        if cohort.waiting:
            assert cohort.n == cohort.capacity  # a waiting list only on a full cohort
            assert cohort.status != CohortStatus.FINISHED
    assert WaitlistEntry.objects.filter(cohort__status=CohortStatus.ONGOING).exists()
    for cohort in Cohort.objects.filter(waitlist__isnull=False).distinct():
        entries = list(cohort.waitlist.select_related("referral"))
        assert [e.position for e in entries] == list(range(1, len(entries) + 1))
        assert {e.referral.status for e in entries} == {ReferralStatus.WAITLIST}
    finished = Enrolment.objects.filter(cohort__status=CohortStatus.FINISHED).select_related("cohort")
    assert set(finished.values_list("status", flat=True)) == {
        EnrolmentStatus.COMPLETED,
        EnrolmentStatus.DROPPED_OUT,
    }
    for enrolment in finished.filter(status=EnrolmentStatus.DROPPED_OUT):
        assert enrolment.drop_out_reason
        assert enrolment.entry_date <= enrolment.end_date < enrolment.cohort.end_date
    share = finished.filter(status=EnrolmentStatus.DROPPED_OUT).count() / finished.count()
    assert 0.05 <= share <= 0.20
    assert not Enrolment.objects.filter(cohort__status=CohortStatus.PLANNED).exclude(status="active").exists()
    active = Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE)
    assert not active.filter(cohort__status=CohortStatus.FINISHED).exists()
    assert active.filter(cohort__status=CohortStatus.ONGOING, cohort__start_date__lte=today).exists()
    for enrolment in Enrolment.objects.select_related("referral", "cohort"):
        assert enrolment.referral.status == ReferralStatus.ADMITTED
        assert enrolment.referral.school_id == enrolment.cohort.school_id
        assert enrolment.entry_date == enrolment.cohort.start_date
        assert enrolment.eligibility_override == enrolment.referral.eligibility_override


def check_referrals_in_every_status_with_their_history():
    statuses = Counter(Referral.objects.values_list("status", flat=True))
    assert set(statuses) == set(ReferralStatus.values)
    assert 0.35 <= statuses[ReferralStatus.ADMITTED] / sum(statuses.values()) <= 0.65
    now = timezone.now()
    events = {}
    for event in ReferralEvent.objects.order_by("at", "pk"):
        events.setdefault(event.referral_id, []).append(event)
    for referral in Referral.objects.all():
        history = events[referral.pk]
        assert (history[0].from_status, history[0].to_status) == ("", ReferralStatus.NEW)
        assert history[0].by_id == referral.prescriber_id == referral.created_by_id
        for before, after in itertools.pairwise(history):
            assert after.from_status == before.to_status
            assert after.to_status in TRANSITIONS[before.to_status]
            assert before.at < after.at
        assert history[-1].to_status == referral.status
        assert history[-1].at == referral.status_changed_at <= now
        assert referral.referred_on == timezone.localdate(history[0].at)
        assert referral.created_at == history[0].at  # written when it was made, not when the demo ran
        assert "eligible" in referral.eligibility
        if referral.status in (ReferralStatus.REFUSED, ReferralStatus.REDIRECTED):
            assert referral.reason
        if referral.status in OPEN_STATUSES:
            assert (now - referral.status_changed_at).days < 60  # else the daily task expires it
        if referral.status == ReferralStatus.ADMITTED and not referral.eligibility["eligible"]:
            assert referral.eligibility_override
        if referral.status == ReferralStatus.EXPIRED:
            assert history[-1].by_id is None
    decided = Referral.objects.filter(status__in=[ReferralStatus.REFUSED, ReferralStatus.REDIRECTED])
    assert set(decided.values_list("reason_shared", flat=True)) == {True, False}
    assert Referral.objects.filter(status=ReferralStatus.ADMITTED).exclude(eligibility_override="").exists()
    assert set(Invitation.objects.values_list("attended", flat=True)) == {True, False, None}
    # Prescribers: several structures per school, each counsellor a member of their structure.
    for school in School.objects.all():
        assert school.referrals.values("prescriber_organisation").distinct().count() >= 3
    members = set(Membership.objects.filter(role=Role.PRESCRIBER).values_list("user", "organisation"))
    referrers = set(Referral.objects.values_list("prescriber", "prescriber_organisation").distinct())
    assert referrers <= members
    assert Organisation.objects.filter(kind="prescriber", memberships__isnull=True).count() == 0


def check_learners_follow_the_model():
    learners = Learner.objects.select_related("commune")
    total = learners.count()
    assert total > 1000
    assert 0.15 <= learners.filter(gender="femme").count() / total <= 0.25
    assert 0.40 <= learners.filter(lives_in_qpv=True).count() / total <= 0.55
    low = learners.filter(highest_diploma__in=[Diploma.NONE, Diploma.LEVEL_3]).count()
    assert low / total >= 0.85
    assert learners.filter(has_rqth=True).exists()
    for learner in learners:
        assert learner.identity_key == identity_key(
            last_name=learner.last_name, first_name=learner.first_name, birth_date=learner.birth_date
        )
    for referral in Referral.objects.select_related("learner__commune", "school__commune"):
        assert referral.learner.commune.departement_id == referral.school.commune.departement_id
        age = referral.learner.age_on(referral.referred_on)
        assert 15 <= age <= 30
    # A few duplicate attempts: one young person, two structures, one referral cancelled.
    doubles = ReferralEvent.objects.filter(to_status=ReferralStatus.CANCELLED, note__startswith="Doublon")
    assert 18 <= doubles.count() <= 100
    for event in doubles.select_related("referral__learner"):
        referrals = event.referral.learner.referrals.filter(school=event.referral.school_id)
        assert referrals.count() >= 2
        assert referrals.values("prescriber_organisation").distinct().count() >= 2


def test_demo_intake(communes):
    """One build (a few seconds) checked from every side, then built again: nothing changes."""
    demo = Builder().build()
    assert IntakeBuilder().build(demo) is not None
    check_the_story_of_demo_md(demo)
    check_each_school_has_its_cohorts()
    check_cohorts_enrolments_and_waiting_lists()
    check_referrals_in_every_status_with_their_history()
    check_learners_follow_the_model()
    before = intake_counts()
    assert IntakeBuilder().build(Builder().build()) is None
    assert intake_counts() == before


def test_same_seed_same_people(communes):
    demo = Builder().build()
    builder = IntakeBuilder(seed=7)
    prescribers = builder.prescribers(demo)

    def names(seed):
        plan = IntakeBuilder(seed=seed).plan(demo, prescribers, only={"chelles"})
        return [(x.first_name, x.last_name, x.birth_date) for x in plan.learners]

    assert names(7) == names(7)
    assert names(7) != names(8)
