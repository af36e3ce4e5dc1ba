"""The bench's data set: built once in the bench database, reused by the next runs.

Each piece checks what is already there and adds only what is missing, so that a later
benchmark (indicators, documents, matching, credentials) adds its own piece without rebuilding
the others. Rows are written with `bulk_create`; they are what the services would have written.
"""

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.cohorts.enums import AttendanceStatus, CohortStatus, EnrolmentStatus, Period, SignatureMethod
from plombiers.cohorts.models import Attendance, Cohort, Enrolment, Signature, TrainingSession
from plombiers.frameworks.models import Block, Framework, Skill
from plombiers.internships.enums import ContractType, OfferKind, OfferStatus
from plombiers.internships.models import Offer
from plombiers.lib.signature import strokes_to_svg
from plombiers.network.communes import communes_save, read_communes, read_departements, read_regions
from plombiers.network.enums import OrganisationCategory, OrganisationKind
from plombiers.network.models import Commune, Network, Organisation, Partnership, School, Trade
from plombiers.network.trades import default_trades_ensure
from plombiers.referrals.enums import Diploma, DrivingLicence, ReferralStatus
from plombiers.referrals.models import Learner, Referral
from plombiers.skills.enums import Level
from plombiers.skills.models import Observation

CHELLES = "77108"
PASSWORD = "banc-d-essai-plombiers"  # noqa: S105 — accounts of the bench database only
LEVELS = [Level.NOT_OBSERVED, Level.IN_PROGRESS, Level.ACQUIRED, Level.MASTERED]
REFERRAL_STATUSES = [
    ReferralStatus.NEW,
    ReferralStatus.REVIEW,
    ReferralStatus.INFO_SESSION,
    ReferralStatus.INTERVIEW,
    ReferralStatus.CANCELLED,
]


@dataclass(frozen=True)
class Sizes:
    learners: int = 12  # in the matrix cohort
    skills: int = 25
    history: int = 10  # observations per learner and skill
    background_cohorts: int = 40  # other cohorts of the school, with their own histories
    referrals: int = 1000
    doc_learners: int = 12  # the cohort whose documents are produced
    doc_weeks: int = 16  # its weeks of signed attendance sheets (ten half-days each)
    certificates: int = 1000  # certificats de réalisation produced in a row
    offers: int = 50_000  # open offers of the matching (as many again, closed, for the doubling)
    match_learners: int = 10_000  # young people in training, matched against the offers

    @classmethod
    def quick(cls) -> "Sizes":
        return cls(
            learners=3,
            skills=5,
            history=2,
            background_cohorts=1,
            referrals=20,
            doc_learners=2,
            doc_weeks=1,
            certificates=5,
            offers=60,
            match_learners=20,
        )


@dataclass
class BenchData:
    sizes: Sizes
    school: School
    trainer: User
    manager: User
    matrix_cohort: Cohort
    documents_cohort: Cohort
    matching: "MatchingData"
    built: list[str] = field(default_factory=list)  # the pieces built by this run
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {
            "observations": Observation.objects.filter(enrolment__cohort__school=self.school).count(),
            "matrix_observations": Observation.objects.filter(enrolment__cohort=self.matrix_cohort).count(),
            "cohorts": self.school.cohorts.count(),
            "referrals": Referral.objects.filter(school=self.school).count(),
            "documents_attendances": Attendance.objects.filter(session__cohort=self.documents_cohort).count(),
            "matching_offers": Offer.objects.filter(company__in=self.matching.companies).count(),
            "matching_learners": Enrolment.objects.filter(
                cohort__school=self.matching.school, status=EnrolmentStatus.ACTIVE
            ).count(),
        }


def ensure(sizes: Sizes, seed: int = 2017) -> BenchData:
    start = time.perf_counter()
    built = []
    rng = random.Random(seed)
    with transaction.atomic():
        school, trainer, manager, organisation, prescriber = _network(built)
        framework = _framework(school.trade, sizes.skills, built)
        matrix = _matrix_cohort(school, trainer, framework, sizes, rng, built)
        _background(school, trainer, framework, sizes, rng, built)
        _referrals(school, organisation, prescriber, sizes.referrals, rng, built)
        documents = _documents_cohort(school, trainer, framework, sizes, rng, built)
        matching = _matching(school, framework, sizes, rng, built)
    return BenchData(
        sizes, school, trainer, manager, matrix, documents, matching, built, time.perf_counter() - start
    )


def _network(built):
    if not Commune.objects.filter(insee_code=CHELLES, kind=Commune.Kind.COMMUNE).exists():
        communes_save(
            regions=read_regions(), departements=read_departements(), communes=read_communes([CHELLES])
        )
    default_trades_ensure(Trade)
    network, created = Network.objects.get_or_create(slug="banc-d-essai", defaults={"name": "Banc d'essai"})
    school, _ = School.objects.get_or_create(
        slug="banc-d-essai-chelles",
        defaults={
            "network": network,
            "name": "Banc d'essai — Chelles",
            "trade": Trade.objects.get(slug="fibre-optique"),
            "commune": Commune.objects.filter(insee_code=CHELLES, kind=Commune.Kind.COMMUNE).first(),
            "opened_on": dt.date(2017, 9, 4),
        },
    )
    password = make_password(PASSWORD)

    def member(email, first_name, role, **scope):
        user, _ = User.objects.get_or_create(
            email=email, defaults={"first_name": first_name, "last_name": "Banc", "password": password}
        )
        Membership.objects.get_or_create(user=user, role=role, **scope)
        return user

    trainer = member("formation@banc-d-essai.example", "Sophie", Role.TRAINER, school=school)
    manager = member("direction@banc-d-essai.example", "Karim", Role.SCHOOL_MANAGER, school=school)
    organisation, _ = Organisation.objects.get_or_create(
        network=network,
        name="Mission Locale du banc d'essai",
        defaults={"kind": OrganisationKind.PRESCRIBER, "category": OrganisationCategory.MISSION_LOCALE},
    )
    Partnership.objects.get_or_create(school=school, organisation=organisation)
    prescriber = member(
        "prescription@banc-d-essai.example", "Thomas", Role.PRESCRIBER, organisation=organisation
    )
    if created:
        built.append("réseau")
    return school, trainer, manager, organisation, prescriber


def _framework(trade: Trade, skills: int, built) -> Framework:
    """A framework of exactly `skills` skills in five blocks (the matrix size of issue 4)."""
    version = f"banc-{skills}"
    framework = Framework.objects.filter(trade=trade, version=version).first()
    if framework is not None:
        return framework
    framework = Framework.objects.create(
        trade=trade,
        version=version,
        title=f"Référentiel du banc d'essai ({skills} compétences)",
        checksum="-",
    )
    blocks = [
        Block.objects.create(framework=framework, code=f"B{i + 1}", title=f"Bloc {i + 1}", position=i)
        for i in range(5)
    ]
    Skill.objects.bulk_create(
        Skill(
            framework=framework,
            block=blocks[i * len(blocks) // skills],
            code=f"BANC-{i + 1:02d}",
            title=f"Geste professionnel n° {i + 1}",
            criteria=["Réalise le geste seul·e", "Contrôle son travail"],
            safety_critical=i % 6 == 0,
            position=i,
        )
        for i in range(skills)
    )
    built.append("référentiel")
    return framework


def _learners(school, n: int, rng: random.Random, prefix: str) -> list[Learner]:
    first = Learner.objects.filter(identity_key__startswith=prefix).count()
    learners = [
        Learner(
            school=school,
            first_name=rng.choice(["Inès", "Yanis", "Léa", "Rayan", "Lina", "Enzo", "Sarah", "Adam"]),
            last_name=f"Banc{first + i:06d}",
            birth_date=dt.date(2005, 1, 1) + dt.timedelta(days=rng.randint(0, 2500)),
            highest_diploma=Diploma.NONE,
            identity_key=f"{prefix}{first + i:07d}",
        )
        for i in range(n)
    ]
    return Learner.objects.bulk_create(learners, batch_size=500)


def _cohort(school, trainer, framework, name, start, status, learners, history, rng) -> Cohort:
    end = start + dt.timedelta(weeks=16)
    cohort = Cohort.objects.create(
        school=school,
        trade=school.trade,
        framework=framework,
        name=name,
        start_date=start,
        end_date=end,
        capacity=min(max(len(learners), 1), 30),
        status=status,
    )
    cohort.trainers.add(trainer)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            learner=learner,
            cohort=cohort,
            status=EnrolmentStatus.ACTIVE if status == CohortStatus.ONGOING else EnrolmentStatus.COMPLETED,
            entry_date=start,
            end_date=None if status == CohortStatus.ONGOING else end,
        )
        for learner in learners
    )
    skills = list(framework.skills.all())
    last = min(end, timezone.localdate() - dt.timedelta(days=1))
    span = max((last - start).days, 1)
    rows = []
    for enrolment in enrolments:
        for skill in skills:
            level = 0
            for k in range(history):
                on = start + dt.timedelta(days=span * k // max(history, 1))
                level = min(level + (rng.random() < 0.4), 3) if k else rng.randint(0, 1)
                rows.append(
                    Observation(
                        enrolment=enrolment,
                        skill=skill,
                        level=LEVELS[level],
                        observed_on=on,
                        is_positioning=k == 0,
                        observer=trainer,
                        observer_name=trainer.get_full_name(),
                    )
                )
    Observation.objects.bulk_create(rows, batch_size=2000)
    return cohort


def _matrix_cohort(school, trainer, framework, sizes: Sizes, rng, built) -> Cohort:
    name = f"Matrice {sizes.learners}×{sizes.skills}×{sizes.history}"
    cohort = Cohort.objects.filter(school=school, name=name).first()
    if cohort is not None:
        return cohort
    # One young person is in one active cohort at a time: the matrix cohort has its own learners.
    learners = _learners(
        school, sizes.learners, rng, f"banc-matrice-{sizes.learners}-{sizes.skills}-{sizes.history}-"
    )
    start = timezone.localdate() - dt.timedelta(weeks=10)
    cohort = _cohort(
        school, trainer, framework, name, start, CohortStatus.ONGOING, learners, sizes.history, rng
    )
    built.append("matrice")
    return cohort


def _background(school, trainer, framework, sizes: Sizes, rng, built) -> None:
    """Finished cohorts of the same school: the matrix is read among a bigger history."""
    existing = school.cohorts.filter(name__startswith="Promotion passée").count()
    for n in range(existing, sizes.background_cohorts):
        learners = _learners(school, sizes.learners, rng, "banc-passe-")
        start = timezone.localdate() - dt.timedelta(weeks=30 + 20 * n)
        _cohort(
            school,
            trainer,
            framework,
            f"Promotion passée {n + 1}",
            start,
            CohortStatus.FINISHED,
            learners,
            max(sizes.history // 2, 1),
            rng,
        )
    if existing < sizes.background_cohorts:
        built.append("historique")


def _referrals(school, organisation, prescriber, count: int, rng, built) -> None:
    missing = count - Referral.objects.filter(school=school).count()
    if missing <= 0:
        return
    learners = _learners(school, missing, rng, "banc-prescription-")
    today = timezone.localdate()
    Referral.objects.bulk_create(
        (
            Referral(
                learner=learner,
                school=school,
                prescriber=prescriber,
                prescriber_organisation=organisation,
                motivation="Souhaite découvrir le métier de technicien·ne fibre optique.",
                referred_on=today - dt.timedelta(days=rng.randint(0, 50)),
                status=rng.choice(REFERRAL_STATUSES),
                created_by=prescriber,
            )
            for learner in learners
        ),
        batch_size=500,
    )
    built.append("prescriptions")


def _documents_cohort(school, trainer, framework, sizes: Sizes, rng, built) -> Cohort:
    """A finished cohort with every half-day signed: the source of the documents benchmark.

    Its school gets a project holder (SIRET, numéro de déclaration d'activité) and the cohort an
    OPCO and a price, as the documents state them. Most learners are present and sign; some are
    late, absent or excused, as in a real history.
    """
    name = f"Documents {sizes.doc_learners}×{sizes.doc_weeks}"
    cohort = Cohort.objects.filter(school=school, name=name).first()
    if cohort is not None:
        return cohort
    if school.project_holder is None:
        school.project_holder = Organisation.objects.create(
            network=school.network,
            kind=OrganisationKind.PROJECT_HOLDER,
            name="Association porteuse du banc d'essai",
            siret="73282932000074",
            nda="11770000077",
            address="1 place de l'Hôtel de Ville",
            commune=school.commune,
        )
        school.save(update_fields=["project_holder"])
    opco, _ = Organisation.objects.get_or_create(
        network=school.network, name="OPCO du banc d'essai", defaults={"kind": OrganisationKind.OPCO}
    )
    learners = _learners(
        school, sizes.doc_learners, rng, f"banc-documents-{sizes.doc_learners}-{sizes.doc_weeks}-"
    )
    today = timezone.localdate()
    start = today - dt.timedelta(days=today.weekday(), weeks=sizes.doc_weeks + 30)
    cohort = _cohort(school, trainer, framework, name, start, CohortStatus.FINISHED, learners, 2, rng)
    Cohort.objects.filter(pk=cohort.pk).update(price_per_learner=4850, opco=opco)
    enrolments = list(cohort.enrolments.select_related("learner"))
    hours = {Period.MORNING: (dt.time(9), dt.time(12, 30)), Period.AFTERNOON: (dt.time(13, 30), dt.time(17))}
    moment = dt.datetime.combine(start, dt.time(12), tzinfo=dt.UTC)

    def strokes():
        x = rng.randint(10, 60)
        return [[[x + 25 * i, 40 + rng.randint(-25, 25)] for i in range(12)], [[x, 110], [x + 250, 100]]]

    def signature(name):
        return Signature(
            svg=strokes_to_svg(strokes()), signer_name=name, method=SignatureMethod.TABLET, signed_at=moment
        )

    days = [start + dt.timedelta(weeks=w, days=d) for w in range(sizes.doc_weeks) for d in range(5)]
    trainer_signatures = Signature.objects.bulk_create(
        [signature(trainer.get_full_name()) for _ in days for _ in hours]
    )
    sessions = TrainingSession.objects.bulk_create(
        TrainingSession(
            cohort=cohort,
            date=day,
            period=period,
            start_time=begin,
            end_time=end,
            duration_minutes=210,
            trainer=trainer,
            locked_at=moment,
            locked_by=trainer,
            trainer_signature=trainer_signatures[i * len(hours) + j],
        )
        for i, day in enumerate(days)
        for j, (period, (begin, end)) in enumerate(hours.items())
    )
    marks = []
    for session in sessions:
        for enrolment in enrolments:
            status = rng.choices(
                [
                    AttendanceStatus.PRESENT,
                    AttendanceStatus.LATE,
                    AttendanceStatus.ABSENT,
                    AttendanceStatus.EXCUSED,
                ],
                weights=[85, 6, 5, 4],
            )[0]
            marks.append(
                Attendance(
                    session=session,
                    enrolment=enrolment,
                    status=status,
                    late_minutes=rng.choice([10, 20, 45]) if status == AttendanceStatus.LATE else 0,
                    excuse_reason="Rendez-vous médical" if status == AttendanceStatus.EXCUSED else "",
                    updated_by=trainer,
                )
            )
    signatures = Signature.objects.bulk_create(
        [
            signature(str(m.enrolment.learner))
            for m in marks
            if m.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
        ],
        batch_size=500,
    )
    there = iter(signatures)
    for mark in marks:
        if mark.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
            mark.signature = next(there)
    Attendance.objects.bulk_create(marks, batch_size=1000)
    built.append("documents")
    return Cohort.objects.get(pk=cohort.pk)


# --- matching (issue 7) ------------------------------------------------------------------------------

MATCHING_SCHOOL = "banc-d-essai-appariement"
PARIS = "75056"
MATCH_COMPANIES = 200  # per half
MATCH_COHORT_SIZE = 25


@dataclass
class MatchingData:
    """The matching piece: a school whose young people live all over France, partner companies
    in two halves: half A's offers open, half B's as many, closed (opened for the doubling)."""

    school: School
    companies: list[int]
    half_b: list[int]
    sample: Enrolment  # a young person in Paris, where offers are densest

    def open_half_b(self, is_open: bool) -> None:
        status = OfferStatus.OPEN if is_open else OfferStatus.CLOSED
        Offer.objects.filter(company__in=self.half_b).update(status=status)


# A few communes of Île-de-France and the Nord for tiny runs (tests): reading all of them takes seconds.
FEW_COMMUNES = [CHELLES, PARIS, "77284", "77373", "93008", "93066", "59350", "59512", "59599"]


def _all_communes(everywhere: bool) -> list[Commune]:
    """Every commune of France (the bench reads only Chelles otherwise), or a few for a tiny run:
    offers and young people are placed on real communes, weighted by population."""
    if everywhere and Commune.objects.filter(kind=Commune.Kind.COMMUNE).count() < 30_000:
        communes_save(regions=read_regions(), departements=read_departements(), communes=read_communes())
    elif not everywhere:
        communes_save(
            regions=read_regions(), departements=read_departements(), communes=read_communes(FEW_COMMUNES)
        )
    return list(
        Commune.objects.filter(
            kind=Commune.Kind.COMMUNE, population__gte=2000, latitude__isnull=False, longitude__isnull=False
        ).order_by("pk")
    )


def _matching(bench_school, framework, sizes: Sizes, rng, built) -> MatchingData:
    school = School.objects.filter(slug=MATCHING_SCHOOL).first()
    if (
        school is not None
        and school.name == f"Banc d'essai — appariement {sizes.offers}×{sizes.match_learners}"
    ):
        companies = list(Partnership.objects.filter(school=school).values_list("organisation_id", flat=True))
        half_b = list(
            Organisation.objects.filter(pk__in=companies, name__contains=" B ").values_list("pk", flat=True)
        )
        sample = Enrolment.objects.filter(cohort__school=school).order_by("pk").first()
        return MatchingData(school, companies, half_b, sample)
    if school is not None:  # other sizes: rebuilt
        enrolments = Enrolment.objects.filter(cohort__school=school)
        Observation.objects.filter(enrolment__in=enrolments).delete()
        learners = list(enrolments.values_list("learner", flat=True))
        enrolments.delete()
        Learner.objects.filter(pk__in=learners).delete()
        school.cohorts.all().delete()
        companies = Partnership.objects.filter(school=school).values_list("organisation", flat=True)
        Offer.objects.filter(company__in=list(companies)).delete()
        Organisation.objects.filter(pk__in=list(companies)).delete()
        school.delete()
    communes = _all_communes(sizes.offers >= 1000)
    weights = [c.population for c in communes]
    school = School.objects.create(
        slug=MATCHING_SCHOOL,
        network=bench_school.network,
        name=f"Banc d'essai — appariement {sizes.offers}×{sizes.match_learners}",
        trade=bench_school.trade,
        commune=bench_school.commune,
    )
    companies = Organisation.objects.bulk_create(
        Organisation(network=school.network, kind=OrganisationKind.COMPANY, name=f"Entreprise {half} {i:03d}")
        for half in "AB"
        for i in range(MATCH_COMPANIES)
    )
    Partnership.objects.bulk_create(Partnership(school=school, organisation=c) for c in companies)
    skills = list(framework.skills.order_by("pk"))
    today = timezone.localdate()
    kinds = [OfferKind.JOB] * 7 + [OfferKind.INTERNSHIP] * 2 + [OfferKind.APPRENTICESHIP]
    contracts = {
        OfferKind.JOB: ContractType.CDI,
        OfferKind.APPRENTICESHIP: ContractType.APPRENTICESHIP,
        OfferKind.INTERNSHIP: "",
    }
    offers = []
    for half in (0, 1):
        places = rng.choices(communes, weights=weights, k=sizes.offers)
        for commune in places:
            kind = rng.choice(kinds)
            offers.append(
                Offer(
                    company=companies[half * MATCH_COMPANIES + rng.randrange(MATCH_COMPANIES)],
                    title="Technicien·ne fibre optique"
                    if kind != OfferKind.INTERNSHIP
                    else "Stage raccordement",
                    kind=kind,
                    contract=contracts[kind],
                    commune=commune,
                    latitude=commune.latitude,
                    longitude=commune.longitude,
                    start_date=today + dt.timedelta(days=rng.randint(-30, 240))
                    if rng.random() < 0.9
                    else None,
                    driving_licence_required=rng.random() < 0.3,
                    status=OfferStatus.OPEN if half == 0 else OfferStatus.CLOSED,
                )
            )
    offers = Offer.objects.bulk_create(offers, batch_size=2000)
    Required = Offer.required_skills.through
    Required.objects.bulk_create(
        (
            Required(offer_id=offer.pk, skill_id=skill.pk)
            for offer in offers
            for skill in rng.sample(skills, rng.randint(0, min(5, len(skills))))
        ),
        batch_size=5000,
    )
    # The young people: in cohorts of 25 of the school, in training now, living all over France.
    n = sizes.match_learners
    paris = Commune.objects.get(insee_code=PARIS, kind=Commune.Kind.COMMUNE)
    homes = [paris, *rng.choices(communes, weights=weights, k=n - 1)]
    first = Learner.objects.filter(identity_key__startswith="banc-appariement-").count()
    learners = Learner.objects.bulk_create(
        (
            Learner(
                school=school,
                first_name=rng.choice(["Inès", "Yanis", "Léa", "Rayan", "Lina", "Enzo", "Sarah", "Adam"]),
                last_name=f"Appariement{first + i:06d}",
                birth_date=dt.date(2005, 1, 1) + dt.timedelta(days=rng.randint(0, 2500)),
                highest_diploma=Diploma.NONE,
                identity_key=f"banc-appariement-{first + i:07d}",
                commune=home,
                max_travel_km=30 if i == 0 else rng.choice([None, 10, 20, 30, 30, 50]),
                driving_licence=rng.choice(
                    [DrivingLicence.NONE, DrivingLicence.NONE, DrivingLicence.IN_PROGRESS, DrivingLicence.B]
                ),
            )
            for i, home in enumerate(homes)
        ),
        batch_size=1000,
    )
    start = today - dt.timedelta(weeks=8)
    cohorts = Cohort.objects.bulk_create(
        Cohort(
            school=school,
            trade=school.trade,
            framework=framework,
            name=f"Appariement {k + 1}",
            start_date=start,
            end_date=start + dt.timedelta(weeks=16),
            capacity=MATCH_COHORT_SIZE,
            status=CohortStatus.ONGOING,
        )
        for k in range(-(-n // MATCH_COHORT_SIZE))
    )
    enrolments = Enrolment.objects.bulk_create(
        (
            Enrolment(learner=learner, cohort=cohorts[i // MATCH_COHORT_SIZE], entry_date=start)
            for i, learner in enumerate(learners)
        ),
        batch_size=1000,
    )
    # Their current levels: about 60 % of the skills observed, half of those acquired or mastered.
    Observation.objects.bulk_create(
        (
            Observation(
                enrolment=enrolment,
                skill=skill,
                level=rng.choice([*LEVELS[1:], Level.ACQUIRED]),
                observed_on=today,
            )
            for enrolment in enrolments
            for skill in skills
            if rng.random() < 0.6
        ),
        batch_size=5000,
    )
    built.append("appariement")
    return MatchingData(
        school,
        [c.pk for c in companies],
        [c.pk for c in companies[MATCH_COMPANIES:]],
        enrolments[0],
    )
