"""The observation histories of the demo: Inès's story, the data rules, plausible progress."""

import datetime as dt
import itertools
from collections import Counter, defaultdict

import pytest
from django.core.files.base import ContentFile
from django.db.models import Count, F, Q
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership
from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.network import Builder
from plombiers.demo.skills import SkillsBuilder
from plombiers.frameworks.loader import frameworks_load
from plombiers.lib.evidence import check_evidence
from plombiers.skills.enums import ACQUIRED_LEVELS, Context, Level
from plombiers.skills.models import Evidence, Observation

ORDER = {Level.NOT_OBSERVED: 0, Level.IN_PROGRESS: 1, Level.ACQUIRED: 2, Level.MASTERED: 3}


@pytest.fixture
def demo(communes, frameworks):
    """The demo network, with the intake history of Chelles and Roubaix only (quicker)."""
    demo = Builder().build()
    intake = IntakeBuilder()
    intake.save(intake.plan(demo, intake.prescribers(demo), only={"chelles", "roubaix"}))
    return demo


@pytest.fixture
def frameworks(db):
    frameworks_load()


def test_demo_observation_histories(demo):
    assert not Cohort.objects.filter(framework=None).exists()
    plan = SkillsBuilder().build(demo)
    assert plan is not None
    today = timezone.localdate()
    observations = Observation.objects.all()
    assert observations.count() == len(plan.observations) > 10_000

    # Data rules: the cohort's framework, never in the future, never long before entry,
    # nothing after a drop-out, observers from the school's team.
    assert not observations.exclude(skill__framework=F("enrolment__cohort__framework")).exists()
    assert not observations.filter(observed_on__gt=today).exists()
    entries = {e.pk: e for e in Enrolment.objects.all()}
    trainers = set(Membership.objects.filter(role=Role.TRAINER).values_list("user", "school"))
    for enrolment_id, observed_on, observer, school in observations.values_list(
        "enrolment", "observed_on", "observer", "enrolment__cohort__school"
    ):
        enrolment = entries[enrolment_id]
        assert observed_on >= enrolment.entry_date - dt.timedelta(days=31)
        if enrolment.status == EnrolmentStatus.DROPPED_OUT:
            assert observed_on <= enrolment.end_date
        assert (observer, school) in trainers
    planned = Enrolment.objects.filter(cohort__status=CohortStatus.PLANNED)
    assert not observations.filter(enrolment__in=planned).exists()

    # Entry positioning for every observed learner, mostly « non observé » or « en cours ».
    observed = set(observations.values_list("enrolment", flat=True))
    positioned = set(observations.filter(is_positioning=True).values_list("enrolment", flat=True))
    assert observed == positioned
    levels = Counter(observations.filter(is_positioning=True).values_list("level", flat=True))
    assert levels[Level.NOT_OBSERVED] + levels[Level.IN_PROGRESS] > 0.8 * levels.total()

    # Progress, a few regressions, some internship observations and comments.
    history = defaultdict(list)
    for enrolment, skill, level in (
        observations.filter(is_positioning=False).order_by("pk").values_list("enrolment", "skill", "level")
    ):
        history[enrolment, skill].append(ORDER[level])
    regressions = sum(any(b < a for a, b in itertools.pairwise(h)) for h in history.values())
    assert 0 < regressions < 0.1 * len(history)
    assert observations.filter(context=Context.WORKSITE).exists()
    assert observations.exclude(comment="").count() > 0.05 * observations.count()

    # Completed learners end with most skills acquired or mastered; current levels by latest pk.
    current = observations.current()
    completed = current.filter(enrolment__status=EnrolmentStatus.COMPLETED)
    per_learner = completed.values("enrolment").annotate(
        n=Count("pk"), acquired=Count("pk", filter=Q(level__in=ACQUIRED_LEVELS))
    )
    assert per_learner
    assert all(row["acquired"] >= 0.5 * row["n"] for row in per_learner)
    assert completed.filter(level__in=ACQUIRED_LEVELS).count() > 0.85 * completed.count()
    ongoing = current.filter(enrolment__cohort__status=CohortStatus.ONGOING, skill__safety_critical=True)
    assert ongoing.filter(level=Level.IN_PROGRESS).exists()

    # Inès: observations on every block, photos on every block, an OTDR trace; safety still en cours.
    ines = Enrolment.objects.get(learner__user__email="jeune@plombiers.example")
    blocks = set(ines.cohort.framework.blocks.values_list("pk", flat=True))
    hers = observations.filter(enrolment=ines, is_positioning=False)
    assert set(hers.values_list("skill__block", flat=True)) == blocks
    photos = Evidence.objects.filter(observation__enrolment=ines, kind__in=["jpeg", "png"])
    assert set(photos.values_list("observation__skill__block", flat=True)) == blocks
    assert Evidence.objects.filter(observation__enrolment=ines, kind="sor").count() == 1
    assert current.filter(enrolment=ines, skill__safety_critical=True, level=Level.IN_PROGRESS).exists()

    # Evidence: a few small, real files of the declared kind, stored through Django's storage.
    evidence = list(Evidence.objects.select_related("observation"))
    assert 10 <= len(evidence) <= 60
    for item in evidence:
        data = item.file.read()
        item.file.close()
        assert len(data) == item.size < 20_000
        kind = check_evidence(ContentFile(data, name=item.original_name))
        assert (kind.name, kind.content_type) == (item.kind, item.content_type)
        assert not item.observation.is_positioning

    # Loading again changes nothing.
    assert SkillsBuilder().build(demo) is None
    assert Observation.objects.count() == len(plan.observations)
    assert Evidence.objects.count() == len(evidence)


def test_demo_without_frameworks_ties_cohorts_later(communes):
    """A demo loaded before the frameworks existed: its cohorts get one, then their histories."""
    demo = Builder().build()
    intake = IntakeBuilder()
    intake.save(intake.plan(demo, intake.prescribers(demo), only={"roubaix"}))
    assert not Cohort.objects.exclude(framework=None).exists()
    frameworks_load()
    SkillsBuilder().build(demo, only={"roubaix"})
    assert not Cohort.objects.filter(framework=None).exists()
    assert Observation.objects.filter(~Q(skill__framework=F("enrolment__cohort__framework"))).count() == 0
    assert Observation.objects.exists()
