"""The demo's exits and follow-ups.

Every enrolment of a finished cohort that ended (completed or dropped out) has its exit, recorded by
the cohort's social worker a few days to three weeks after the end. Completers hired by a partner
company within three weeks of the end (the hires of the internships builder: the application
« retenu·e », its offer's contract, ROME code and company) left into that job; those hired later were
in another situation at exit (drawn like the others), and their hire shows at the first
follow-up after it. The others drew
their situation so that each cohort lands near its school's rate: every school has its own level of
positive exits (between 52 % and 86 % at exit, ≈70 % over the network), each cohort a little above or
below it — honest variation, some schools under 60 %, some over 80 %. Drop-outs mostly left into
« autres sorties » (job-seeking, inactive, no news), by their reason: those who left for a job or
an apprenticeship are positive, those who moved away or fell ill long-term are neutralised.

The follow-ups at 1, 3, 6 and 12 months carry the situation along with a drift: transition jobs
becoming durable, job-seekers finding a short contract or a training, a few jobs lost. Those whose
date has not come are to do; those due within the last 30 days are to do or already answered
(by the young person through their link, the social worker, or now and then the prescriber);
older ones are answered, fewer as the horizon grows, the others « sans nouvelles » (automatic).

DEMO.md: at Chelles, the graduate of the previous cohort whom the internships builder had hired on a
CDI by their internship company (sent by Thomas) left into that CDI; their follow-ups at 1 and 3
months are answered (when due), the 6- and 12-month ones follow as their dates come.

Rows are written with `bulk_create`; each school draws from its own random stream, so that the same
seed and day give the same history, and a second run finds the exits and changes nothing.
"""

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from faker import Faker

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.cohorts.enums import CohortStatus, DropOutReason, EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.internships.enums import ApplicationStatus, ContractType, InternshipStatus
from plombiers.internships.models import Application, Internship
from plombiers.lib.dates import add_months
from plombiers.network.models import School
from plombiers.outcomes.enums import (
    CATEGORY_OF,
    EMPLOYMENT_TYPES,
    NO_NEWS_AFTER_DAYS,
    POSITIVE_CATEGORIES,
    ExitCategory,
    ExitType,
    FollowUpHorizon,
    FollowUpSource,
    FollowUpStatus,
)
from plombiers.outcomes.models import Exit, FollowUp

from .internships import THOMAS, keep_dates, pick
from .network import DemoNetwork

T = ExitType
C = ContractType
EXIT_WINDOW_DAYS = 21  # hired within three weeks of the end: in that job at exit
HOSTED = (InternshipStatus.ONGOING, InternshipStatus.FINISHED, InternshipStatus.INTERRUPTED)
SCHOOL_RATES = (0.52, 0.86)
COHORT_NOISE = 0.07
# The share of follow-ups answered once their « sans nouvelles » date has passed, by horizon.
ANSWERED = {1: 0.88, 3: 0.82, 6: 0.76, 12: 0.70}
RECENT_ANSWERED = 0.4  # due within the last 30 days: already answered
SOURCES = {FollowUpSource.LEARNER: 42, FollowUpSource.SOCIAL_WORKER: 48, FollowUpSource.PRESCRIBER: 10}

POSITIVE_DRAW = {
    T.CDD_SHORT: 18,
    T.TEMPING_SHORT: 16,
    T.CDD_LONG: 8,
    T.TEMPING_LONG: 5,
    T.CDI: 8,
    T.SUBSIDISED: 5,
    T.APPRENTICESHIP: 10,
    T.PROFESSIONALISATION: 7,
    T.QUALIFYING_TRAINING: 12,
    T.PRE_QUALIFYING_TRAINING: 5,
    T.SIAE: 5,
    T.BUSINESS_CREATION: 1,
}
OTHER_DRAW = {
    T.JOB_SEEKING: 66,
    T.INACTIVE: 10,
    T.CIVIC_SERVICE: 6,
    T.NO_NEWS: 10,
    T.MOVED: 4,
    T.ILLNESS: 4,
}
DROP_OUT_DRAW = {
    DropOutReason.JOB: {T.CDD_SHORT: 60, T.TEMPING_SHORT: 40},
    DropOutReason.TRAINING: {T.APPRENTICESHIP: 60, T.QUALIFYING_TRAINING: 40},
    DropOutReason.MOVED: {T.MOVED: 100},
    DropOutReason.HEALTH: {T.ILLNESS: 50, T.INACTIVE: 50},
    DropOutReason.JUSTICE: {T.INCARCERATION: 50, T.JOB_SEEKING: 50},
    DropOutReason.NO_NEWS: {T.NO_NEWS: 100},
}
DROP_OUT_OTHERWISE = {T.JOB_SEEKING: 55, T.INACTIVE: 30, T.NO_NEWS: 15}
DURABLE = {T.CDI: 50, T.CDD_LONG: 30, T.TEMPING_LONG: 20}
SHORT = {T.CDD_SHORT: 55, T.TEMPING_SHORT: 35, T.SUBSIDISED: 10}
TRAINING = {T.QUALIFYING_TRAINING: 50, T.PRE_QUALIFYING_TRAINING: 25, T.APPRENTICESHIP: 25}
TRAINING_BODIES = [
    "AFPA",
    "GRETA de la région",
    "CFA des métiers du numérique",
    "CFA du BTP",
    "École de la 2e Chance",
    "Centre de formation aux réseaux télécoms",
    "Lycée professionnel (formation continue)",
]
ROME_OF_TRADE = {"fibre-optique": ["I1307", "F1605"], "technicien-data-center": ["I1401", "M1810", "I1307"]}
COMMENTS = {
    T.JOB_SEEKING: "Inscrit·e à France Travail ; candidatures en cours dans la fibre.",
    T.NO_NEWS: "Ne répond plus au téléphone depuis la fin de la formation.",
    T.INACTIVE: "Fait une pause pour raisons familiales.",
}
GRADUATE_ANSWERS = {
    1: (FollowUpSource.LEARNER, "Toujours en CDI, l'équipe est top. Merci à l'école !"),
    3: (FollowUpSource.SOCIAL_WORKER, "Appel : période d'essai validée, pose de PTO en autonomie."),
    6: (FollowUpSource.LEARNER, "Je forme le nouveau stagiaire de l'école !"),
    12: (FollowUpSource.SOCIAL_WORKER, "Toujours dans l'entreprise, passé chef d'équipe adjoint."),
}
CONTRACT_TYPES = {
    C.CDI: lambda months: T.CDI,
    C.CDD: lambda months: T.CDD_LONG if (months or 0) >= 6 else T.CDD_SHORT,
    C.TEMPORARY: lambda months: T.TEMPING_LONG if (months or 0) >= 6 else T.TEMPING_SHORT,
    C.APPRENTICESHIP: lambda months: T.APPRENTICESHIP,
    C.PROFESSIONALISATION: lambda months: T.PROFESSIONALISATION,
}


@dataclass
class Hire:
    exit_type: str
    company_id: int
    company_name: str
    rome_code: str
    on: dt.date


@dataclass
class OutcomesPlan:
    exits: list[Exit] = field(default_factory=list)
    follow_ups: list[tuple[Exit, FollowUp]] = field(default_factory=list)
    graduate: Enrolment | None = None


def graduate_enrolment(school: School, thomas: User | None) -> Enrolment | None:
    """DEMO.md: the first completer of the previous Chelles cohort sent by Thomas (the same person
    the internships builder hired on a CDI by their internship company)."""
    if school.slug != "plombiers-chelles" or thomas is None:
        return None
    cohort = (
        school.cohorts.filter(status=CohortStatus.FINISHED, framework__isnull=False)
        .order_by("-start_date")
        .first()
    )
    if cohort is None:
        return None
    completed = list(
        cohort.enrolments.filter(status=EnrolmentStatus.COMPLETED).select_related("referral").order_by("pk")
    )
    completed.sort(key=lambda e: e.referral is None or e.referral.prescriber_id != thomas.pk)
    return completed[0] if completed else None


class OutcomesBuilder:
    """Builds the exits and follow-ups of the demo network (after the internships builder)."""

    def __init__(self, seed: int = 2017):
        self.seed = seed
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()

    def build(self, demo: DemoNetwork, only: set[str] | None = None) -> OutcomesPlan | None:
        """Write the exits once: a second run finds them and changes nothing."""
        schools = [s for town, s in demo.schools.items() if only is None or town in only]
        if Exit.objects.filter(enrolment__cohort__school__in=schools).exists():
            return None
        plan = self.plan(demo, schools)
        self.save(plan)
        return plan

    # --- what is read ------------------------------------------------------------------

    def plan(self, demo: DemoNetwork, schools: list[School]) -> OutcomesPlan:
        plan = OutcomesPlan()
        enrolments = defaultdict(list)
        for enrolment in (
            Enrolment.objects.filter(
                cohort__school__in=schools,
                cohort__status=CohortStatus.FINISHED,
                status__in=[EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT],
                end_date__isnull=False,
            )
            .select_related("cohort__school__trade", "referral")
            .order_by("cohort__start_date", "cohort_id", "pk")
        ):
            enrolments[enrolment.cohort.school_id].append(enrolment)
        hires: dict[int, Hire] = {}
        for application in (
            Application.objects.filter(
                enrolment__cohort__school__in=schools, status=ApplicationStatus.HIRED, hired_on__isnull=False
            )
            .select_related("offer__company")
            .order_by("hired_on", "pk")
        ):
            offer = application.offer
            if application.enrolment_id in hires or offer.contract not in CONTRACT_TYPES:
                continue
            hires[application.enrolment_id] = Hire(
                exit_type=CONTRACT_TYPES[offer.contract](offer.contract_months),
                company_id=offer.company_id,
                company_name=offer.company.name,
                rome_code=offer.rome_code,
                on=application.hired_on,
            )
        hosted = defaultdict(set)
        for enrolment_id, company_id in Internship.objects.filter(
            enrolment__cohort__school__in=schools, status__in=HOSTED
        ).values_list("enrolment_id", "site__company_id"):
            hosted[enrolment_id].add(company_id)
        social_workers = defaultdict(list)
        for membership in Membership.objects.filter(
            Q(school__in=schools), role__in=[Role.SOCIAL_WORKER, Role.SCHOOL_MANAGER]
        ).order_by("role", "pk"):
            social_workers[membership.school_id].append(membership.user_id)
        thomas = demo.users.get(THOMAS)
        for school in schools:
            graduate = graduate_enrolment(school, thomas)
            if graduate is not None:
                plan.graduate = graduate
            SchoolOutcomes(
                self,
                plan,
                school,
                enrolments[school.pk],
                hires,
                hosted,
                social_workers[school.pk],
                graduate.pk if graduate else None,
            ).build()
        return plan

    def save(self, plan: OutcomesPlan) -> None:
        with keep_dates(Exit):
            Exit.objects.bulk_create(plan.exits, batch_size=1000)
        for exit, follow_up in plan.follow_ups:
            follow_up.exit_id = exit.pk
        FollowUp.objects.bulk_create([f for _, f in plan.follow_ups], batch_size=2000)


class SchoolOutcomes:
    """The exits of one school, from its own random stream."""

    def __init__(self, builder, plan, school, enrolments, hires, hosted, social_workers, graduate):
        self.builder, self.plan, self.school = builder, plan, school
        self.enrolments, self.hires, self.hosted = enrolments, hires, hosted
        self.social_workers, self.graduate = social_workers, graduate
        self.today, self.now = builder.today, builder.now
        self.rng = random.Random(f"{builder.seed}:outcomes:{school.slug}")
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(f"{builder.seed}:outcomes:{school.slug}")
        self.rate = self.rng.uniform(*SCHOOL_RATES)
        self.romes = ROME_OF_TRADE.get(school.trade.slug, ["I1307"])

    def at(self, day: dt.date, earliest: int = 9, latest: int = 18) -> dt.datetime:
        moment = dt.datetime.combine(
            day,
            dt.time(self.rng.randint(earliest, latest - 1), self.rng.randrange(60)),
            tzinfo=self.builder.zone,
        )
        return min(moment, self.now - dt.timedelta(minutes=30))

    def build(self) -> None:
        cohorts = defaultdict(list)
        for enrolment in self.enrolments:
            cohorts[enrolment.cohort_id].append(enrolment)
        for enrolments in cohorts.values():
            self.cohort(enrolments)

    # --- exits ---------------------------------------------------------------------------

    def cohort(self, enrolments: list[Enrolment]) -> None:
        rng = self.rng
        target = min(max(self.rate + rng.uniform(-COHORT_NOISE, COHORT_NOISE), 0.3), 0.97)
        situations: dict[int, tuple[str, Hire | None]] = {}
        free = []
        for enrolment in enrolments:
            hire = self.hires.get(enrolment.pk)
            if enrolment.status == EnrolmentStatus.DROPPED_OUT:
                draw = DROP_OUT_DRAW.get(enrolment.drop_out_reason, DROP_OUT_OTHERWISE)
                situations[enrolment.pk] = (pick(rng, draw), None)
            elif enrolment.pk == self.graduate:
                situations[enrolment.pk] = (T.CDI, hire)
            elif hire is not None and hire.on <= enrolment.end_date + dt.timedelta(days=EXIT_WINDOW_DAYS):
                situations[enrolment.pk] = (hire.exit_type, hire)
            else:  # (hired later by a partner: the hire shows at the first follow-up after it)
                free.append(enrolment)
        counted = [s for s, _ in situations.values() if CATEGORY_OF[s] != ExitCategory.NEUTRALISED]
        positives = sum(CATEGORY_OF[s] in POSITIVE_CATEGORIES for s in counted)
        wanted = round(target * (len(counted) + len(free))) - positives
        chosen = {e.pk for e in rng.sample(free, min(max(wanted, 0), len(free)))}
        for enrolment in free:
            draw = POSITIVE_DRAW if enrolment.pk in chosen else OTHER_DRAW
            situations[enrolment.pk] = (pick(rng, draw), None)
        for enrolment in enrolments:
            exit_type, hire = situations[enrolment.pk]
            self.exit(enrolment, exit_type, hire)

    def employer_name(self, exit_type: str) -> str:
        if exit_type in (T.QUALIFYING_TRAINING, T.PRE_QUALIFYING_TRAINING):
            return self.rng.choice(TRAINING_BODIES)
        if exit_type in EMPLOYMENT_TYPES:
            return self.fake.company()
        return ""

    def exit(self, enrolment: Enrolment, exit_type: str, hire: Hire | None) -> None:
        rng = self.rng
        recorded = self.at(min(enrolment.end_date + dt.timedelta(days=rng.randint(3, 21)), self.today))
        employment = exit_type in EMPLOYMENT_TYPES
        exit = Exit(
            enrolment=enrolment,
            exit_date=enrolment.end_date,
            exit_type=exit_type,
            category=CATEGORY_OF[exit_type],
            employer_id=hire.company_id if hire else None,
            employer_name=hire.company_name if hire else self.employer_name(exit_type),
            rome_code=(hire.rome_code if hire else rng.choice(self.romes)) if employment else "",
            weekly_hours=rng.choice((35, 35, 35, 35, 39, 28)) if employment else None,
            hired_by_internship_host=bool(hire and hire.company_id in self.hosted[enrolment.pk]),
            comment=COMMENTS.get(exit_type, "") if rng.random() < 0.3 else "",
            recorded_by_id=(enrolment.cohort.social_worker_id or (self.social_workers or [None])[0]),
            recorded_at=recorded,
            updated_at=recorded,
        )
        if enrolment.drop_out_reason == DropOutReason.JOB and exit_type in EMPLOYMENT_TYPES:
            exit.comment = enrolment.drop_out_detail
        self.plan.exits.append(exit)
        later = (
            self.hires.get(enrolment.pk)
            if hire is None and enrolment.status == EnrolmentStatus.COMPLETED
            else None
        )
        self.follow_ups(exit, enrolment, later)

    # --- follow-ups ----------------------------------------------------------------------

    def drift(self, situation: str, horizon: int) -> str:
        """The situation a few months on: what usually happens next."""
        rng, category = self.rng, CATEGORY_OF[situation]
        roll = rng.random()
        if category == ExitCategory.NEUTRALISED:
            return situation
        if category == ExitCategory.TRANSITION_JOB:
            if roll < 0.25:
                return pick(rng, DURABLE)
            return T.JOB_SEEKING if roll < 0.38 else situation
        if category == ExitCategory.DURABLE_JOB:
            return T.JOB_SEEKING if roll < 0.04 else situation
        if category == ExitCategory.POSITIVE:
            if (
                horizon >= 6
                and situation in (T.QUALIFYING_TRAINING, T.PRE_QUALIFYING_TRAINING)
                and roll < 0.3
            ):
                return pick(rng, {**SHORT, T.CDI: 40})
            return situation
        if roll < 0.22:
            return pick(rng, SHORT)
        if roll < 0.30:
            return pick(rng, TRAINING)
        return T.JOB_SEEKING if situation == T.NO_NEWS else situation

    def follow_ups(self, exit: Exit, enrolment: Enrolment, later: Hire | None) -> None:
        rng, today = self.rng, self.today
        graduate = enrolment.pk == self.graduate
        situation, employer = exit.exit_type, exit.employer_name
        prescriber = enrolment.referral.prescriber_id if enrolment.referral else None
        silent = exit.exit_type == T.NO_NEWS  # no news at exit: seldom news later
        for horizon in FollowUpHorizon.values:
            due = add_months(exit.exit_date, horizon)
            follow_up = FollowUp(horizon=horizon, due_on=due, status=FollowUpStatus.DUE)
            self.plan.follow_ups.append((exit, follow_up))
            if later is not None and later.on <= due:
                situation, employer, later = later.exit_type, later.company_name, None
            elif not graduate:
                new = self.drift(situation, horizon)
                if new != situation:
                    employer = self.employer_name(new)
                situation = new
            if due > today:
                continue
            no_news = due + dt.timedelta(days=NO_NEWS_AFTER_DAYS)
            if graduate:
                answered = True
            elif today <= no_news:
                answered = rng.random() < RECENT_ANSWERED
            else:
                answered = rng.random() < ANSWERED[horizon] * (0.4 if silent else 1)
            if not answered:
                if today > no_news:  # the nightly task wrote « sans nouvelles »
                    follow_up.status = FollowUpStatus.NO_NEWS
                    follow_up.situation_type = T.NO_NEWS
                    follow_up.category = CATEGORY_OF[T.NO_NEWS]
                    follow_up.source = FollowUpSource.SYSTEM
                    follow_up.answered_at = self.at(no_news + dt.timedelta(days=1), 2, 3)
                continue
            if situation == T.NO_NEWS:
                situation = pick(rng, OTHER_DRAW | {T.NO_NEWS: 0})
            source = pick(rng, SOURCES if prescriber else {**SOURCES, FollowUpSource.PRESCRIBER: 0})
            comment = ""
            if graduate:
                source, comment = GRADUATE_ANSWERS[horizon]
            latest = min(no_news, today)
            day = due + dt.timedelta(days=rng.randint(-5, max(min(20, (latest - due).days), -5)))
            follow_up.status = FollowUpStatus.DONE
            follow_up.situation_type = situation
            follow_up.category = CATEGORY_OF[situation]
            follow_up.employer_name = employer if situation not in (T.JOB_SEEKING, T.INACTIVE) else ""
            follow_up.comment = comment
            follow_up.source = source
            follow_up.answered_at = self.at(min(day, today))
            follow_up.answered_by_id = {
                FollowUpSource.SOCIAL_WORKER: exit.recorded_by_id,
                FollowUpSource.PRESCRIBER: prescriber,
            }.get(source)


def demo_outcome_counts(network) -> dict[str, int]:
    """What the demo command reports."""
    exits = Exit.objects.filter(enrolment__cohort__school__network=network)
    follow_ups = FollowUp.objects.filter(exit__in=exits)
    counted = exits.counted().count()
    statuses = Counter(follow_ups.values_list("status", flat=True))
    return {
        "sorties": exits.count(),
        "% de sorties positives (hors sorties neutralisées)": round(100 * exits.positive().count() / counted)
        if counted
        else 0,
        "suivis renseignés": statuses[FollowUpStatus.DONE],
        "suivis à faire": statuses[FollowUpStatus.DUE],
        "suivis sans nouvelles": statuses[FollowUpStatus.NO_NEWS],
    }
