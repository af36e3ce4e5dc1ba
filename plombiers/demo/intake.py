"""The intake history of the demo: cohorts since each school opened, referrals in every status.

For each school: finished cohorts since its opening date (two to three a year, three to four
months each), exactly one cohort under way today and one planned with candidates waiting. The
prescriber structures around the school refer young people; about one in two is admitted, the
others are refused, redirected, cancelled, expired or put on a waiting list, each with the
history of its steps. Everything is computed from today's date, so the demo stays true over time.

The rows are written with `bulk_create` (the services audit every single write and would take
minutes here), but each row is what the services would have written: a referral only moves along
the workflow declared in `TRANSITIONS` (see `Story.move`, which mirrors `referral_transition`),
refusals and redirections carry a reason, eligibility is stored as `evaluate` computes it, an
ineligible candidate is admitted only with a written justification, a cohort never holds more
young people than it has seats, and a waiting list exists only on a full cohort.
"""

import datetime as dt
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.cohorts.enums import CohortStatus, DropOutReason, EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment, WaitlistEntry
from plombiers.frameworks.models import Framework
from plombiers.lib.text import fold
from plombiers.network.enums import OrganisationCategory as Cat
from plombiers.network.enums import OrganisationKind as Kind
from plombiers.network.models import Commune, School
from plombiers.referrals.eligibility import evaluate_learner
from plombiers.referrals.enums import (
    DECISIONS,
    NEEDS_REASON,
    DecisionReason,
    Diploma,
    DrivingLicence,
    Gender,
    LastClass,
    ReferralStatus,
    Transport,
)
from plombiers.referrals.models import (
    InformationSession,
    Invitation,
    Learner,
    Referral,
    ReferralEvent,
    identity_key,
)

from .network import DemoNetwork

R = DecisionReason
THOMAS_ORGANISATION = "Mission Locale Horizon Chelles"
# Share of the referrals made by each kind of prescriber structure.
PRESCRIBER_WEIGHTS = {Cat.MISSION_LOCALE: 40, Cat.FRANCE_TRAVAIL: 30, Cat.E2C: 15, Cat.ASE: 15}
DROP_OUT_RATE = 0.125
DROP_OUT_WEIGHTS = {
    DropOutReason.MOTIVATION: 20,
    DropOutReason.NO_NEWS: 14,
    DropOutReason.HEALTH: 12,
    DropOutReason.JOB: 12,
    DropOutReason.HOUSING: 10,
    DropOutReason.FAMILY: 10,
    DropOutReason.MOBILITY: 8,
    DropOutReason.TRAINING: 6,
    DropOutReason.MOVED: 4,
    DropOutReason.JUSTICE: 2,
    DropOutReason.EXCLUSION: 2,
}
DROP_OUT_DETAILS = {
    DropOutReason.MOTIVATION: "Absences répétées malgré deux entretiens de remobilisation.",
    DropOutReason.NO_NEWS: "Ne répond plus au téléphone ni aux messages depuis deux semaines.",
    DropOutReason.HEALTH: "Arrêt maladie prolongé ; une nouvelle candidature est possible plus tard.",
    DropOutReason.JOB: "Embauché·e en CDD dans la logistique, souhaite garder ce contrat.",
    DropOutReason.HOUSING: "Perte du logement, hébergement d'urgence trop loin du plateau technique.",
    DropOutReason.FAMILY: "Doit s'occuper d'un proche malade.",
    DropOutReason.MOBILITY: "Plus de solution de transport pour venir en formation.",
    DropOutReason.TRAINING: "Entrée en apprentissage dans un autre métier.",
    DropOutReason.MOVED: "Déménagement dans une autre région.",
    DropOutReason.JUSTICE: "Convocation judiciaire incompatible avec la formation.",
    DropOutReason.EXCLUSION: "Exclusion après un manquement grave au règlement intérieur.",
}
REASON_DETAILS = {
    R.AGE: "L'âge à l'entrée dépasse les critères du réseau.",
    R.DIPLOMA: "Titulaire d'un baccalauréat : orientation vers une formation qualifiante de niveau 5.",
    R.NOT_NEET: "Actuellement en contrat ; la candidature pourra être reprise à la fin du contrat.",
    R.PROJECT: "Le projet professionnel porte sur un autre métier (vente, restauration).",
    R.MOTIVATION: "Motivation à confirmer : une immersion en entreprise est proposée d'abord.",
    R.BARRIERS: "Situation de logement à stabiliser avant l'entrée en formation.",
    R.MOBILITY: "Pas de solution de transport jusqu'au plateau technique à ce jour.",
    R.NO_SHOW: "Absent·e à l'information collective, sans nouvelles depuis.",
    R.OTHER_PROGRAMME: "Un parcours en École de la 2e Chance correspond mieux à son projet.",
    R.FULL: "",
    R.OTHER: "Décision prise avec le ou la prescripteur·rice après l'entretien.",
}
REFUSAL_REASONS = {R.MOTIVATION: 4, R.PROJECT: 3, R.BARRIERS: 2, R.MOBILITY: 2, R.OTHER: 1}
REDIRECTION_REASONS = {R.OTHER_PROGRAMME: 4, R.BARRIERS: 3, R.PROJECT: 3, R.MOBILITY: 1}
INELIGIBILITY_REASONS = {"age": R.AGE, "diploma": R.DIPLOMA, "not_neet": R.NOT_NEET}
JUSTIFICATIONS = {
    "age": "Hors critère d'âge de quelques mois ; parcours ASE interrompu, projet construit et "
    "avis favorable unanime de l'équipe après l'entretien.",
    "diploma": "Baccalauréat obtenu mais sans emploi ni formation depuis deux ans ; la formation "
    "au geste est la solution la plus adaptée selon la Mission Locale.",
    "not_neet": "Contrat de 10 h par semaine qui se termine avant le démarrage de la promotion.",
}
CANCELLATION_NOTES = [
    "A trouvé un emploi saisonnier.",
    "Ne souhaite plus entrer en formation pour le moment.",
    "Déménagement hors du département.",
    "Entrée dans un parcours intensif du Contrat d'engagement jeune.",
    "Injoignable depuis plusieurs semaines.",
]
WAITLIST_CANCELLATION_NOTE = "A trouvé une autre solution en attendant une place."
MOTIVATIONS = {
    "fibre-optique": [
        "Aime le travail manuel et en extérieur ; a découvert le raccordement fibre lors d'un forum.",
        "A fait un stage dans le BTP, veut un métier concret avec un emploi à la clé.",
        "Immersion d'une journée chez un installateur fibre, très positive.",
        "Cherche une formation courte pour travailler vite ; à l'aise en hauteur.",
    ],
    "technicien-data-center": [
        "Passionné·e d'informatique, monte ses propres ordinateurs.",
        "Veut travailler dans le numérique sans refaire de longues études.",
        "A visité un data center lors d'une journée portes ouvertes, très motivé·e.",
        "Bon sens logique, cherche un métier technique avec un emploi à la clé.",
    ],
}
GENERAL_MOTIVATIONS = [
    "Sorti·e du système scolaire sans diplôme, souhaite reprendre une formation.",
    "Suivi·e dans le cadre du Contrat d'engagement jeune ; projet validé après un entretien.",
    "Sans activité depuis plusieurs mois, a besoin d'un cadre et d'un objectif d'emploi.",
]
ASE_MOTIVATION = "Jeune accompagné·e par l'ASE (contrat jeune majeur) ; projet professionnel à construire."
# Ages at entry of the eligible candidates, 16 to 25 (most between 18 and 21).
AGES = dict(zip(range(16, 26), [2, 5, 9, 11, 11, 10, 8, 6, 4, 3], strict=True))
AGES_RQTH = dict(zip(range(18, 30), [4, 6, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2], strict=True))
LAST_CLASSES = {
    Diploma.NONE: {
        LastClass.TROISIEME: 5,
        LastClass.CAP_1: 5,
        LastClass.SECONDE: 4,
        LastClass.BEFORE_3E: 2,
        LastClass.SEGPA: 2,
        LastClass.PREMIERE: 1,
        LastClass.ABROAD: 1,
    },
    Diploma.LEVEL_3: {LastClass.CAP_2: 1},
    Diploma.LEVEL_4: {LastClass.TERMINALE: 1},
    Diploma.LEVEL_5: {LastClass.SUPERIEUR: 1},
}
MINUTE = dt.timedelta(minutes=1)


# First names common among young people born in France in 2000–2010 (Faker's lists are a
# generation older); combined with Faker's surnames they name nobody real.
YOUNG_WOMEN = [
    "Inès",
    "Léa",
    "Chloé",
    "Manon",
    "Camille",
    "Sarah",
    "Emma",
    "Océane",
    "Jade",
    "Lina",
    "Maëlys",
    "Yasmine",
    "Nour",
    "Aïcha",
    "Clara",
    "Lou",
    "Anaïs",
    "Mélissa",
    "Kenza",
    "Fatoumata",
    "Assia",
    "Louna",
    "Maëva",
    "Imane",
    "Salomé",
    "Lisa",
    "Ambre",
    "Eva",
    "Rania",
    "Aya",
]
YOUNG_MEN = [
    "Yanis",
    "Lucas",
    "Enzo",
    "Nathan",
    "Mohamed",
    "Rayan",
    "Hugo",
    "Théo",
    "Kylian",
    "Adam",
    "Noah",
    "Mathis",
    "Ilyes",
    "Bilal",
    "Mamadou",
    "Kevin",
    "Dylan",
    "Jordan",
    "Killian",
    "Sofiane",
    "Nassim",
    "Louis",
    "Evan",
    "Maxime",
    "Axel",
    "Samuel",
    "Ibrahim",
    "Moussa",
    "Tom",
    "Mehdi",
    "Amine",
    "Loïc",
    "Ethan",
    "Wassim",
    "Baptiste",
    "Alexis",
    "Anthony",
    "Youssef",
    "Quentin",
    "Jules",
]


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def years_before(day: dt.date, years: int) -> dt.date:
    if (day.month, day.day) == (2, 29):
        day = day.replace(day=28)
    return day.replace(year=day.year - years)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def workday(day: dt.date) -> dt.date:
    """A weekend day moves back to the Friday before (prescribers and schools work on weekdays)."""
    return day - dt.timedelta(days=max(day.weekday() - 4, 0))


@dataclass
class Plan:
    """Unsaved rows of the history, in the order they are inserted."""

    cohorts: list[Cohort] = field(default_factory=list)
    cohort_trainers: list[tuple[Cohort, User]] = field(default_factory=list)
    learners: list[Learner] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    events: list[ReferralEvent] = field(default_factory=list)
    sessions: list[InformationSession] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)
    waitlist: list[WaitlistEntry] = field(default_factory=list)
    # When each row was written (the `auto_now_add` columns are set back to it after the insert).
    written_at: dict[type[models.Model], list[tuple[models.Model, dt.datetime]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def stamp(self, obj: models.Model, at: dt.datetime) -> None:
        self.written_at[type(obj)].append((obj, at))


class Story:
    """One referral, moved along the workflow exactly as `referral_transition` would move it."""

    def __init__(self, plan: Plan, *, learner, school, prescriber, organisation, motivation, at, on, kind):
        self.plan, self.kind = plan, kind  # kind: why the candidate is ineligible ("" when eligible)
        self.referral = Referral(
            learner=learner,
            school=school,
            prescriber=prescriber,
            prescriber_organisation=organisation,
            motivation=motivation,
            referred_on=timezone.localdate(at),
            status=ReferralStatus.NEW,
            status_changed_at=at,
            eligibility=evaluate_learner(learner, on=on).as_dict(),
            created_by=prescriber,
        )
        plan.referrals.append(self.referral)
        plan.stamp(self.referral, at)
        plan.events.append(
            ReferralEvent(referral=self.referral, to_status=ReferralStatus.NEW, by=prescriber, at=at)
        )
        self.at = self.created_at = at

    @property
    def learner(self) -> Learner:
        return self.referral.learner

    @property
    def justification(self) -> str:
        """What the school writes to admit a candidate outside the criteria."""
        return "" if self.referral.is_eligible else JUSTIFICATIONS[self.kind or "age"]

    @property
    def status(self) -> str:
        return self.referral.status

    def move(
        self, to, *, by, at, reason="", reason_detail="", reason_shared=False, note="", justification=""
    ):
        referral = self.referral
        if not referral.can_move_to(to):
            raise ValueError(f"{referral.status} → {to} is not a transition of the workflow")
        if to in NEEDS_REASON and not reason:
            raise ValueError(f"{to} needs a reason")
        if to == ReferralStatus.ADMITTED and not referral.is_eligible and not justification:
            raise ValueError("an ineligible candidate is admitted only with a justification")
        at = max(at, self.at + 20 * MINUTE)
        if at >= timezone.now():
            raise ValueError(f"{to} at {at} is in the future")
        previous = referral.status
        referral.status, referral.status_changed_at = to, at
        if to in DECISIONS or to in NEEDS_REASON:
            referral.reason, referral.reason_detail, referral.reason_shared = (
                reason,
                reason_detail,
                reason_shared,
            )
        if justification:
            referral.eligibility_override = justification
        self.plan.events.append(
            ReferralEvent(
                referral=referral, from_status=previous, to_status=to, by=by, at=at, reason=reason, note=note
            )
        )
        self.at = at
        return at


@dataclass
class Session:
    row: InformationSession
    day: dt.date
    invited: int = 0

    @property
    def full(self) -> bool:
        return self.invited >= self.row.capacity


class IntakeBuilder:
    """Builds the intake history of the demo network (`Builder` builds the network first)."""

    def __init__(self, seed: int = 2017):
        self.seed = seed
        self.fake = Faker("fr_FR")
        self.today = timezone.localdate()

    def build(self, demo: DemoNetwork) -> Plan | None:
        """Write the history once: a second run finds it and changes nothing."""
        prescribers = self.prescribers(demo)
        if Cohort.objects.filter(school__network=demo.network).exists():
            return None
        plan = self.plan(demo, prescribers)
        self.save(plan)
        return plan

    def prescribers(self, demo: DemoNetwork) -> dict[int, User]:
        """One counsellor per prescriber structure (Thomas for the Mission Locale of Chelles)."""
        self.fake.seed_instance(f"{self.seed}:prescribers")
        thomas = demo.users["prescription@plombiers.example"]
        users = {}
        for organisation in demo.network.organisations.filter(kind=Kind.PRESCRIBER).order_by("name", "pk"):
            # Drawn whether or not the user exists, so that a second run draws the same names.
            first_name, last_name = self.fake.first_name(), self.fake.last_name()
            if organisation.name == THOMAS_ORGANISATION:
                users[organisation.pk] = thomas
                continue
            user, _ = User.objects.get_or_create(
                email=f"prescription.{slugify(organisation.name)[:48]}@plombiers.example",
                defaults={"first_name": first_name, "last_name": last_name, "password": thomas.password},
            )
            Membership.objects.get_or_create(user=user, role=Role.PRESCRIBER, organisation=organisation)
            users[organisation.pk] = user
        return users

    def plan(self, demo: DemoNetwork, prescribers: dict[int, User], only: set[str] | None = None) -> Plan:
        """The whole history (or that of the `only` schools, by town), unsaved.

        Each school draws from its own random stream: the same seed and day give the same plan."""
        plan = Plan()
        keys: set[str] = set()
        for index, (town, school) in enumerate(demo.schools.items()):
            if only is not None and town not in only:
                continue
            SchoolHistory(self, demo, school, index, plan, prescribers, keys).build()
        # A young person is recorded with the first referral that names them.
        first: dict[int, dt.datetime] = {}
        for referral, at in plan.written_at[Referral]:
            first[id(referral.learner)] = min(at, first.get(id(referral.learner), at))
        plan.written_at[Learner] = [(learner, first[id(learner)]) for learner in plan.learners]
        return plan

    def save(self, plan: Plan) -> None:
        Cohort.objects.bulk_create(plan.cohorts)
        Through = Cohort.trainers.through
        Through.objects.bulk_create([Through(cohort=c, user=u) for c, u in plan.cohort_trainers])
        Learner.objects.bulk_create(plan.learners)
        Referral.objects.bulk_create(plan.referrals)
        ReferralEvent.objects.bulk_create(plan.events)
        InformationSession.objects.bulk_create(plan.sessions)
        Invitation.objects.bulk_create(plan.invitations)
        Enrolment.objects.bulk_create(plan.enrolments)
        WaitlistEntry.objects.bulk_create(plan.waitlist)
        # `auto_now_add` stamps the insert time: put back the day each row was really written
        # (one prepared UPDATE run many times; `bulk_update` takes seconds here).
        quote = connection.ops.quote_name
        for model, rows in plan.written_at.items():
            column = model._meta.get_field("invited_at" if model is Invitation else "created_at")
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            sql = f"UPDATE {table} SET {quote(column.column)} = %s WHERE {pk} = %s"  # noqa: S608 — model names
            with connection.cursor() as cursor:
                cursor.executemany(
                    sql, [(column.get_db_prep_value(at, connection), obj.pk) for obj, at in rows]
                )
            for obj, at in rows:
                setattr(obj, column.attname, at)


class SchoolHistory:
    """The history of one school, drawn from its own random stream (seed and school)."""

    def __init__(self, builder, demo, school: School, index: int, plan: Plan, prescribers, keys):
        self.today, self.plan, self.school, self.keys = builder.today, plan, school, keys
        self.rng = random.Random(f"{builder.seed}:{school.slug}")
        self.fake = builder.fake
        self.fake.seed_instance(f"{builder.seed}:{school.slug}")
        # Every demo cohort trains on its trade's current framework, as `cohort_create` sets it
        # (None until the frameworks are loaded: `plombiers demo` loads them first).
        self.framework = Framework.objects.current_for(school.trade)
        self.is_chelles = school.slug == "plombiers-chelles"
        self.index = index
        self.demo = demo
        members = defaultdict(list)
        for membership in school.memberships.select_related("user").order_by("pk"):
            members[membership.role].append(membership.user)
        self.managers = members[Role.SCHOOL_MANAGER]
        self.trainers = members[Role.TRAINER]
        self.social_workers = members[Role.SOCIAL_WORKER]
        self.team = self.managers + self.trainers + self.social_workers
        named = {"formation@plombiers.example", "formation.roubaix@plombiers.example"}
        self.named_trainers = [u for u in self.trainers if u.email in named]
        organisations = list(school.partners.filter(kind=Kind.PRESCRIBER).order_by("name", "pk").distinct())
        self.prescribers = [(o, prescribers[o.pk]) for o in organisations]
        self.weights = [PRESCRIBER_WEIGHTS.get(o.category, 10) for o in organisations]
        self.mission_locale = next(o for o in organisations if o.category == Cat.MISSION_LOCALE)
        # The price in the training convention and the OPCO that pays it (their own random stream,
        # so that the other draws of the history stay the same).
        self.opco = school.partners.filter(kind=Kind.OPCO).order_by("pk").first()
        self.prices = random.Random(f"{builder.seed}:{school.slug}:prix")
        around = list(
            Commune.objects.filter(departement=school.commune.departement_id, kind=Commune.Kind.COMMUNE)
            .exclude(pk=school.commune_id)
            .order_by("-population", "insee_code")[:60]
        )
        self.communes = [school.commune, *around]
        self.commune_weights = [0.6 * sum((c.population or 1) ** 0.5 for c in around) or 1] + [
            (c.population or 1) ** 0.5 for c in around
        ]
        self.refused_pool: list[Learner] = []  # may be referred again later by another structure
        self.second_chances: list[Learner] = []
        self.sessions: dict[int, list[Session]] = {}  # by id of the cohort
        self.enrolled: dict[int, list[Enrolment]] = defaultdict(list)

    # --- time -----------------------------------------------------------------

    def moment(self, day: dt.date, latest: dt.date | None = None) -> dt.datetime:
        """A time of the working day; never after `latest` (default: yesterday)."""
        day = min(workday(day), self.today - dt.timedelta(days=1), latest or self.today)
        time = dt.time(self.rng.randint(8, 17), self.rng.choice((0, 10, 15, 20, 30, 40, 45, 50)))
        return timezone.make_aware(dt.datetime.combine(day, time))

    def days(self, a: int, b: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(a, b))

    def cohort_dates(self) -> list[tuple[dt.date, dt.date, str]]:
        """Finished cohorts from the opening date, one under way today, one planned."""
        rng, opened = self.rng, self.school.opened_on
        ongoing_start = monday(self.today - (dt.timedelta(days=60) if self.is_chelles else self.days(21, 80)))
        span = (ongoing_start - opened).days
        count = max(1, round(span / 146))  # about 2.5 cohorts a year
        starts = [opened] + [monday(opened + dt.timedelta(days=span * i / count)) for i in range(1, count)]
        starts.append(ongoing_start)
        dates = []
        for start, following in itertools.pairwise(starts):
            weeks = min(rng.randint(14, 17), ((following - start).days - 14) // 7)
            dates.append((start, start + dt.timedelta(weeks=weeks, days=-3), CohortStatus.FINISHED))
        weeks = 16 if self.is_chelles else rng.randint(14, 17)
        ongoing_end = ongoing_start + dt.timedelta(weeks=weeks, days=-3)
        dates.append((ongoing_start, ongoing_end, CohortStatus.ONGOING))
        planned_start = monday(ongoing_end + self.days(17, 45))
        weeks = rng.randint(14, 17)
        dates.append(
            (planned_start, planned_start + dt.timedelta(weeks=weeks, days=-3), CohortStatus.PLANNED)
        )
        return dates

    # --- the school's history --------------------------------------------------

    def build(self) -> None:
        numbers: dict[int, int] = defaultdict(int)
        carried: list[Story] = []
        dates = self.cohort_dates()
        for index, (start, end, status) in enumerate(dates):
            numbers[start.year] += 1
            cohort = self.cohort(f"Promotion {start.year}-{numbers[start.year]}", start, end, status)
            if status == CohortStatus.PLANNED:
                self.recruit_planned(cohort)
            else:
                previous = index + 1 < len(dates) and dates[index + 1][2] == CohortStatus.ONGOING
                carried = self.recruit(cohort, carried, graduate=self.is_chelles and previous)

    def cohort(self, name, start, end, status) -> Cohort:
        cohort = Cohort(
            school=self.school,
            trade=self.school.trade,
            name=name,
            start_date=start,
            end_date=end,
            capacity=self.school.default_cohort_capacity,
            framework=self.framework,
            status=status,
            social_worker=self.rng.choice(self.social_workers) if self.social_workers else None,
            price_per_learner=self.price(start),
            opco=self.opco,
        )
        self.plan.cohorts.append(cohort)
        self.plan.stamp(cohort, self.moment(min(start - self.days(90, 120), self.today - self.days(60, 70))))
        trainers = self.rng.sample(self.trainers, min(len(self.trainers), self.rng.randint(1, 2)))
        if status == CohortStatus.ONGOING:
            trainers = [*self.named_trainers, *(t for t in trainers if t not in self.named_trainers)]
        self.plan.cohort_trainers += [(cohort, t) for t in trainers]
        self.sessions[id(cohort)] = []
        return cohort

    def price(self, start: dt.date) -> Decimal:
        """6 000 to 9 000 € per learner, a little more every year, more for the data centre trade."""
        base, yearly = (7000, 130) if self.school.trade.slug == "technicien-data-center" else (6200, 120)
        price = base + yearly * (start.year - 2017) + 50 * self.prices.randint(0, 16)
        return Decimal(min(price, 9000))

    def session(self, cohort: Cohort, day: dt.date) -> Session:
        """An information session at the school, on a Tuesday or a Thursday."""
        while day.weekday() not in (1, 3):  # forward for a session to come, back for a past one
            day += dt.timedelta(days=1 if day > self.today else -1)
        hour = self.rng.choice((dt.time(9, 30), dt.time(14, 0)))
        row = InformationSession(
            school=self.school,
            starts_at=timezone.make_aware(dt.datetime.combine(day, hour)),
            place=f"Plateau technique, {self.school.address}, {self.school.commune.name}",
            capacity=20 if self.school.default_cohort_capacity > 8 else 15,
            notes="Présentation du métier et de la formation, visite du plateau technique.",
        )
        self.plan.sessions.append(row)
        session = Session(row, day)
        self.sessions[id(cohort)].append(session)
        return session

    def free_session(self, cohort: Cohort, *, past: bool = True) -> Session | None:
        sessions = [s for s in self.sessions[id(cohort)] if not s.full and (s.day < self.today) == past]
        if not sessions:
            return None
        return sessions[0] if self.rng.random() < 0.6 else self.rng.choice(sessions)

    def recruit(self, cohort: Cohort, carried: list[Story], *, graduate: bool = False) -> list[Story]:
        """A finished or ongoing cohort: filled before it starts, its waiting list, its drop-outs.

        Returns the candidates waiting for a seat who will be admitted to the next cohort."""
        rng, start = self.rng, cohort.start_date
        ongoing = cohort.status == CohortStatus.ONGOING
        for weeks in (4, 3, 2):
            self.session(cohort, start - dt.timedelta(weeks=weeks) + dt.timedelta(days=1))
        seats = cohort.capacity if ongoing or rng.random() > 0.15 else cohort.capacity - 1
        admitted: list[Story] = []
        keep: set[int] = set()  # the young people of the story, who do not drop out
        # Refused from an earlier cohort, some are referred again by another structure.
        self.second_chances, self.refused_pool = self.refused_pool, []
        for story in carried:
            at = self.moment(start - self.days(6, 16))
            story.move(
                ReferralStatus.ADMITTED,
                by=self.manager(),
                at=at,
                note=str(cohort),
                justification=story.justification,
            )
            self.enrol(story, cohort, at)
            admitted.append(story)
        for n in range(seats - len(carried)):
            story = None
            if n == 0 and self.is_chelles and ongoing:
                story = self.ines(cohort)
            elif n == 0 and graduate:
                # The previous Chelles cohort: its first learner, sent by Thomas, completes it.
                story = self.candidate(
                    cohort, ReferralStatus.ADMITTED, organisation=self.mission_locale, eligible=True
                )
            if story is not None:
                keep.add(id(story.learner))
            else:
                story = self.candidate(cohort, ReferralStatus.ADMITTED)
            admitted.append(story)
        last_admission = max(s.at for s in admitted)
        waiting: list[Story] = []
        others = round((seats - len(carried)) * rng.uniform(0.8, 1.2))
        outcomes = {
            ReferralStatus.REFUSED: 26,
            ReferralStatus.REDIRECTED: 24,
            ReferralStatus.CANCELLED: 18,
            ReferralStatus.EXPIRED: 12,
        }
        if seats == cohort.capacity:
            outcomes[ReferralStatus.WAITLIST] = 20 if ongoing else 14
        for _ in range(others):
            outcome = pick(rng, outcomes)
            if outcome == ReferralStatus.EXPIRED and ongoing:
                outcome = ReferralStatus.CANCELLED  # not yet 60 days without news
            story = self.candidate(cohort, outcome, after=last_admission)
            if story.status == ReferralStatus.WAITLIST:
                waiting.append(story)
        if ongoing and not waiting:
            waiting.append(self.candidate(cohort, ReferralStatus.WAITLIST, after=last_admission))
        if rng.random() < 0.1 or (self.is_chelles and ongoing):
            self.duplicate(cohort)
        self.finish(cohort, keep)
        self.refused_pool = self.second_chances + self.refused_pool
        if ongoing:
            for position, story in enumerate(sorted(waiting, key=lambda s: s.at), start=1):
                entry = WaitlistEntry(cohort=cohort, referral=story.referral, position=position)
                self.plan.waitlist.append(entry)
                self.plan.stamp(entry, story.at)
            return []
        # Waiting for a seat: the first two are admitted to the next cohort, the others give up.
        for story in waiting[2:]:
            at = self.moment(start + self.days(5, 40))
            story.move(
                ReferralStatus.CANCELLED, by=story.referral.prescriber, at=at, note=WAITLIST_CANCELLATION_NOTE
            )
        return waiting[:2]

    def recruit_planned(self, cohort: Cohort) -> None:
        """The next cohort: a few already admitted, candidates at every stage, a few decisions."""
        rng, today = self.rng, self.today
        self.session(cohort, today - self.days(18, 26))
        self.session(cohort, today - self.days(4, 10))
        upcoming = self.session(cohort, today + self.days(4, 12))
        full = self.index % 3 == 1
        count = cohort.capacity if full else rng.randint(cohort.capacity // 4, cohort.capacity * 3 // 4)
        admitted = [self.candidate(cohort, ReferralStatus.ADMITTED) for _ in range(count)]
        after = max(s.at for s in admitted)
        if full:
            for _ in range(rng.randint(1, 3)):
                admitted.append(self.candidate(cohort, ReferralStatus.WAITLIST, after=after))
            waiting = [s for s in admitted if s.status == ReferralStatus.WAITLIST]
            for position, story in enumerate(sorted(waiting, key=lambda s: s.at), start=1):
                entry = WaitlistEntry(cohort=cohort, referral=story.referral, position=position)
                self.plan.waitlist.append(entry)
                self.plan.stamp(entry, story.at)
        statuses = [
            ReferralStatus.NEW,
            ReferralStatus.REVIEW,
            ReferralStatus.INFO_SESSION,
            ReferralStatus.INTERVIEW,
        ]
        for n in range(rng.randint(6, 10)):
            organisation = self.mission_locale if self.is_chelles and n == 0 else None
            self.candidate(cohort, statuses[n % 4], organisation=organisation, upcoming=upcoming)
        decided = [ReferralStatus.REFUSED] * rng.randint(1, 2) + [ReferralStatus.REDIRECTED] * rng.randint(
            0, 2
        )
        for outcome in decided + [ReferralStatus.CANCELLED] * rng.randint(0, 1):
            self.candidate(cohort, outcome)
        if rng.random() < 0.3 or self.is_chelles:
            self.duplicate(cohort)
        self.finish(cohort, set())

    # --- candidates --------------------------------------------------------------

    def manager(self) -> User:
        return self.managers[0]

    def staff(self) -> User:
        return self.rng.choice(self.team)

    def organisation(self, exclude=None):
        while True:
            organisation, user = self.rng.choices(self.prescribers, weights=self.weights)[0]
            if organisation != exclude:
                return organisation, user

    def candidate(
        self,
        cohort: Cohort,
        outcome: str,
        *,
        organisation=None,
        eligible: bool | None = None,
        after: dt.datetime | None = None,
        upcoming: Session | None = None,
        learner: Learner | None = None,
        kind: str | None = None,
    ) -> Story:
        """A referral to `cohort` that ends in `outcome`, through the stages it would go through."""
        rng, start = self.rng, cohort.start_date
        planned = cohort.status == CohortStatus.PLANNED
        if eligible is None:
            share = {
                ReferralStatus.ADMITTED: 0.015,
                ReferralStatus.REFUSED: 0.35,
                ReferralStatus.REDIRECTED: 0.3,
            }.get(outcome, 0.05)
            eligible = rng.random() >= share
        if learner is None and self.second_chances and not planned and rng.random() < 0.02:
            learner = self.second_chances.pop(0)  # referred again, by another structure
            if not evaluate_learner(learner, on=start).eligible:
                learner = None  # too old by now
        if learner is None:
            learner, kind = self.learner(start, eligible)
        elif kind is None:
            kind = "" if evaluate_learner(learner, on=start).eligible else "age"
        if organisation is None:
            organisation, prescriber = self.organisation()
        else:
            prescriber = next(u for o, u in self.prescribers if o == organisation)

        # The stages: referred → (studied) → (information session) → (interview) → decision.
        early = outcome in (ReferralStatus.REFUSED, ReferralStatus.REDIRECTED) and kind and rng.random() < 0.6
        no_show = (
            outcome in (ReferralStatus.REFUSED, ReferralStatus.EXPIRED) and not kind and rng.random() < 0.4
        )
        session = None
        if outcome == ReferralStatus.INFO_SESSION and upcoming is not None and rng.random() < 0.6:
            session = upcoming if not upcoming.full else None
        if (
            session is None
            and not early
            and outcome not in (ReferralStatus.NEW, ReferralStatus.REVIEW, ReferralStatus.CANCELLED)
            and (rng.random() < 0.9 or outcome == ReferralStatus.INFO_SESSION or no_show)
        ):
            session = self.free_session(cohort)
        interview = outcome not in (
            ReferralStatus.NEW,
            ReferralStatus.REVIEW,
            ReferralStatus.INFO_SESSION,
            ReferralStatus.CANCELLED,
            ReferralStatus.EXPIRED,
        ) and not (early or no_show)
        review = outcome != ReferralStatus.NEW and (session is None or rng.random() < 0.8)
        if session is not None:
            invite = session.day - self.days(4, 12)
            if session.day >= self.today:
                invite = self.today - self.days(1, 6)
            first = invite - self.days(1, 6) if review else invite
            referred = first - self.days(1, 8)
        elif planned:
            referred = (
                self.today - self.days(4, 14)
                if outcome == ReferralStatus.NEW
                else self.today - self.days(10, 40)
            )
            first = referred + self.days(1, 4)
        else:
            first = start - self.days(20, 50)
            referred = first - self.days(1, 6)
        if planned:
            referred = max(referred, self.today - dt.timedelta(days=55))
        motivation = ASE_MOTIVATION if organisation.category == Cat.ASE else None
        story = Story(
            self.plan,
            learner=learner,
            school=self.school,
            prescriber=prescriber,
            organisation=organisation,
            motivation=motivation or rng.choice(MOTIVATIONS[self.school.trade.slug] + GENERAL_MOTIVATIONS),
            at=self.moment(referred),
            on=start,
            kind=kind,
        )
        if review:
            story.move(ReferralStatus.REVIEW, by=self.staff(), at=self.moment(first))
        if session is not None:
            self.invite(story, session, invite, attended=None if session.day >= self.today else not no_show)
        if interview:
            day = session.day + self.days(1, 4) if session else story.at.date() + self.days(3, 10)
            story.move(ReferralStatus.INTERVIEW, by=self.staff(), at=self.moment(day))
        decided = story.at.date() + self.days(1, 4)
        if no_show:
            decided = session.day + self.days(2, 6) if session else decided
        match outcome:
            case ReferralStatus.ADMITTED:
                at = self.moment(decided, latest=start - dt.timedelta(days=3))
                story.move(
                    ReferralStatus.ADMITTED,
                    by=self.manager(),
                    at=at,
                    note=str(cohort),
                    justification=story.justification,
                )
                self.enrol(story, cohort, at)
            case ReferralStatus.WAITLIST:
                at = self.moment(decided, latest=start - dt.timedelta(days=2))
                story.move(
                    ReferralStatus.WAITLIST,
                    by=self.manager(),
                    at=max(at, (after or at) + self.rng.randint(30, 600) * MINUTE),
                    reason=R.FULL,
                    reason_shared=True,
                    note=f"Promotion complète : {cohort.name}",
                )
            case ReferralStatus.REFUSED | ReferralStatus.REDIRECTED:
                if kind:
                    reason = INELIGIBILITY_REASONS[kind] if rng.random() < 0.8 else R.OTHER_PROGRAMME
                elif no_show:
                    reason = R.NO_SHOW
                else:
                    reason = pick(
                        rng, REFUSAL_REASONS if outcome == ReferralStatus.REFUSED else REDIRECTION_REASONS
                    )
                story.move(
                    outcome,
                    by=self.manager(),
                    at=self.moment(decided, latest=start - dt.timedelta(days=1)),
                    reason=reason,
                    reason_detail=REASON_DETAILS[reason],
                    reason_shared=rng.random() < 0.6,
                )
                if reason in (R.MOTIVATION, R.NO_SHOW, R.BARRIERS) and not kind:
                    self.refused_pool.append(learner)
            case ReferralStatus.CANCELLED:
                day = story.at.date() + self.days(2, 12)
                story.move(
                    ReferralStatus.CANCELLED,
                    by=prescriber,
                    at=self.moment(day),
                    note=rng.choice(CANCELLATION_NOTES),
                )
            case ReferralStatus.EXPIRED:
                at = story.at + dt.timedelta(days=61)
                at = at.replace(hour=4, minute=0) if at.hour > 4 else at
                story.move(ReferralStatus.EXPIRED, by=None, at=at, note="Sans suite depuis 60 jours.")
        return story

    def invite(self, story: Story, session: Session, day: dt.date, attended: bool | None) -> None:
        at = story.move(
            ReferralStatus.INFO_SESSION,
            by=self.staff(),
            at=self.moment(day),
            note=f"Invité·e : {session.row}",
        )
        invitation = Invitation(session=session.row, referral=story.referral, attended=attended)
        self.plan.invitations.append(invitation)
        self.plan.stamp(invitation, at)
        session.invited += 1

    def duplicate(self, cohort: Cohort) -> None:
        """Two structures refer the same young person: the first referral is cancelled as a duplicate."""
        first_org, first_user = self.organisation()
        second_org, _ = self.organisation(exclude=first_org)
        outcome = (
            ReferralStatus.REVIEW
            if cohort.status == CohortStatus.PLANNED
            else pick(self.rng, {ReferralStatus.ADMITTED: 1, ReferralStatus.REFUSED: 1})
        )
        if outcome == ReferralStatus.ADMITTED and self.seats_left(cohort) == 0:
            outcome = ReferralStatus.REFUSED
        kept = self.candidate(cohort, outcome, organisation=second_org, eligible=True)
        # The first structure had referred them a few days earlier; told of the double, it withdrew.
        created = kept.created_at
        dupe = Story(
            self.plan,
            learner=kept.learner,
            school=self.school,
            prescriber=first_user,
            organisation=first_org,
            motivation=kept.referral.motivation,
            at=created - dt.timedelta(days=self.rng.randint(3, 9)),
            on=cohort.start_date,
            kind="",
        )
        dupe.move(
            ReferralStatus.CANCELLED,
            by=first_user,
            at=created - dt.timedelta(hours=self.rng.randint(2, 30)),
            note=f"Doublon : également orienté·e par {second_org.name}, qui garde le suivi.",
        )

    def seats_left(self, cohort: Cohort) -> int:
        return cohort.capacity - len(self.enrolled[id(cohort)])

    def enrol(self, story: Story, cohort: Cohort, at: dt.datetime) -> None:
        if self.seats_left(cohort) <= 0:
            raise ValueError(f"{cohort.name} is full")
        enrolment = Enrolment(
            learner=story.learner,
            cohort=cohort,
            referral=story.referral,
            status=EnrolmentStatus.ACTIVE,
            entry_date=cohort.start_date,
            eligibility_override=story.referral.eligibility_override,
            created_by=self.manager(),
        )
        self.plan.enrolments.append(enrolment)
        self.enrolled[id(cohort)].append(enrolment)
        self.plan.stamp(enrolment, at)

    def finish(self, cohort: Cohort, keep: set[int]) -> None:
        """Drop-outs (date and reason) and, for a finished cohort, everyone else completed."""
        if cohort.status == CohortStatus.PLANNED:
            return
        last = min(cohort.end_date, self.today) - dt.timedelta(days=1)
        # Under way, the cohort has had only part of its drop-outs yet.
        rate = DROP_OUT_RATE * min(
            (last - cohort.start_date).days / (cohort.end_date - cohort.start_date).days, 1
        )
        for enrolment in self.enrolled[id(cohort)]:
            if id(enrolment.learner) in keep or (last - enrolment.entry_date).days < 14:
                dropped = False
            else:
                dropped = self.rng.random() < rate
            if dropped:
                reason = pick(self.rng, DROP_OUT_WEIGHTS)
                enrolment.status = EnrolmentStatus.DROPPED_OUT
                enrolment.end_date = enrolment.entry_date + self.days(7, (last - enrolment.entry_date).days)
                enrolment.drop_out_reason, enrolment.drop_out_detail = reason, DROP_OUT_DETAILS[reason]
            elif cohort.status == CohortStatus.FINISHED:
                enrolment.status, enrolment.end_date = EnrolmentStatus.COMPLETED, cohort.end_date

    # --- people --------------------------------------------------------------------

    def learner(self, start: dt.date, eligible: bool) -> tuple[Learner, str]:
        """A fictional young person (Faker fr_FR) and why they are not eligible ("" if they are)."""
        rng, fake = self.rng, self.fake
        roll = rng.random()
        gender = Gender.FEMALE if roll < 0.2 else Gender.MALE if roll < 0.97 else ""
        first_name = rng.choice(YOUNG_WOMEN if gender == Gender.FEMALE else YOUNG_MEN)
        last_name = fake.last_name()
        has_rqth = rng.random() < 0.05
        kind = "" if eligible else pick(rng, {"age": 4, "diploma": 4, "not_neet": 2})
        if kind == "age":
            has_rqth, age = False, rng.randint(26, 28)
        else:
            age = pick(rng, AGES_RQTH if has_rqth else AGES)
        if kind == "diploma":
            diploma = Diploma.LEVEL_4 if rng.random() < 0.8 else Diploma.LEVEL_5
        else:
            diploma = Diploma.NONE if rng.random() < 0.6 else Diploma.LEVEL_3
        if age < 17 and diploma == Diploma.LEVEL_3:
            diploma = Diploma.NONE
        birth_date = years_before(start, age) - self.days(0, 364)
        key = identity_key(last_name=last_name, first_name=first_name, birth_date=birth_date)
        while key in self.keys:  # the same name and birth date twice: another birthday
            birth_date -= dt.timedelta(days=1)
            key = identity_key(last_name=last_name, first_name=first_name, birth_date=birth_date)
        self.keys.add(key)
        licence = pick(rng, {DrivingLicence.NONE: 70, DrivingLicence.IN_PROGRESS: 20, DrivingLicence.B: 10})
        transports = {Transport.PUBLIC: 60, Transport.NONE: 15, Transport.BIKE: 12, Transport.MOTORBIKE: 5}
        if licence == DrivingLicence.B:
            transports[Transport.CAR] = 40
        latest_neet = start - dt.timedelta(days=60)
        earliest_neet = min(max(years_before(start, age - 16), start - dt.timedelta(days=900)), latest_neet)
        neet_since = earliest_neet + self.days(0, (latest_neet - earliest_neet).days)
        learner = Learner(
            school=self.school,
            first_name=first_name,
            last_name=last_name,
            birth_date=birth_date,
            gender=gender,
            phone=f"0{rng.choice('67')} " + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4)),
            email=f"{slugify(fold(first_name))}.{slugify(fold(last_name))}{rng.randint(1, 99)}@jeunes.example",
            commune=rng.choices(self.communes, weights=self.commune_weights)[0],
            address=fake.street_address(),
            lives_in_qpv=rng.random() < 0.47,
            highest_diploma=diploma,
            last_class=pick(rng, LAST_CLASSES[diploma]),
            neet_since=neet_since,
            is_neet=kind != "not_neet",
            has_rqth=has_rqth,
            driving_licence=licence,
            transport=pick(rng, transports),
            max_travel_km=rng.choice((5, 10, 15, 20, 30, 40)),
            france_travail_id=f"{rng.randint(0, 9999999):07d}{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}"
            if rng.random() < 0.45
            else "",
            identity_key=key,
        )
        self.plan.learners.append(learner)
        return learner, kind

    def ines(self, cohort: Cohort) -> Story:
        """Inès (DEMO.md): 19, lives in a QPV of Chelles, referred by Thomas, in the ongoing cohort."""
        user = self.demo.users["jeune@plombiers.example"]
        birth_date = years_before(self.today, 19) - dt.timedelta(days=150)
        learner = Learner(
            school=self.school,
            first_name=user.first_name,
            last_name=user.last_name,
            birth_date=birth_date,
            gender=Gender.FEMALE,
            phone="06 12 34 56 78",
            email=user.email,
            commune=self.school.commune,
            address=self.fake.street_address(),
            lives_in_qpv=True,
            highest_diploma=Diploma.NONE,
            last_class=LastClass.SECONDE,
            neet_since=cohort.start_date - dt.timedelta(days=240),
            is_neet=True,
            driving_licence=DrivingLicence.NONE,
            transport=Transport.PUBLIC,
            max_travel_km=15,
            identity_key=identity_key(
                last_name=user.last_name, first_name=user.first_name, birth_date=birth_date
            ),
            user=user,
        )
        self.keys.add(learner.identity_key)
        self.plan.learners.append(learner)
        return self.candidate(
            cohort, ReferralStatus.ADMITTED, organisation=self.mission_locale, learner=learner, kind=""
        )
