"""The survey answers of the demo: realistic, deterministic, and links waiting at Chelles."""

import pytest
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Cohort
from plombiers.conftest import built_once
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.network import Builder
from plombiers.demo.surveys import CRITICISM, SurveysBuilder
from plombiers.impact.public import public_figures
from plombiers.surveys.enums import Audience
from plombiers.surveys.models import SurveyAnswer, SurveyInvitation
from plombiers.surveys.results import survey_results


def _build(communes):
    """The demo network with the intake history and the surveys of Chelles only (quicker)."""
    demo = Builder().build()
    intake = IntakeBuilder()
    intake.save(intake.plan(demo, intake.prescribers(demo), only={"chelles"}))
    SurveysBuilder().build(demo, only={"chelles"})
    return demo


demo_built = built_once(_build)


@pytest.fixture
def demo(demo_built, db):
    return demo_built


def test_finished_cohorts_answered_about_seven_in_ten_mostly_satisfied(demo):
    chelles = demo.schools["chelles"]
    finished = Cohort.objects.filter(school=chelles, status=CohortStatus.FINISHED)
    learners = SurveyInvitation.objects.filter(cohort__in=finished, audience=Audience.LEARNER)
    completed = finished.aggregate(
        n=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.COMPLETED))
    )
    assert learners.count() == completed["n"] > 50  # everyone who completed was invited
    assert not learners.filter(enrolment__status=EnrolmentStatus.DROPPED_OUT).exists()
    (result, funder) = survey_results(
        SurveyInvitation.objects.filter(cohort__in=finished), with_comments=True
    )
    assert 60 <= result.response_rate <= 80
    satisfaction, sample = result.satisfaction
    assert 75 <= satisfaction <= 95 and sample == result.answered
    assert 75 <= result.recommendation[0] <= 98
    assert {c.text for c in result.comments} & set(CRITICISM)  # a few critical free texts
    assert funder.answered >= 1
    for invitation in learners.answered():
        assert invitation.created_at < invitation.answered_at < min(invitation.expires_at, timezone.now())
    figures = public_figures(chelles)
    assert figures[0].enough and figures[2].enough


def test_the_current_chelles_cohort_has_pending_links(demo, client):
    ines = demo.users["jeune@plombiers.example"]
    invitation = SurveyInvitation.objects.select_related("cohort").get(enrolment__learner__user=ines)
    assert (
        invitation.cohort.status == CohortStatus.ONGOING
        and invitation.cohort.school == demo.schools["chelles"]
    )
    pending = SurveyInvitation.objects.filter(cohort=invitation.cohort)
    assert pending.count() >= 5 and not pending.answered().exists()
    assert not invitation.is_expired()
    response = client.get(reverse("surveys:answer", args=[invitation.token]))
    assert response.status_code == 200 and "Bonjour Inès" in response.content.decode()


def test_the_same_seed_gives_the_same_answers_and_a_second_run_writes_nothing(demo):
    def key(row):
        enrolment, question, value, text = row
        return (enrolment or 0, question, -1 if value is None else value, text)

    saved = sorted(
        SurveyAnswer.objects.values_list("invitation__enrolment", "question", "value", "text"), key=key
    )
    cohorts = Cohort.objects.filter(school=demo.schools["chelles"])
    again = SurveysBuilder().plan(demo, cohorts)
    planned = sorted(
        ((invitation.enrolment_id, row.question, row.value, row.text) for invitation, row in again.answers),
        key=key,
    )
    assert planned == saved
    before = (SurveyInvitation.objects.count(), SurveyAnswer.objects.count())
    assert SurveysBuilder().build(demo, only={"chelles"}) is None
    assert (SurveyInvitation.objects.count(), SurveyAnswer.objects.count()) == before
