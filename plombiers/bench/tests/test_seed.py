"""`plombiers seed` on a tiny N: the rows are consistent with each other and with their dates."""

import dataclasses
import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from plombiers.bench.seed import NETWORK_SLUG
from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Attendance, Cohort, Enrolment, TrainingSession
from plombiers.impact.selectors import INDICATORS, Scope, indicators
from plombiers.internships.enums import InternshipStatus
from plombiers.internships.models import Internship
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Network, Partnership, School
from plombiers.outcomes.enums import CATEGORY_OF, NO_NEWS_AFTER_DAYS, OPENS_DAYS_BEFORE, FollowUpStatus
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.models import Learner, Referral
from plombiers.skills.models import Observation
from plombiers.support.enums import BarrierLevel
from plombiers.support.models import Barrier

TINY = ["--learners", "200", "--marks-per-learner", "4", "--observations-per-learner", "3", "--batch", "60"]


def counts() -> tuple:
    return tuple(
        model.objects.count()
        for model in (
            Learner,
            Referral,
            Cohort,
            Enrolment,
            Exit,
            FollowUp,
            TrainingSession,
            Attendance,
            Observation,
        )
    )


@pytest.mark.django_db
def test_seed_builds_a_consistent_network(capsys):
    call_command("seed", *TINY)
    out = capsys.readouterr().out
    assert "lignes/s" in out
    today = timezone.localdate()
    schools = School.objects.filter(network__slug="reseau-national-synthetique")
    assert schools.count() == 1  # 200 young people → one school (500 per school)
    assert Learner.objects.count() == 200 == Referral.objects.filter(school__in=schools).count()
    enrolments = Enrolment.objects.filter(cohort__school__in=schools)
    assert 0.65 * 200 <= enrolments.count() <= 0.85 * 200, "about three in four admitted"
    assert not Referral.objects.filter(status=ReferralStatus.ADMITTED, enrolments__isnull=True).exists()
    assert Referral.objects.filter(prescriber_organisation__kind=OrganisationKind.PRESCRIBER).count() == 200
    assert Partnership.objects.filter(school__in=schools, organisation__kind=OrganisationKind.FUNDER).exists()
    # Cohorts of 8 to 12 (the last one of a school takes what is left), three to four months.
    sizes = list(
        Cohort.objects.annotate(n=Count("enrolments")).order_by("start_date").values_list("n", flat=True)
    )
    assert all(8 <= n <= 12 for n in sizes[:-1]) and 1 <= sizes[-1] <= 12
    for start, end in Cohort.objects.values_list("start_date", "end_date"):
        assert 13 * 7 <= (end - start).days <= 18 * 7
        assert start.weekday() == 0
    # Every ended enrolment has its exit; every exit its category by the one mapping, and 4 follow-ups.
    ended = enrolments.filter(status__in=[EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT])
    assert ended.count() == Exit.objects.count() > 0
    assert not enrolments.filter(status=EnrolmentStatus.ACTIVE, cohort__end_date__lt=today).exists()
    assert not Exit.objects.exclude(enrolment__in=ended).exists()
    for exit_type, category, exit_date, end_date in Exit.objects.values_list(
        "exit_type", "category", "exit_date", "enrolment__end_date"
    ):
        assert category == CATEGORY_OF[exit_type] and exit_date == end_date
    assert set(FollowUp.objects.values("exit").annotate(n=Count("pk")).values_list("n", flat=True)) == {4}
    assert FollowUp.objects.count() == 4 * Exit.objects.count()
    for status, situation, category, due_on in FollowUp.objects.values_list(
        "status", "situation_type", "category", "due_on"
    ):
        assert category == (CATEGORY_OF[situation] if situation else "")
        if status == FollowUpStatus.DUE:
            assert situation == "" and due_on + dt.timedelta(days=NO_NEWS_AFTER_DAYS) >= today
        else:
            assert situation and due_on - dt.timedelta(days=OPENS_DAYS_BEFORE) <= today
    assert FollowUp.objects.filter(status=FollowUpStatus.DONE).exists()
    # Signed half-days: four per cohort at most, a mark for each young person enrolled that day.
    sessions = TrainingSession.objects.all()
    assert sessions.exists() and not sessions.filter(locked_at__isnull=True).exists()
    assert max(Cohort.objects.annotate(n=Count("sessions")).values_list("n", flat=True)) <= 4
    assert Attendance.objects.count() > 0
    assert not Attendance.objects.filter(session__date__gt=today).exists()
    assert Observation.objects.count() == 3 * enrolments.count()


@pytest.mark.django_db
def test_seed_gives_every_indicator_data():
    """« Freins levés » and every other indicator have figures, read from the records and from the
    rollup the command computes; barriers and internships are consistent with the path."""
    call_command("seed", *TINY)
    today = timezone.localdate()
    enrolments = Enrolment.objects.all()
    # Barriers: about 60 % of those entering training have one to three, about half lifted.
    barriers = Barrier.objects.all()
    with_barriers = enrolments.filter(learner__barriers__isnull=False).distinct().count()
    assert 0.45 <= with_barriers / enrolments.count() <= 0.75
    assert set(barriers.values("learner").annotate(n=Count("pk")).values_list("n", flat=True)) <= {1, 2, 3}
    lifted = barriers.filter(lifted_on__isnull=False)
    assert 0.35 <= lifted.count() / barriers.count() <= 0.65
    assert not lifted.exclude(level=BarrierLevel.NONE).exists(), "lifted: back to « aucun »"
    assert not barriers.filter(lifted_on__isnull=True, level=BarrierLevel.NONE).exists()
    assert not lifted.filter(lifted_on__gt=today).exists()
    # Internships: about 70 % of the enrolled, in the school's partner company, within the path.
    internships = Internship.objects.select_related("enrolment__cohort", "site__company")
    assert 0.55 <= internships.count() / enrolments.count() <= 0.85
    for internship in internships:
        enrolment, cohort = internship.enrolment, internship.enrolment.cohort
        assert cohort.start_date < internship.start_date <= internship.end_date <= cohort.end_date
        assert Partnership.objects.filter(school=cohort.school, organisation=internship.site.company).exists()
        if enrolment.end_date is not None:
            assert internship.start_date <= enrolment.end_date
        if internship.status == InternshipStatus.FINISHED:
            assert internship.end_date < today
    assert internships.filter(status=InternshipStatus.INTERRUPTED).exists()
    assert not Exit.objects.filter(
        hired_by_internship_host=True, enrolment__internships__isnull=True
    ).exists()
    # Every indicator has a value, from the rollup (the seed consolidates it) and from the records.
    network = Network.objects.get(slug=NETWORK_SLUG)
    scope = Scope("network", network.name, School.objects.filter(network=network), obj=network)
    live = dataclasses.replace(scope)
    live.__dict__["rollup"] = None  # the memoised choice (a cached property): read the records
    assert scope.rollup is not None
    for read in (scope, live):
        figures = indicators(read).rows[0].figures
        assert [i.key for i in INDICATORS if figures[i.key].value is None] == []
        assert 0.3 <= figures["barriers_lifted_rate"].value <= 0.7


@pytest.mark.django_db
def test_seed_twice_is_idempotent_and_another_size_is_refused(capsys):
    call_command("seed", *TINY)
    before = counts()
    call_command("seed", *TINY)
    assert "rien à faire" in capsys.readouterr().out
    assert counts() == before
    with pytest.raises(CommandError, match="base neuve"):
        call_command("seed", "--learners", "300", "--batch", "60")
    assert counts() == before


def test_seed_refuses_the_demo_database(monkeypatch):
    monkeypatch.setattr(
        "plombiers.bench.management.commands.seed.uses_the_demo_database", lambda **kwargs: True
    )
    with pytest.raises(CommandError, match="jamais celle de la démo"):
        call_command("seed", "--learners", "10")
