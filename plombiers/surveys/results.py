"""Reads: survey answers aggregated in SQL, and the public figures of Qualiopi indicator 2.

Every figure comes with its sample size; a public figure follows the rule of every figure that
leaves the school team (`plombiers.lib.secrecy`): shown only from `MIN_SAMPLE` answers, and never
when the people it counts are 1 to 4, so that no figure can point at a person.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from plombiers.lib import secrecy

from .enums import Audience
from .models import SurveyAnswer
from .questionnaires import SATISFIED_FROM, Question, Questionnaire, questionnaire

MIN_SAMPLE = secrecy.THRESHOLD


def rate(part: int, whole: int) -> int | None:
    """A whole percentage, or None when there is nothing to divide by."""
    return round(100 * part / whole) if whole else None


@dataclass
class Choice:
    value: int
    label: str
    count: int
    percent: int | None


@dataclass
class QuestionResult:
    question: Question
    total: int
    choices: list[Choice]


@dataclass
class Comment:
    question: Question
    text: str
    answered_on: dt.date


@dataclass
class AudienceResults:
    questionnaire: Questionnaire
    invited: int = 0
    answered: int = 0
    questions: list[QuestionResult] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    @property
    def audience_label(self) -> str:
        return Audience(self.questionnaire.audience).label

    def _result(self, question: Question | None) -> QuestionResult | None:
        return next((r for r in self.questions if question and r.question.code == question.code), None)

    @property
    def response_rate(self) -> int | None:
        return rate(self.answered, self.invited)

    @property
    def satisfaction(self) -> tuple[int | None, int]:
        """Share of « Plutôt » and « Tout à fait » on the overall question, and its sample."""
        result = self._result(self.questionnaire.satisfaction)
        if result is None:
            return None, 0
        satisfied = sum(c.count for c in result.choices if c.value >= SATISFIED_FROM)
        return rate(satisfied, result.total), result.total

    @property
    def recommendation(self) -> tuple[int | None, int]:
        result = self._result(self.questionnaire.recommendation)
        if result is None:
            return None, 0
        yes = sum(c.count for c in result.choices if c.value == 1)
        return rate(yes, result.total), result.total


def survey_results(invitations, *, with_comments: bool) -> list[AudienceResults]:
    """Per audience (learners, tutors, funders — those invited): counts and distributions.

    Three queries whatever the size: the invitation counts, the answer counts grouped by
    question and value, and (for the school team only) the free texts.
    """
    counts = (
        invitations.order_by()
        .values("audience")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
    )
    by_audience = {
        row["audience"]: AudienceResults(
            questionnaire=questionnaire(row["audience"]), invited=row["invited"], answered=row["answered"]
        )
        for row in counts
    }
    answers = SurveyAnswer.objects.filter(invitation__in=invitations.order_by().values("pk"))
    tally: dict[tuple[str, str], dict[int, int]] = {}
    for row in (
        answers.filter(value__isnull=False)
        .order_by()
        .values("invitation__audience", "question", "value")
        .annotate(n=Count("pk"))
    ):
        tally.setdefault((row["invitation__audience"], row["question"]), {})[row["value"]] = row["n"]
    for audience, results in by_audience.items():
        for question in results.questionnaire.questions:
            if not question.is_closed:
                continue
            values = tally.get((audience, question.code), {})
            total = sum(values.values())
            results.questions.append(
                QuestionResult(
                    question=question,
                    total=total,
                    choices=[
                        Choice(v, label, values.get(v, 0), rate(values.get(v, 0), total))
                        for v, label in question.choices
                    ],
                )
            )
    if with_comments:
        texts = (
            answers.filter(value__isnull=True)
            .order_by("-invitation__answered_at", "pk")
            .values_list("invitation__audience", "question", "text", "invitation__answered_at")
        )
        for audience, code, text, answered_at in texts:
            results = by_audience.get(audience)
            question = results and results.questionnaire.question(code)
            if question:
                results.comments.append(Comment(question, text, timezone.localdate(answered_at)))
    order = list(Audience.values)
    return sorted(by_audience.values(), key=lambda r: order.index(r.questionnaire.audience))


@dataclass
class PublicFigure:
    label: str
    percent: int | None
    sample: int
    sample_label: str
    period: tuple[dt.date, dt.date]
    #: The secrecy marker of the people the rate counts (« < 5 »: 1 to 4 of the sample).
    secret: str = ""

    @property
    def enough(self) -> bool:
        return self.sample >= MIN_SAMPLE and self.percent is not None and not self.secret


def _public(label, part: int, whole: int, sample_label: str, period) -> PublicFigure:
    secret = secrecy.primary(part)
    return PublicFigure(label, None if secret else rate(part, whole), whole, sample_label, period, secret)


def twelve_months(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve whole months before the month of `today`, first and last day: the period of
    a school's public results, the same for a month (the insertion rates are read from the rollup
    by month, `impact.models.MonthRollup`)."""
    until = today.replace(day=1) - dt.timedelta(days=1)
    year, month = (until.year, until.month - 11) if until.month == 12 else (until.year - 1, until.month + 1)
    return dt.date(year, month, 1), until


def opinion_figures(school, period: tuple[dt.date, dt.date]) -> list[PublicFigure]:
    """The learners' satisfaction and recommendation over `period` (first and last day), as a
    school publishes them (`impact.public`, Qualiopi indicator 2). One query."""
    start, end = period
    learner = questionnaire(Audience.LEARNER)
    satisfaction, recommendation = learner.satisfaction.code, learner.recommendation.code
    answers = SurveyAnswer.objects.filter(
        invitation__answered_at__date__gte=start,
        invitation__answered_at__date__lte=end,
        invitation__school=school,
        invitation__audience=Audience.LEARNER,
        value__isnull=False,
    ).aggregate(
        rated=Count("pk", filter=Q(question=satisfaction)),
        satisfied=Count("pk", filter=Q(question=satisfaction, value__gte=SATISFIED_FROM)),
        asked=Count("pk", filter=Q(question=recommendation)),
        recommend=Count("pk", filter=Q(question=recommendation, value=1)),
    )
    return [
        _public(
            "Jeunes satisfait·es de la formation",
            answers["satisfied"],
            answers["rated"],
            "répondant·es",
            period,
        ),
        _public(
            "Jeunes qui recommanderaient la formation",
            answers["recommend"],
            answers["asked"],
            "répondant·es",
            period,
        ),
    ]


def with_survey_figures(queryset, *, since: dt.datetime | None):
    """Schools or cohorts annotated with their learners' survey figures (invited since `since`):
    `invited`, `answered`, `rated` and `satisfied` (the overall question). In the same query."""
    learner = questionnaire(Audience.LEARNER)
    recent = Q(survey_invitations__audience=Audience.LEARNER)
    if since is not None:
        recent &= Q(survey_invitations__created_at__gte=since)
    overall = recent & Q(
        survey_invitations__answers__question=learner.satisfaction.code,
        survey_invitations__answers__value__isnull=False,
    )
    return queryset.annotate(
        invited=Count("survey_invitations", filter=recent, distinct=True),
        answered=Count(
            "survey_invitations",
            filter=recent & Q(survey_invitations__answered_at__isnull=False),
            distinct=True,
        ),
        rated=Count("survey_invitations__answers", filter=overall),
        satisfied=Count(
            "survey_invitations__answers",
            filter=overall & Q(survey_invitations__answers__value__gte=SATISFIED_FROM),
        ),
    )
