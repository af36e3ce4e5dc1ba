"""A synthetic national data set for the indicators' benchmarks (`plombiers seed --learners N`).

One network of `N / 500` schools (fibre optique and data centre, on real communes weighted by
population), ten years of cohorts of 8 to 12 young people lasting three to four months, and for
each young person what the application would have recorded: a referral by a prescriber structure,
an enrolment (completed, dropped out, or still in training), the situation at exit, the four
follow-ups at 1, 3, 6 and 12 months with statuses consistent with their dates, signed half-days
with attendance marks and skill observations, barriers (« freins ») raised and lifted, and an
internship in the school's partner company. The schools' funders are partner organisations.

`N` counts the young people (`Learner` rows): about three in four are admitted and enrolled, the
others were referred and not admitted (refused, redirected, cancelled, expired or still open).

Streaming: the rows are generated and written a batch of cohorts at a time (about `batch` young
people with everything that hangs from them), so that memory stays flat whatever N. Parents are
written with `bulk_create` (their keys are needed); the leaves — follow-ups, attendance marks,
observations, barriers, internships — with `executemany`, which is several times faster. Deterministic: the same N and
seed give the same rows. `bulk_create` bypasses `save()`: the categories of exits and follow-ups
are written explicitly from `CATEGORY_OF`, as `save()` would.
"""

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.cohorts.enums import (
    AttendanceStatus,
    CohortStatus,
    DropOutReason,
    EnrolmentStatus,
    Period,
    SignatureMethod,
)
from plombiers.cohorts.models import Attendance, Cohort, Enrolment, Signature, TrainingSession
from plombiers.frameworks.models import Block, Framework, Skill
from plombiers.internships.enums import InternshipStatus
from plombiers.internships.models import CompanySite, Internship
from plombiers.lib.dates import add_months
from plombiers.lib.text import fold
from plombiers.network.communes import communes_save, read_communes, read_departements, read_regions
from plombiers.network.enums import OrganisationCategory, OrganisationKind, SchoolStatus
from plombiers.network.models import Commune, Contact, Network, Organisation, Partnership, School, Trade
from plombiers.network.trades import default_trades_ensure
from plombiers.outcomes.enums import (
    CATEGORY_OF,
    EMPLOYMENT_TYPES,
    NO_NEWS_AFTER_DAYS,
    ExitType,
    FollowUpHorizon,
    FollowUpSource,
    FollowUpStatus,
)
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.referrals.enums import DecisionReason, Diploma, Gender, ReferralStatus
from plombiers.referrals.models import Learner, Referral
from plombiers.skills.enums import Level
from plombiers.skills.models import Observation
from plombiers.support.enums import BarrierLevel, default_categories_ensure
from plombiers.support.models import Barrier, BarrierCategory

NETWORK_SLUG = "reseau-national-synthetique"
PASSWORD = "seed-plombiers"  # noqa: S105 — accounts of a synthetic bench database only
NETWORK_STAFF_EMAIL = "reseau@seed.example"
LEARNERS_PER_SCHOOL = 500  # 1,000,000 young people → 2,000 schools
YEARS = 10
SKILLS = 20
SESSION_MINUTES = 210
# A few communes for tiny runs (tests): reading the 35,000 communes of France takes seconds.
FEW_COMMUNES = ["77108", "75056", "93008", "59350", "69123", "13055", "33063", "31555", "44109", "67482"]

T = ExitType
#: The situation at the end of a completed path (about 73 % positive among counted exits)…
COMPLETED_EXITS = {
    T.CDI: 12,
    T.CDD_LONG: 10,
    T.TEMPING_LONG: 4,
    T.CIVIL_SERVICE: 1,
    T.BUSINESS_CREATION: 1,
    T.CDD_SHORT: 13,
    T.TEMPING_SHORT: 8,
    T.SUBSIDISED: 3,
    T.APPRENTICESHIP: 9,
    T.PROFESSIONALISATION: 5,
    T.QUALIFYING_TRAINING: 4,
    T.PRE_QUALIFYING_TRAINING: 2,
    T.SIAE: 2,
    T.CIVIC_SERVICE: 2,
    T.JOB_SEEKING: 16,
    T.INACTIVE: 3,
    T.NO_NEWS: 3,
    T.MOVED: 1,
    T.ILLNESS: 1,
    T.INCARCERATION: 0.3,
}
#: … and after a drop-out (about 45 % positive: many leave for a job or another training).
DROPOUT_EXITS = {
    T.CDI: 4,
    T.CDD_SHORT: 12,
    T.TEMPING_SHORT: 10,
    T.APPRENTICESHIP: 6,
    T.QUALIFYING_TRAINING: 8,
    T.PRE_QUALIFYING_TRAINING: 4,
    T.JOB_SEEKING: 25,
    T.INACTIVE: 12,
    T.NO_NEWS: 10,
    T.MOVED: 4,
    T.ILLNESS: 4,
    T.INCARCERATION: 1,
}
#: A follow-up finds a different situation this often (else the previous one goes on).
CHANGE = 0.35
FOLLOW_UP_SITUATIONS = {t: w for t, w in COMPLETED_EXITS.items() if t != T.NO_NEWS}
ROME = {"fibre-optique": "F1605", "technicien-data-center": "I1307"}
PRESCRIBERS = {
    OrganisationCategory.MISSION_LOCALE: 45,
    OrganisationCategory.FRANCE_TRAVAIL: 25,
    OrganisationCategory.E2C: 8,
    OrganisationCategory.ASE: 6,
    OrganisationCategory.PJJ: 4,
    OrganisationCategory.CAP_EMPLOI: 3,
    OrganisationCategory.INSERTION_ASSOCIATION: 9,
}
FUNDERS = [
    (OrganisationCategory.STATE, "État — Plan d'investissement dans les compétences"),
    (OrganisationCategory.LOCAL_AUTHORITY, "Conseil régional"),
    (OrganisationCategory.FOUNDATION, "Fondation"),
    (OrganisationCategory.ENDOWMENT_FUND, "Fonds de dotation d'un opérateur télécom"),
]
NOT_ADMITTED = {
    ReferralStatus.REFUSED: 30,
    ReferralStatus.REDIRECTED: 20,
    ReferralStatus.CANCELLED: 25,
    ReferralStatus.EXPIRED: 15,
}
OPEN = [ReferralStatus.NEW, ReferralStatus.REVIEW, ReferralStatus.INFO_SESSION, ReferralStatus.INTERVIEW]
DROP_OUT_REASONS = {
    DropOutReason.JOB: 20,
    DropOutReason.TRAINING: 12,
    DropOutReason.HEALTH: 10,
    DropOutReason.HOUSING: 8,
    DropOutReason.MOBILITY: 10,
    DropOutReason.FAMILY: 10,
    DropOutReason.MOTIVATION: 20,
    DropOutReason.MOVED: 5,
    DropOutReason.JUSTICE: 3,
    DropOutReason.EXCLUSION: 2,
}
DIPLOMAS = {Diploma.NONE: 55, Diploma.LEVEL_3: 25, Diploma.LEVEL_4: 17, Diploma.LEVEL_5: 3}
FIRST_NAMES = {
    Gender.FEMALE: ["Inès", "Léa", "Lina", "Sarah", "Aya", "Jade", "Nour", "Maëlys", "Chloé", "Fatou"],
    Gender.MALE: ["Yanis", "Rayan", "Enzo", "Adam", "Mohamed", "Lucas", "Kylian", "Noah", "Bilal", "Théo"],
    Gender.OTHER: ["Sacha", "Camille", "Charlie"],
}
LAST_NAMES = ["Martin", "Bernard", "Diallo", "Nguyen", "Moreau", "Benali", "Traoré", "Lefèvre", "Da Silva"]
MARKS = {
    AttendanceStatus.PRESENT: 85,
    AttendanceStatus.LATE: 6,
    AttendanceStatus.ABSENT: 5,
    AttendanceStatus.EXCUSED: 4,
}
LEVEL_STEPS = [Level.NOT_OBSERVED, Level.IN_PROGRESS, Level.ACQUIRED, Level.MASTERED]
#: Young people entering training with barriers (« freins périphériques »): about 60 %, one to
#: three each; about half of the barriers lifted since (back to « aucun », with the date).
WITH_BARRIERS = 0.6
BARRIERS_EACH = {1: 50, 2: 30, 3: 20}
LIFTED = 0.5
BARRIER_LEVELS = {BarrierLevel.WATCH: 60, BarrierLevel.BLOCKING: 40}
#: Enrolled young people offered an internship (in weeks 7 to 9, two or three weeks long): those
#: who left before it starts have none, so about 70 % of the enrolled have one.
INTERNSHIP = 0.76
#: Among exits to a job after an internship, those hired by the company that hosted it.
HIRED_BY_HOST = 0.4


@dataclass(frozen=True)
class SeedSizes:
    learners: int = 100_000
    #: Signed half-days per cohort, each with a mark per young person enrolled that day.
    marks_per_learner: int = 20
    observations_per_learner: int = 10
    batch: int = 5_000
    seed: int = 2026

    @property
    def schools(self) -> int:
        return max(1, round(self.learners / LEARNERS_PER_SCHOOL))


@dataclass
class SeedResult:
    built: bool
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class AlreadySeeded(Exception):
    pass


def network_name(learners: int) -> str:
    return f"Réseau national synthétique ({learners:_} jeunes)".replace("_", "\u202f")


def seeded_network() -> Network | None:
    return Network.objects.filter(slug=NETWORK_SLUG).first()


def seeded_learners(network: Network) -> int | None:
    """The N a seeded network was built with (kept in its name)."""
    digits = "".join(c for c in network.name.split("(")[-1] if c.isdigit())
    return int(digits) if digits else None


# --- fast inserts of the leaves -----------------------------------------------------------------


class Insert:
    """`INSERT … VALUES` by `executemany` of a model's rows: `columns` vary from row to row, every
    other column takes `constants` or the field's default (as `bulk_create` would)."""

    def __init__(self, model, columns: list[str], constants: dict | None = None):
        constants = constants or {}
        now = timezone.now()
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        fixed = {}
        for name, f in fields.items():
            if name in columns:
                continue
            if name in constants:
                value = constants[name]
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif f.blank:
                value = ""
            else:
                raise ValueError(f"{model.__name__}.{name} : valeur manquante")
            fixed[name] = f.get_db_prep_save(value, connection)
        self.model = model
        self.fields = [fields[c] for c in columns]
        names = [fields[c].column for c in columns] + [fields[c].column for c in fixed]
        qn = connection.ops.quote_name
        table, columns_sql = qn(model._meta.db_table), ", ".join(qn(n) for n in names)
        # Names from the model's metadata, values as parameters.
        self.sql = f"INSERT INTO {table} ({columns_sql}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
        self.copy = f"COPY {table} ({columns_sql}) FROM STDIN"
        self.tail = tuple(fixed.values())
        self.count = 0

    def write(self, rows: Iterable[tuple]) -> None:
        rows = [(*row, *self.tail) for row in rows]
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # `COPY … FROM STDIN`: twice the rows per second of `executemany` on PostgreSQL (20,000 young people: 28,600 rows/s against 14,400).
                with cursor.cursor.copy(self.copy) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, rows)
        self.count += len(rows)


def _datetime(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


# --- the set-up: communes, network, schools, partners, frameworks, accounts -----------------------


def _communes(everywhere: bool) -> list[Commune]:
    if everywhere:
        if Commune.objects.filter(kind=Commune.Kind.COMMUNE).count() < 30_000:
            communes_save(regions=read_regions(), departements=read_departements(), communes=read_communes())
    elif Commune.objects.filter(insee_code__in=FEW_COMMUNES, kind=Commune.Kind.COMMUNE).count() < len(
        FEW_COMMUNES
    ):
        communes_save(
            regions=read_regions(), departements=read_departements(), communes=read_communes(FEW_COMMUNES)
        )
    communes = Commune.objects.filter(
        kind=Commune.Kind.COMMUNE, departement__isnull=False, population__isnull=False
    )
    if everywhere:
        communes = communes.filter(population__gte=5000)
    else:
        communes = communes.filter(insee_code__in=FEW_COMMUNES)
    return list(communes.select_related("departement").order_by("insee_code"))


def _framework(trade: Trade) -> tuple[Framework, list[int]]:
    framework, created = Framework.objects.get_or_create(
        trade=trade,
        version="seed",
        defaults={"title": f"Référentiel synthétique — {trade.name}", "checksum": "-"},
    )
    if created:
        blocks = Block.objects.bulk_create(
            Block(framework=framework, code=f"B{i + 1}", title=f"Bloc {i + 1}", position=i) for i in range(4)
        )
        Skill.objects.bulk_create(
            Skill(
                framework=framework,
                block=blocks[i * 4 // SKILLS],
                code=f"SEED-{trade.pk}-{i + 1:02d}",
                title=f"Geste professionnel n° {i + 1}",
                criteria=["Réalise le geste seul·e"],
                safety_critical=i % 5 == 0,
                position=i,
            )
            for i in range(SKILLS)
        )
    return framework, list(framework.skills.order_by("pk").values_list("pk", flat=True))


@dataclass
class Setup:
    network: Network
    schools: list[School]
    trainers: dict[int, int]  # school → trainer user
    prescribers: dict[int, list[int]]  # school → prescriber structures
    frameworks: dict[int, tuple[int, list[int]]]  # trade → (framework, skills)
    rome: dict[int, str]  # trade → the ROME code of its jobs
    hosts: dict[int, tuple[int, int]]  # school → (company site, tutor) of its internships
    barrier_categories: list[int]


def _setup(sizes: SeedSizes, rng: random.Random, first_day: dt.date) -> Setup:
    communes = _communes(everywhere=sizes.schools >= 50)
    weights = [c.population or 1 for c in communes]
    default_trades_ensure(Trade)
    trades = [Trade.objects.get(slug="fibre-optique"), Trade.objects.get(slug="technicien-data-center")]
    network = Network.objects.create(slug=NETWORK_SLUG, name=network_name(sizes.learners))
    homes = rng.choices(communes, weights=weights, k=sizes.schools)
    schools = School.objects.bulk_create(
        School(
            network=network,
            name=(name := f"École {trade.name.lower()} de {home.name} n° {i + 1}"),
            sort_name=fold(name),  # what `School.save` would have set
            region_id=home.departement.region_id,
            slug=f"seed-{i + 1:05d}",
            trade=trade,
            commune=home,
            status=SchoolStatus.OPEN,
            opened_on=first_day,
        )
        for i, home in enumerate(homes)
        for trade in [trades[0] if rng.random() < 0.8 else trades[1]]
    )
    # Prescriber structures: about one for two schools (at least seven); each school works with three.
    categories = list(PRESCRIBERS)
    prescribers = Organisation.objects.bulk_create(
        Organisation(
            network=network,
            kind=OrganisationKind.PRESCRIBER,
            category=category,
            name=f"{category.label} n° {i + 1}",
        )
        for i in range(max(len(categories), sizes.schools // 2))
        for category in [
            categories[i] if i < len(categories) else rng.choices(categories, PRESCRIBERS.values())[0]
        ]
    )
    # Funders: the State and a few national ones for all, a region or a foundation for some.
    funders = Organisation.objects.bulk_create(
        Organisation(
            network=network, kind=OrganisationKind.FUNDER, category=category, name=f"{name} n° {i + 1}"
        )
        for i in range(max(len(FUNDERS), sizes.schools // 20))
        for category, name in [FUNDERS[i % len(FUNDERS)]]
    )
    # A partner company per school, near it, that hosts its interns: a site and a tutor.
    companies = Organisation.objects.bulk_create(
        Organisation(
            network=network,
            kind=OrganisationKind.COMPANY,
            name=f"Entreprise de réseaux de {school.commune.name} n° {i + 1}",
            commune=school.commune,
        )
        for i, school in enumerate(schools)
    )
    sites = CompanySite.objects.bulk_create(
        CompanySite(company=company, name="Agence", commune=school.commune)
        for company, school in zip(companies, schools, strict=True)
    )
    tutors = Contact.objects.bulk_create(
        Contact(organisation=company, full_name=f"Tuteur·rice n° {i + 1}", job_title="Chef d'équipe")
        for i, company in enumerate(companies)
    )
    hosts = {
        school.pk: (site.pk, tutor.pk) for school, site, tutor in zip(schools, sites, tutors, strict=True)
    }
    partnerships, by_school = [], {}
    for school, company in zip(schools, companies, strict=True):
        mine = rng.sample(prescribers, min(3, len(prescribers)))
        by_school[school.pk] = [p.pk for p in mine]
        paying = [funders[0], *rng.sample(funders[1:], min(2, len(funders) - 1))]
        partnerships += [
            Partnership(school=school, organisation=o, since=first_day) for o in [*mine, *paying, company]
        ]
    Partnership.objects.bulk_create(partnerships, batch_size=sizes.batch)

    password = make_password(PASSWORD)
    staff = User.objects.create(
        email=NETWORK_STAFF_EMAIL, first_name="Claire", last_name="Seed", password=password
    )
    Membership.objects.create(user=staff, role=Role.NETWORK_STAFF, network=network)
    users = User.objects.bulk_create(
        User(email=f"{who}-{school.slug}@seed.example", first_name=first, last_name="Seed", password=password)
        for school in schools
        for who, first in (("direction", "Karim"), ("formation", "Sophie"))
    )
    Membership.objects.bulk_create(
        Membership(user=user, role=role, school=schools[i // 2])
        for i, user in enumerate(users)
        for role in [Role.SCHOOL_MANAGER if i % 2 == 0 else Role.TRAINER]
    )
    trainers = {school.pk: users[2 * i + 1].pk for i, school in enumerate(schools)}
    frameworks = {trade.pk: _framework(trade) for trade in trades}
    frameworks = {pk: (f.pk, skills) for pk, (f, skills) in frameworks.items()}
    rome = {trade.pk: ROME[trade.slug] for trade in trades}
    default_categories_ensure(BarrierCategory)
    categories = list(
        BarrierCategory.objects.filter(network__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    return Setup(network, schools, trainers, by_school, frameworks, rome, hosts, categories)


# --- the cohorts, and everything that hangs from them ----------------------------------------------


@dataclass
class CohortPlan:
    school: School
    start: dt.date
    end: dt.date
    enrolled: int
    not_admitted: int


def _plans(setup: Setup, sizes: SeedSizes, rng: random.Random, first_day: dt.date, last_start: dt.date):
    """The cohorts of every school, school after school: N young people in all, three in four
    enrolled in cohorts of 8 to 12, spread evenly over the ten years."""
    n_schools = len(setup.schools)
    span = (last_start - first_day).days
    for s, school in enumerate(setup.schools):
        quota = sizes.learners // n_schools + (1 if s < sizes.learners % n_schools else 0)
        groups = []
        while quota > 0:
            enrolled = min(rng.randint(8, 12), quota)
            not_admitted = min(round(enrolled / 3 * rng.uniform(0.7, 1.3)), quota - enrolled)
            quota -= enrolled + not_admitted
            groups.append((enrolled, not_admitted))
        for k, (enrolled, not_admitted) in enumerate(groups):
            offset = span * k // max(len(groups), 1) + rng.randint(
                0, max(span // max(len(groups), 1) // 2, 0)
            )
            start = first_day + dt.timedelta(days=min(offset, span))
            start -= dt.timedelta(days=start.weekday())  # a Monday
            end = start + dt.timedelta(weeks=rng.randint(13, 17), days=4)
            yield CohortPlan(school, start, end, enrolled, not_admitted)


class Writer:
    """Writes one batch of cohorts at a time and keeps the counts."""

    def __init__(self, setup: Setup, sizes: SeedSizes, rng: random.Random, today: dt.date):
        self.setup, self.sizes, self.rng, self.today = setup, sizes, rng, today
        self.n = 0  # young people written so far (their identity keys)
        self.counts = {
            "schools": len(setup.schools),
            "learners": 0,
            "referrals": 0,
            "cohorts": 0,
            "enrolments": 0,
            "exits": 0,
            "sessions": 0,
        }
        self.follow_ups = Insert(
            FollowUp,
            ["exit_id", "horizon", "due_on", "status", "situation_type", "category", "source", "answered_at"],
        )
        self.marks = Insert(
            Attendance, ["session_id", "enrolment_id", "status", "late_minutes", "excuse_reason"]
        )
        self.observations = Insert(
            Observation,
            ["enrolment_id", "skill_id", "level", "observed_on", "is_positioning", "observer_id"],
            {"observer_name": "Sophie Seed"},
        )
        self.barriers = Insert(Barrier, ["learner_id", "category_id", "level", "raised_on", "lifted_on"])
        self.internships = Insert(
            Internship, ["enrolment_id", "site_id", "tutor_id", "start_date", "end_date", "status"]
        )

    def all_counts(self) -> dict[str, int]:
        return {
            **self.counts,
            "follow_ups": self.follow_ups.count,
            "attendance_marks": self.marks.count,
            "observations": self.observations.count,
            "barriers": self.barriers.count,
            "internships": self.internships.count,
        }

    def write(self, plans: list[CohortPlan]) -> None:
        today = self.today
        with transaction.atomic():
            learners, referrals = self._learners_and_referrals(plans)
            cohorts = Cohort.objects.bulk_create(
                Cohort(
                    school=p.school,
                    trade_id=p.school.trade_id,
                    framework_id=self.setup.frameworks[p.school.trade_id][0],
                    name=f"Promotion {p.start:%Y-%m} — {p.school.slug}",
                    start_date=p.start,
                    end_date=p.end,
                    capacity=max(p.enrolled, p.school.default_cohort_capacity),
                    status=CohortStatus.FINISHED if p.end < today else CohortStatus.ONGOING,
                )
                for p in plans
            )
            Cohort.trainers.through.objects.bulk_create(
                Cohort.trainers.through(cohort_id=c.pk, user_id=self.setup.trainers[p.school.pk])
                for c, p in zip(cohorts, plans, strict=True)
            )
            self.counts["cohorts"] += len(cohorts)
            enrolments = []
            for cohort, plan, people in zip(cohorts, plans, learners, strict=True):
                for learner, referral in people[: plan.enrolled]:
                    enrolments.append(self._enrolment(cohort, plan, learner, referrals[referral]))
            enrolments = Enrolment.objects.bulk_create(enrolments, batch_size=self.sizes.batch)
            self.counts["enrolments"] += len(enrolments)
            plan_of = {c.pk: p for c, p in zip(cohorts, plans, strict=True)}
            hosted = self._internships(plan_of, enrolments)
            self._barriers(plan_of, enrolments)
            self._exits([e for e in enrolments if e.end_date is not None], hosted)
            self._attendance(cohorts, plans, enrolments)
            self._observations(cohorts, plans, enrolments)

    def _learners_and_referrals(self, plans):
        rng = self.rng
        people, referrals = [], []
        for plan in plans:
            mine = []
            prescribers = self.setup.prescribers[plan.school.pk]
            for i in range(plan.enrolled + plan.not_admitted):
                gender = rng.choices([Gender.FEMALE, Gender.MALE, Gender.OTHER], [16, 83, 1])[0]
                age = rng.randint(16, 25)
                learner = Learner(
                    school=plan.school,
                    first_name=rng.choice(FIRST_NAMES[gender]),
                    last_name=rng.choice(LAST_NAMES),
                    birth_date=plan.start - dt.timedelta(days=365 * age + rng.randint(0, 364)),
                    gender=gender,
                    commune_id=plan.school.commune_id,
                    lives_in_qpv=rng.random() < 0.35,
                    has_rqth=rng.random() < 0.06,
                    highest_diploma=rng.choices(list(DIPLOMAS), DIPLOMAS.values())[0],
                    identity_key=f"seed-{self.n:08d}",
                )
                self.n += 1
                admitted = i < plan.enrolled
                referred_on = plan.start - dt.timedelta(days=rng.randint(10, 90))
                if admitted:
                    status = ReferralStatus.ADMITTED
                elif plan.start > self.today - dt.timedelta(days=60):
                    status = rng.choice(OPEN)
                else:
                    status = rng.choices(list(NOT_ADMITTED), NOT_ADMITTED.values())[0]
                referral = Referral(
                    school=plan.school,
                    prescriber_organisation_id=rng.choice(prescribers),
                    motivation="Souhaite découvrir le métier.",
                    referred_on=referred_on,
                    status=status,
                    status_changed_at=dt.datetime.combine(plan.start, dt.time(10), tzinfo=dt.UTC),
                    reason=DecisionReason.values[0] if status in NEEDS_REASON else "",
                )
                mine.append((learner, len(referrals)))
                referrals.append(referral)
            people.append(mine)
        Learner.objects.bulk_create([lr for mine in people for lr, _ in mine], batch_size=self.sizes.batch)
        for mine in people:
            for learner, index in mine:
                referrals[index].learner = learner
        referrals = Referral.objects.bulk_create(referrals, batch_size=self.sizes.batch)
        self.counts["learners"] += len(referrals)
        self.counts["referrals"] += len(referrals)
        return people, referrals

    def _enrolment(self, cohort, plan, learner, referral) -> Enrolment:
        rng, today = self.rng, self.today
        length = (plan.end - plan.start).days
        enrolment = Enrolment(
            learner=learner,
            cohort=cohort,
            referral=referral,
            entry_date=plan.start,
            status=EnrolmentStatus.ACTIVE,
        )
        if rng.random() < 0.125:
            left = plan.start + dt.timedelta(days=rng.randint(3, max(length - 3, 3)))
            if left < today:
                enrolment.status = EnrolmentStatus.DROPPED_OUT
                enrolment.end_date = left
                enrolment.drop_out_reason = rng.choices(list(DROP_OUT_REASONS), DROP_OUT_REASONS.values())[0]
                return enrolment
        if plan.end < today:
            enrolment.status = EnrolmentStatus.COMPLETED
            enrolment.end_date = plan.end
        return enrolment

    def _internships(self, plan_of: dict[int, CohortPlan], enrolments: list[Enrolment]) -> set[int]:
        """An internship in the school's partner company for about 70 % of the enrolled, in weeks
        7 to 9, two or three weeks long; cut short by a drop-out, or not begun. Returns the
        enrolments that had one."""
        rng, today, rows, hosted = self.rng, self.today, [], set()
        for enrolment in enrolments:
            if rng.random() >= INTERNSHIP:
                continue
            plan = plan_of[enrolment.cohort_id]
            start = plan.start + dt.timedelta(weeks=rng.randint(7, 9))
            end = min(start + dt.timedelta(days=rng.choice([11, 18])), plan.end)
            if enrolment.end_date is not None and enrolment.end_date < start:
                continue  # left before it began
            if enrolment.status == EnrolmentStatus.DROPPED_OUT and enrolment.end_date <= end:
                status, end = InternshipStatus.INTERRUPTED, enrolment.end_date
            elif end < today:
                status = InternshipStatus.FINISHED
            elif start <= today:
                status = InternshipStatus.ONGOING
            else:
                status = InternshipStatus.SIGNED
            site, tutor = self.setup.hosts[plan.school.pk]
            rows.append((enrolment.pk, site, tutor, start, end, status))
            hosted.add(enrolment.pk)
        self.internships.write(rows)
        return hosted

    def _barriers(self, plan_of: dict[int, CohortPlan], enrolments: list[Enrolment]) -> None:
        """One to three barriers for about 60 % of the young people entering training, raised by
        their entry; about half lifted since (level « aucun » and the date), the others open."""
        rng, today, rows = self.rng, self.today, []
        categories = self.setup.barrier_categories
        for enrolment in enrolments:
            if rng.random() >= WITH_BARRIERS:
                continue
            plan = plan_of[enrolment.cohort_id]
            count = rng.choices(list(BARRIERS_EACH), BARRIERS_EACH.values())[0]
            for category in rng.sample(categories, min(count, len(categories))):
                raised = plan.start - dt.timedelta(days=rng.randint(0, 45))
                lifted = raised + dt.timedelta(days=rng.randint(14, 150))
                if rng.random() < LIFTED and lifted <= today:
                    rows.append((enrolment.learner_id, category, BarrierLevel.NONE, raised, lifted))
                else:
                    level = rng.choices(list(BARRIER_LEVELS), BARRIER_LEVELS.values())[0]
                    rows.append((enrolment.learner_id, category, level, raised, None))
        self.barriers.write(rows)

    def _exits(self, ended: list[Enrolment], hosted: set[int]) -> None:
        rng = self.rng
        exits = []
        for enrolment in ended:
            weights = COMPLETED_EXITS if enrolment.status == EnrolmentStatus.COMPLETED else DROPOUT_EXITS
            kind = rng.choices(list(weights), weights.values())[0]
            job = kind in EMPLOYMENT_TYPES
            exits.append(
                Exit(
                    enrolment=enrolment,
                    exit_date=enrolment.end_date,
                    exit_type=kind,
                    category=CATEGORY_OF[kind],
                    employer_name=f"Entreprise de réseaux n° {rng.randint(1, 5000)}" if job else "",
                    rome_code=self.setup.rome[enrolment.cohort.trade_id] if job else "",
                    weekly_hours=35 if job else None,
                    hired_by_internship_host=job and enrolment.pk in hosted and rng.random() < HIRED_BY_HOST,
                )
            )
        exits = Exit.objects.bulk_create(exits, batch_size=self.sizes.batch)
        self.counts["exits"] += len(exits)
        rows = []
        for exit_ in exits:
            situation = exit_.exit_type if exit_.exit_type != T.NO_NEWS else T.JOB_SEEKING
            for horizon in FollowUpHorizon.values:
                due = add_months(exit_.exit_date, horizon)
                if rng.random() < CHANGE:
                    situation = rng.choices(list(FOLLOW_UP_SITUATIONS), FOLLOW_UP_SITUATIONS.values())[0]
                answered = due - dt.timedelta(days=rng.randint(-5, 25))
                if due + dt.timedelta(days=NO_NEWS_AFTER_DAYS) < self.today:
                    # Past the deadline: answered (four in five), else « sans nouvelles ».
                    if rng.random() < 0.8:
                        row = (FollowUpStatus.DONE, situation, self._source(), answered)
                    else:
                        at = due + dt.timedelta(days=NO_NEWS_AFTER_DAYS + 1)
                        row = (FollowUpStatus.NO_NEWS, T.NO_NEWS, FollowUpSource.SYSTEM, at)
                elif (
                    due - dt.timedelta(days=15) <= self.today
                    and answered <= self.today
                    and rng.random() < 0.5
                ):
                    row = (FollowUpStatus.DONE, situation, self._source(), answered)
                else:
                    row = (FollowUpStatus.DUE, "", "", None)
                status, kind, source, at = row
                rows.append(
                    (
                        exit_.pk,
                        horizon,
                        due,
                        status,
                        kind,
                        CATEGORY_OF[kind] if kind else "",
                        source,
                        _datetime(dt.datetime.combine(at, dt.time(11), tzinfo=dt.UTC)) if at else None,
                    )
                )
        self.follow_ups.write(rows)

    def _source(self) -> str:
        return self.rng.choices(
            [FollowUpSource.LEARNER, FollowUpSource.SOCIAL_WORKER, FollowUpSource.PRESCRIBER], [45, 45, 10]
        )[0]

    def _attendance(self, cohorts, plans, enrolments) -> None:
        """`marks_per_learner` signed half-days per cohort, spread over its weeks, a mark for each
        young person enrolled on that day."""
        rng, per = self.rng, self.sizes.marks_per_learner
        if per <= 0:
            return
        signatures = Signature.objects.bulk_create(
            Signature(
                svg='<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"><path d="M10 80 L290 70"/></svg>',
                signer_name="Sophie Seed",
                method=SignatureMethod.TABLET,
                signed_at=dt.datetime.combine(p.start, dt.time(12), tzinfo=dt.UTC),
            )
            for p in plans
        )
        sessions = []
        for cohort, plan, signature in zip(cohorts, plans, signatures, strict=True):
            days = [plan.start + dt.timedelta(days=d) for d in range((plan.end - plan.start).days + 1)]
            halves = [(d, p) for d in days if d.weekday() < 5 and d < self.today for p in Period.values]
            for day, period in halves[:: max(len(halves) // per, 1)][:per]:
                morning = period == Period.MORNING
                sessions.append(
                    TrainingSession(
                        cohort=cohort,
                        date=day,
                        period=period,
                        start_time=dt.time(9) if morning else dt.time(13, 30),
                        end_time=dt.time(12, 30) if morning else dt.time(17),
                        duration_minutes=SESSION_MINUTES,
                        trainer_id=self.setup.trainers[plan.school.pk],
                        locked_at=dt.datetime.combine(day, dt.time(18), tzinfo=dt.UTC),
                        locked_by_id=self.setup.trainers[plan.school.pk],
                        trainer_signature=signature,
                    )
                )
        sessions = TrainingSession.objects.bulk_create(sessions, batch_size=self.sizes.batch)
        self.counts["sessions"] += len(sessions)
        by_cohort: dict[int, list[Enrolment]] = {}
        for enrolment in enrolments:
            by_cohort.setdefault(enrolment.cohort_id, []).append(enrolment)
        statuses, weights = list(MARKS), list(MARKS.values())
        rows = []
        for session in sessions:
            for enrolment in by_cohort.get(session.cohort_id, []):
                if enrolment.end_date is not None and session.date > enrolment.end_date:
                    continue
                status = rng.choices(statuses, weights)[0]
                late = rng.choice([10, 20, 45]) if status == AttendanceStatus.LATE else 0
                excuse = "Rendez-vous médical" if status == AttendanceStatus.EXCUSED else ""
                rows.append((session.pk, enrolment.pk, status, late, excuse))
            if len(rows) >= 50_000:
                self.marks.write(rows)
                rows = []
        self.marks.write(rows)

    def _observations(self, cohorts, plans, enrolments) -> None:
        """About `observations_per_learner` observations per young person: a positioning on a few
        skills at entry, then progress over the weeks."""
        rng, per = self.rng, self.sizes.observations_per_learner
        if per <= 0:
            return
        plan_of = {c.pk: p for c, p in zip(cohorts, plans, strict=True)}
        rows = []
        for enrolment in enrolments:
            plan = plan_of[enrolment.cohort_id]
            skills = self.setup.frameworks[plan.school.trade_id][1]
            trainer = self.setup.trainers[plan.school.pk]
            last = min(enrolment.end_date or plan.end, self.today)
            span = max((last - plan.start).days, 1)
            chosen = rng.sample(skills, min(max(per // 2, 1), len(skills)))
            levels = dict.fromkeys(chosen, 0)
            for k in range(per):
                skill = chosen[k % len(chosen)]
                first = k < len(chosen)
                levels[skill] = rng.randint(0, 1) if first else min(levels[skill] + (rng.random() < 0.6), 3)
                on = plan.start + dt.timedelta(days=span * k // per)
                rows.append((enrolment.pk, skill, LEVEL_STEPS[levels[skill]], on, first, trainer))
        self.observations.write(rows)


NEEDS_REASON = (ReferralStatus.REFUSED, ReferralStatus.REDIRECTED)


def seed(sizes: SeedSizes, progress: Callable[[str], None] = lambda text: None) -> SeedResult:
    """Build the synthetic network of `sizes.learners` young people, or nothing if it is there with
    that size already (idempotent); another size raises `AlreadySeeded` (use a fresh database)."""
    existing = seeded_network()
    if existing is not None:
        if seeded_learners(existing) == sizes.learners:
            return SeedResult(False)
        raise AlreadySeeded(existing.name)
    started = time.perf_counter()
    rng = random.Random(sizes.seed)
    today = timezone.localdate()
    first_day = today.replace(year=today.year - YEARS)
    with transaction.atomic():
        setup = _setup(sizes, rng, first_day)
    progress(f"Réseau : {len(setup.schools)} écoles, {YEARS} ans de promotions.")
    writer = Writer(setup, sizes, rng, today)
    batch, people, shown = [], 0, time.perf_counter()
    for plan in _plans(setup, sizes, rng, first_day, today - dt.timedelta(days=14)):
        batch.append(plan)
        people += plan.enrolled + plan.not_admitted
        if people >= sizes.batch:
            writer.write(batch)
            batch, people = [], 0
            if time.perf_counter() - shown > 5:
                shown = time.perf_counter()
                counts = writer.all_counts()
                elapsed = shown - started
                progress(
                    f"{counts['learners']:>9} / {sizes.learners} jeunes, {sum(counts.values()):>10} lignes, "
                    f"{sum(counts.values()) / elapsed:.0f} lignes/s"
                )
    if batch:
        writer.write(batch)
    if connection.vendor == "postgresql":
        # Fresh tables have no statistics until autovacuum comes by: without them PostgreSQL
        # plans the indicators' joins blind (minutes instead of seconds at 100,000 young people).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return SeedResult(True, writer.all_counts(), time.perf_counter() - started)
