"""The satisfaction surveys of the demo: answers for the finished cohorts, links waiting at Chelles.

Every finished cohort invited its young people who completed it on its last day; about seven in
ten answered within two weeks, mostly satisfied, with honest variation between schools and
cohorts and a few critical free texts. The funders and OPCO of each school were asked about the
partnership after the cohorts of the last twelve months. The cohort under way at Chelles has
just been invited: its links wait for answers (Inès's among them).

Rows are written with `bulk_create`; each cohort draws from its own random stream (seed, school,
start date), so that the same seed and day give the same answers, and a second run finds the
invitations and changes nothing.
"""

import datetime as dt
import random
import string
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Organisation
from plombiers.surveys.enums import Audience, QuestionKind
from plombiers.surveys.models import SurveyAnswer, SurveyInvitation
from plombiers.surveys.questionnaires import questionnaire
from plombiers.surveys.services import funder_email, link_validity

from .network import DemoNetwork

RESPONSE_RATE = 0.7
COMMENT_SHARE = 0.4
PRAISE = [
    "Les formateurs sont patients, on a le temps de refaire les gestes.",
    "J'ai aimé le plateau technique, on apprend en faisant.",
    "Merci pour l'aide pour mon permis, sans ça je n'aurais pas pu finir.",
    "Le stage m'a donné envie de continuer dans la fibre.",
    "Bonne ambiance dans la promo, on s'entraide.",
    "On m'a aidé pour mon logement, ça a tout changé.",
    "J'ai trouvé mon CDI grâce au stage, merci à toute l'équipe.",
]
CRITICISM = [
    "Trop de théorie certains jours, on préfère pratiquer.",
    "Les horaires du matin sont durs avec les transports.",
    "Pas assez de temps pour préparer les entretiens d'embauche.",
    "Le stage était trop loin de chez moi, deux heures de trajet.",
    "On n'a pas eu assez de matériel pour tout le monde au début.",
]
FUNDER_COMMENTS = [
    "Bilans clairs, merci pour les témoignages des jeunes.",
    "Nous aimerions recevoir les chiffres de sortie un peu plus tôt dans l'année.",
    "Partenariat très satisfaisant, à poursuivre.",
]


@dataclass
class SurveysPlan:
    invitations: list[SurveyInvitation] = field(default_factory=list)
    answers: list[tuple[SurveyInvitation, SurveyAnswer]] = field(default_factory=list)


def _nonce(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits, k=12))


def _clamp(value: int) -> int:
    return min(max(value, 1), 4)


class SurveysBuilder:
    """Builds the survey history of the demo network (after the intake history)."""

    def __init__(self, seed: int = 2017):
        self.seed = seed
        self.now = timezone.now()
        self.learner = questionnaire(Audience.LEARNER)
        self.funder = questionnaire(Audience.FUNDER)

    def build(self, demo: DemoNetwork, only: set[str] | None = None) -> SurveysPlan | None:
        """Write the history once: a second run finds it and changes nothing."""
        cohorts = Cohort.objects.filter(school__network=demo.network)
        if only is not None:
            cohorts = cohorts.filter(school__in=[demo.schools[town] for town in only])
        if SurveyInvitation.objects.filter(cohort__in=cohorts).exists():
            return None
        plan = self.plan(demo, cohorts)
        SurveyInvitation.objects.bulk_create(plan.invitations)
        for invitation, row in plan.answers:
            row.invitation = invitation
        SurveyAnswer.objects.bulk_create([row for _invitation, row in plan.answers])
        return plan

    def plan(self, demo: DemoNetwork, cohorts) -> SurveysPlan:
        plan = SurveysPlan()
        cohorts = list(
            cohorts.filter(status__in=[CohortStatus.FINISHED, CohortStatus.ONGOING])
            .select_related("school")
            .order_by("school__slug", "start_date", "pk")
        )
        # Grouped here rather than prefetched: a prefetch of thousands of learners is an IN list
        # deeper than SQLite accepts.
        by_cohort = defaultdict(list)
        for enrolment in (
            Enrolment.objects.filter(cohort__in=cohorts)
            .select_related("learner")
            .order_by("cohort", "learner__last_name", "learner__first_name", "pk")
        ):
            by_cohort[enrolment.cohort_id].append(enrolment)
        for cohort in cohorts:
            cohort.enrolment_list = by_cohort[cohort.pk]
        funders = {}
        for organisation in (
            Organisation.objects.filter(
                partnerships__school__in={c.school_id for c in cohorts},
                kind__in=[OrganisationKind.FUNDER, OrganisationKind.OPCO],
            )
            .prefetch_related("contacts", "partnerships")
            .order_by("name", "pk")
            .distinct()
        ):
            for partnership in organisation.partnerships.all():
                funders.setdefault(partnership.school_id, []).append(organisation)
        chelles = demo.schools.get("chelles")
        for cohort in cohorts:
            rng = random.Random(f"{self.seed}:surveys:{cohort.school.slug}:{cohort.start_date}")
            if cohort.status == CohortStatus.FINISHED:
                self.finished(plan, cohort, rng, funders.get(cohort.school_id, []))
            elif chelles is not None and cohort.school_id == chelles.pk:
                self.pending(plan, cohort, rng)
        return plan

    def _at(self, day: dt.date, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    def invitation(self, cohort, audience, at, rng, **respondent) -> SurveyInvitation:
        return SurveyInvitation(
            school=cohort.school,
            cohort=cohort,
            audience=audience,
            questionnaire_version=questionnaire(audience).version,
            nonce=_nonce(rng),
            created_at=at,
            expires_at=at + link_validity(),
            sent_at=at + dt.timedelta(minutes=2) if respondent.get("email") else None,
            **respondent,
        )

    def finished(self, plan: SurveysPlan, cohort, rng: random.Random, funders) -> None:
        """The last day's invitations, about 70 % answered within two weeks."""
        invited_at = self._at(cohort.end_date, 14)
        # Some cohorts go better than others: a mood shifts every answer of the cohort.
        mood = rng.choice([-1, 0, 0, 0, 0, 1])
        for enrolment in cohort.enrolment_list:
            if enrolment.status != EnrolmentStatus.COMPLETED:
                continue
            learner = enrolment.learner
            invitation = self.invitation(
                cohort,
                Audience.LEARNER,
                invited_at,
                rng,
                enrolment=enrolment,
                addressee=learner.first_name,
                email=learner.email,
            )
            plan.invitations.append(invitation)
            if rng.random() < RESPONSE_RATE:
                self.answer_learner(plan, invitation, rng, mood)
        if cohort.end_date >= (self.now - dt.timedelta(days=365)).date():
            for organisation in funders:
                email = funder_email(organisation)
                if not email:
                    continue
                invitation = self.invitation(
                    cohort,
                    Audience.FUNDER,
                    invited_at,
                    rng,
                    organisation=organisation,
                    addressee=organisation.name,
                    email=email,
                )
                plan.invitations.append(invitation)
                if rng.random() < 0.6:
                    self.answer_funder(plan, invitation, rng)

    def answered_at(self, invitation, rng: random.Random) -> dt.datetime | None:
        at = invitation.created_at + dt.timedelta(hours=rng.randint(1, 14 * 24))
        at = min(at, self.now - dt.timedelta(hours=1))
        return at if at > invitation.created_at else None

    def answer_learner(self, plan: SurveysPlan, invitation, rng: random.Random, mood: int) -> None:
        at = self.answered_at(invitation, rng)
        if at is None:
            return
        invitation.answered_at = at
        overall = _clamp(
            rng.choices([4, 3, 2, 1], weights=[48, 37, 11, 4])[0] + (mood if rng.random() < 0.5 else 0)
        )
        for question in self.learner.questions:
            if question.kind == QuestionKind.SCALE:
                value = overall if question.role else _clamp(overall + rng.choice([-1, 0, 0, 0, 1]))
                plan.answers.append((invitation, SurveyAnswer(question=question.code, value=value)))
            elif question.kind == QuestionKind.YES_NO:
                recommends = rng.random() < (0.95 if overall >= 3 else 0.35)
                plan.answers.append((invitation, SurveyAnswer(question=question.code, value=int(recommends))))
            elif rng.random() < COMMENT_SHARE:
                text = rng.choice(PRAISE if overall >= 3 and rng.random() < 0.8 else CRITICISM)
                plan.answers.append((invitation, SurveyAnswer(question=question.code, text=text)))

    def answer_funder(self, plan: SurveysPlan, invitation, rng: random.Random) -> None:
        at = self.answered_at(invitation, rng)
        if at is None:
            return
        invitation.answered_at = at
        overall = rng.choices([4, 3, 2], weights=[55, 38, 7])[0]
        for question in self.funder.questions:
            if question.kind == QuestionKind.SCALE:
                value = overall if question.role else _clamp(overall + rng.choice([-1, 0, 0]))
                plan.answers.append((invitation, SurveyAnswer(question=question.code, value=value)))
            elif question.kind == QuestionKind.YES_NO:
                plan.answers.append(
                    (invitation, SurveyAnswer(question=question.code, value=int(overall >= 3)))
                )
            elif rng.random() < 0.5:
                plan.answers.append(
                    (invitation, SurveyAnswer(question=question.code, text=rng.choice(FUNDER_COMMENTS)))
                )

    def pending(self, plan: SurveysPlan, cohort, rng: random.Random) -> None:
        """The cohort under way at Chelles is finishing: its young people have their links."""
        invited_at = self.now - dt.timedelta(hours=2)
        for enrolment in cohort.enrolment_list:
            if enrolment.status != EnrolmentStatus.ACTIVE:
                continue
            plan.invitations.append(
                self.invitation(
                    cohort,
                    Audience.LEARNER,
                    invited_at,
                    rng,
                    enrolment=enrolment,
                    addressee=enrolment.learner.first_name,
                    email=enrolment.learner.email,
                )
            )
