"""Aggregation on hand-computed cases: the figures of the results pages and of the public page."""

import datetime as dt

import pytest
from django.utils import timezone

from plombiers.cohorts.enums import CohortStatus, DropOutReason, EnrolmentStatus
from plombiers.cohorts.models import Cohort
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.impact.public import public_figures
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.surveys.enums import Audience
from plombiers.surveys.models import SurveyInvitation
from plombiers.surveys.results import survey_results, twelve_months, with_survey_figures

from .factories import SurveyInvitationFactory, answer

TODAY = dt.date(2026, 3, 1)


def learners(cohort, n, status=EnrolmentStatus.COMPLETED, end_date=None, **extra):
    return [
        EnrolmentFactory(
            cohort=cohort,
            learner=LearnerFactory(),
            status=status,
            end_date=end_date or (cohort.end_date if status != EnrolmentStatus.ACTIVE else None),
            **extra,
        )
        for _ in range(n)
    ]


@pytest.fixture
def surveyed(cast):
    """Six learners invited, five answered (overall 4 4 3 2 1, recommend yes ×4 and no ×1, two
    comments); one funder answered « Plutôt pas »; another cohort's answers stay out."""
    cohort = CohortFactory(
        school=cast.school_a,
        status=CohortStatus.FINISHED,
        start_date=dt.date(2025, 9, 1),
        end_date=dt.date(2025, 12, 19),
    )
    invitations = [SurveyInvitationFactory(enrolment=e) for e in learners(cohort, 6)]
    rows = [
        {"overall": 4, "gestures": 4, "recommend": 1, "comment": "Super formation, merci."},
        {"overall": 4, "gestures": 4, "recommend": 1},
        {"overall": 3, "gestures": 4, "recommend": 1},
        {"overall": 2, "gestures": 3, "recommend": 1, "comment": "Trop de théorie le vendredi."},
        {"overall": 1, "gestures": 2, "recommend": 0},
    ]
    for invitation, values in zip(invitations, rows, strict=False):
        answer(invitation, **values)
    funder = SurveyInvitationFactory(
        enrolment=None,
        cohort=cohort,
        audience=Audience.FUNDER,
        organisation=cast.funder_org,
        addressee="Fondation A",
    )
    answer(funder, overall=2, reporting_clear=3, **{"continue": 1})
    other = CohortFactory(school=cast.school_a, status=CohortStatus.FINISHED)
    answer(
        SurveyInvitationFactory(enrolment=learners(other, 1)[0]),
        overall=1,
        recommend=0,
        comment="Autre promo",
    )
    return cohort


def test_cohort_results_on_a_hand_computed_case(surveyed):
    learner, funder = survey_results(surveyed.survey_invitations.all(), with_comments=True)
    assert (learner.invited, learner.answered, learner.response_rate) == (6, 5, 83)  # 5/6
    assert learner.satisfaction == (60, 5)  # « Plutôt » + « Tout à fait »: 3 of 5
    assert learner.recommendation == (80, 5)  # 4 of 5
    gestures = next(r for r in learner.questions if r.question.code == "gestures")
    assert [(c.label, c.count, c.percent) for c in gestures.choices] == [
        ("Pas du tout", 0, 0),
        ("Plutôt pas", 1, 20),
        ("Plutôt", 1, 20),
        ("Tout à fait", 3, 60),
    ]
    trainers = next(r for r in learner.questions if r.question.code == "trainers")
    assert trainers.total == 0 and [c.percent for c in trainers.choices] == [None] * 4
    assert sorted(c.text for c in learner.comments) == [
        "Super formation, merci.",
        "Trop de théorie le vendredi.",
    ]
    assert (funder.audience_label, funder.answered, funder.satisfaction, funder.recommendation) == (
        "Financeurs",
        1,
        (0, 1),
        (100, 1),
    )


def test_free_texts_are_left_out_unless_asked_for(surveyed, django_assert_num_queries):
    # Invitation counts, then answer counts by question and value; the free texts are a third query.
    with django_assert_num_queries(2):
        results = survey_results(surveyed.survey_invitations.all(), with_comments=False)
    assert all(r.comments == [] for r in results)
    with django_assert_num_queries(3):
        survey_results(surveyed.survey_invitations.all(), with_comments=True)


def test_cohorts_and_schools_annotated_with_their_figures(surveyed, cast):
    rows = {c.pk: c for c in with_survey_figures(Cohort.objects.all(), since=None)}
    row = rows[surveyed.pk]
    assert (row.invited, row.answered, row.rated, row.satisfied) == (6, 5, 5, 3)
    school = with_survey_figures(type(cast.school_a).objects.filter(pk=cast.school_a.pk), since=None).get()
    assert (school.invited, school.answered, school.rated, school.satisfied) == (7, 6, 6, 3)
    later = with_survey_figures(
        Cohort.objects.filter(pk=surveyed.pk), since=timezone.now() + dt.timedelta(days=1)
    )
    assert later.get().invited == 0


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def test_public_figures_over_the_last_twelve_months(cast):
    cohort = CohortFactory(
        school=cast.school_a,
        status=CohortStatus.FINISHED,
        start_date=dt.date(2025, 6, 2),
        end_date=dt.date(2025, 9, 26),
    )
    completed = learners(cohort, 7)
    learners(
        cohort,
        1,
        status=EnrolmentStatus.DROPPED_OUT,
        end_date=dt.date(2025, 7, 4),
        drop_out_reason=DropOutReason.HEALTH,
    )
    old = CohortFactory(
        school=cast.school_a,
        status=CohortStatus.FINISHED,
        start_date=dt.date(2024, 1, 8),
        end_date=dt.date(2024, 4, 26),
    )
    learners(
        old,
        2,
        status=EnrolmentStatus.DROPPED_OUT,
        end_date=dt.date(2024, 2, 2),
        drop_out_reason=DropOutReason.JOB,
    )
    learners(
        CohortFactory(school=cast.school_a, status=CohortStatus.ONGOING), 3, status=EnrolmentStatus.ACTIVE
    )
    # Six answers this year (satisfied: 4, 4, 3, 3, 2 → 4 of 6; recommend: 5 of 6), one 13 months ago.
    for enrolment, (overall, recommend) in zip(
        completed, [(4, 1), (4, 1), (3, 1), (3, 1), (2, 1), (1, 0)], strict=False
    ):
        answer(
            SurveyInvitationFactory(enrolment=enrolment),
            answered_at=_at(dt.date(2025, 10, 1)),
            overall=overall,
            recommend=recommend,
        )
    answer(
        SurveyInvitationFactory(enrolment=completed[6]),
        answered_at=_at(dt.date(2025, 2, 1)),
        overall=1,
        recommend=0,
    )
    satisfaction, recommendation, completion, *_rates = public_figures(cast.school_a, today=TODAY)
    # 4 satisfied of 6: four people, a small cell — never published (nor its percentage).
    assert (satisfaction.percent, satisfaction.sample, satisfaction.secret) == (None, 6, "< 5")
    assert not satisfaction.enough
    # The last twelve whole months before TODAY's (1 March 2026).
    assert satisfaction.period == (dt.date(2025, 3, 1), dt.date(2026, 2, 28))
    assert (recommendation.percent, recommendation.sample, recommendation.enough) == (83, 6, True)
    assert (completion.percent, completion.sample) == (88, 8)  # 7 completed of 8 who left
    # School B has nothing yet: no figure, never a 0 %.
    assert not any(f.enough for f in public_figures(cast.school_b, today=TODAY))


@pytest.mark.parametrize(
    ("today", "period"),
    [
        (dt.date(2026, 12, 7), (dt.date(2025, 12, 1), dt.date(2026, 11, 30))),
        (dt.date(2026, 1, 1), (dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
        (dt.date(2026, 1, 31), (dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
        (dt.date(2024, 3, 31), (dt.date(2023, 3, 1), dt.date(2024, 2, 29))),
    ],
)
def test_the_public_period_is_the_last_twelve_whole_months(today, period):
    assert twelve_months(today) == period


def test_under_five_answers_no_figure_is_published(cast):
    cohort = CohortFactory(
        school=cast.school_a,
        status=CohortStatus.FINISHED,
        start_date=dt.date(2025, 9, 1),
        end_date=dt.date(2025, 12, 19),
    )
    for enrolment in learners(cohort, 4):
        answer(
            SurveyInvitationFactory(enrolment=enrolment),
            answered_at=_at(dt.date(2026, 1, 5)),
            overall=4,
            recommend=1,
        )
    satisfaction, _recommendation, completion, *_rates = public_figures(cast.school_a, today=TODAY)
    assert (satisfaction.sample, satisfaction.enough) == (4, False)
    # Four who left: a sample of 1 to 4 is itself a small cell, hidden as the insertion rates' are
    # (the page says only that 5 are needed).
    assert (completion.sample, completion.percent, completion.enough) == (0, None, False)
    assert SurveyInvitation.objects.count() == 4
