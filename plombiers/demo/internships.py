"""The demo's internships, tutors' evaluations, offers and hires.

Every partner company of a school gets one to three sites in real communes within 30 km of the
school (the company's own town first, when it is that close), each with one to three tutors
(fictional, Faker fr_FR). The learners of the finished cohorts went on internship in the two
« stage en entreprise » weeks the attendance builder put in the last third of their cohort (the
dates are read from those half-days): the convention was accepted by every party through their link
before the first day (signed_at, a typed name, an address of the documentation ranges
192.0.2.0/24 and 198.51.100.0/24), the internship ended (a few were interrupted, with a reason;
those who left the programme during their internship too) and most tutors answered the evaluation:
attendance, savoir-être mostly « bien » or « très bien », the skills they saw on site, which became
observations of context « stage » with the tutor as observer — never below the level the trainers
had reached, as `evaluation_submit` would have left them; and, as `evaluation_submit` does, each
tutor who evaluated was sent the company satisfaction survey by signed link (once per tutor and
cohort), about six in ten answering within a week. A few learners who found no job went on
a PMSMP right after their cohort, with the school's Mission Locale as prescriber party.

The cohorts under way get their internships when their weeks have come or are near: finished or
under way, signed and not yet started, sent for signature with some parties signed, or still
drafts. Inès's (DEMO.md) is at a partner company near Chelles: her cohort's internship weeks are
always ahead in the demo (her cohort started two months ago), so her convention is sent, signed by
the company and the school, and waits for her own signature; if her weeks were past, her
internship would be finished and evaluated by her tutor.

The partner companies post offers with the titles and ROME codes of the trades: about half the
completers of each finished cohort were hired (CDI, CDD, intérim, apprenticeship or
professionalisation contracts), most by the company of their internship — whose tutor said they
wanted to recruit them, with that contract — the others by another partner company; each wave of
hires of a company is one offer (« pourvue »), other young people were proposed and not retained,
some offers were closed without a hire, and each company has offers open today, with young people
proposed or in interview (a hire still to come is an interview today). The former learner of the
previous Chelles cohort referred by Thomas was hired on a CDI by their internship company.

The rows are written with `bulk_create` where their keys are needed, the others with one prepared
INSERT run many times (the services audit every write and would take minutes); each row is one the
services would have accepted. Each school and each cohort draws from its own random stream, so
that the same seed and day give the same history, and a second run finds the sites and changes
nothing.
"""

import datetime as dt
import json
import math
import random
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus, SessionKind
from plombiers.cohorts.models import Cohort, Enrolment, TrainingSession
from plombiers.frameworks.models import Skill
from plombiers.internships.enums import (
    SOFT_SKILLS,
    ApplicationStatus,
    ContractType,
    EvaluationOutcome,
    InternshipKind,
    InternshipStatus,
    OfferKind,
    OfferStatus,
    Party,
    Rating,
    TutorAttendance,
)
from plombiers.internships.models import (
    Application,
    CompanySite,
    ConventionSignature,
    Internship,
    Offer,
    TutorEvaluation,
)
from plombiers.lib.text import fold
from plombiers.network.enums import OrganisationCategory as Cat
from plombiers.network.enums import OrganisationKind as Kind
from plombiers.network.models import Commune, Contact, Organisation, School
from plombiers.skills.enums import Context, Level
from plombiers.skills.models import Observation
from plombiers.surveys.enums import Audience, QuestionKind
from plombiers.surveys.models import SurveyAnswer, SurveyInvitation
from plombiers.surveys.questionnaires import questionnaire
from plombiers.surveys.services import link_validity

from .attendance import insert
from .network import FIBRE, DemoNetwork

C = ContractType
INES = "jeune@plombiers.example"
THOMAS = "prescription@plombiers.example"
RADIUS_KM = 30
UPCOMING_DAYS = 35  # internships are prepared about a month before their first day
LINK_DAYS = 14
NO_INTERNSHIP = 0.05  # completers who found no host company (they stayed on the platform)
INTERRUPTED = 0.03
EVALUATED = 0.88
TO_COMPANY = 0.72  # hires made by the company of the internship
PMSMP_SHARE = 0.08  # of the completers not hired
IP_PREFIXES = ("192.0.2.", "198.51.100.")  # documentation ranges (RFC 5737)
USER_AGENTS = [
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
]
SITE_NAMES = {
    FIBRE: ["Agence {c}", "Base travaux {c}", "Dépôt {c}", "Plateforme logistique {c}"],
    "datacenter": ["Data center {c}", "Campus {c}", "Salle d'hébergement {c}"],
}
TUTOR_TITLES = {
    FIBRE: [
        "Chef·fe d'équipe raccordement",
        "Technicien·ne référent·e FTTH",
        "Conducteur·rice de travaux",
        "Responsable d'agence",
    ],
    "datacenter": [
        "Responsable d'exploitation data center",
        "Technicien·ne senior",
        "Chef·fe d'équipe smart hands",
        "Superviseur·e de site",
    ],
}
ACTIVITIES = {
    FIBRE: [
        "Accompagner un binôme de raccordeurs chez les abonnés",
        "Préparer le matériel et le véhicule avant les interventions",
        "Poser des prises terminales optiques (PTO) sous le contrôle du tuteur",
        "Participer au tirage de câble en chambre et en façade",
        "Souder et ranger des fibres en boîtier",
        "Réaliser des mesures de réflectométrie et remplir les comptes rendus",
    ],
    "datacenter": [
        "Accompagner les rondes de l'équipe d'exploitation",
        "Installer et câbler des serveurs en baie",
        "Remplacer des disques et des alimentations sur ticket",
        "Étiqueter et documenter le câblage",
        "Réceptionner et inventorier le matériel livré",
        "Traiter des interventions « smart hands » avec un technicien",
    ],
}
# (title, ROME code, weight)
TITLES = {
    FIBRE: [
        ("Technicien·ne raccordement fibre", "I1307", 30),
        ("Raccordeur·se d'abonnés FTTH", "I1307", 18),
        ("Monteur·se câbleur fibre optique", "F1605", 20),
        ("Technicien·ne déploiement FTTH", "F1605", 15),
        ("Soudeur·se fibre optique", "F1605", 10),
        ("Technicien·ne mesures et recette fibre", "I1307", 7),
    ],
    "datacenter": [
        ("Technicien·ne data center", "I1401", 35),
        ("Technicien·ne d'exploitation data center", "M1810", 20),
        ("Technicien·ne câblage data center", "I1307", 15),
        ("Technicien·ne de maintenance « smart hands »", "I1401", 15),
        ("Opérateur·rice de supervision data center", "M1801", 8),
        ("Monteur·se câbleur courants faibles", "F1605", 7),
    ],
}
# Contracts of the hires, and how long the fixed-term ones last (months).
HIRE_CONTRACTS = {C.CDI: 28, C.CDD: 32, C.TEMPORARY: 10, C.APPRENTICESHIP: 14, C.PROFESSIONALISATION: 16}
MONTHS = {
    C.CDD: [3, 6, 6, 6, 9, 12, 12, 18],
    C.TEMPORARY: [1, 2, 3, 3, 6],
    C.APPRENTICESHIP: [12, 24, 24],
    C.PROFESSIONALISATION: [6, 12, 12],
}
OPEN_CONTRACTS = {
    C.CDI: 25,
    C.CDD: 30,
    C.TEMPORARY: 12,
    C.APPRENTICESHIP: 13,
    C.PROFESSIONALISATION: 10,
    "": 10,
}
INTERRUPTIONS = [
    "Le tuteur a été muté sur un autre chantier : fin anticipée d'un commun accord, la deuxième "
    "semaine s'est faite sur le plateau technique.",
    "Entorse à la cheville en dehors du travail : arrêt de travail, le stage n'a pas repris.",
    "Désaccord sur les horaires de chantier (départ à 6 h) : stage arrêté après trois jours, un "
    "bilan a été fait avec l'entreprise.",
    "L'entreprise a perdu le chantier prévu : le stage s'est arrêté à la fin de la première semaine.",
]
DROP_OUT_INTERRUPTION = "Sortie de la formation pendant le stage : {detail}"
RATINGS = {
    "hired": {Rating.VERY_GOOD: 48, Rating.GOOD: 44, Rating.FAIR: 7, Rating.INSUFFICIENT: 1},
    "usual": {Rating.VERY_GOOD: 25, Rating.GOOD: 50, Rating.FAIR: 17, Rating.INSUFFICIENT: 8},
    "fragile": {Rating.VERY_GOOD: 8, Rating.GOOD: 35, Rating.FAIR: 32, Rating.INSUFFICIENT: 25},
}
ATTENDANCE = {
    "hired": {TutorAttendance.REGULAR: 93, TutorAttendance.SOME_ABSENCES: 7},
    "usual": {
        TutorAttendance.REGULAR: 80,
        TutorAttendance.SOME_ABSENCES: 17,
        TutorAttendance.MANY_ABSENCES: 3,
    },
    "fragile": {
        TutorAttendance.REGULAR: 45,
        TutorAttendance.SOME_ABSENCES: 35,
        TutorAttendance.MANY_ABSENCES: 20,
    },
}
COMMENTS = {
    "good": [
        "Très bonne intégration dans l'équipe, curieux·se et appliqué·e.",
        "Travail soigné, consignes de sécurité respectées sans qu'on ait à les rappeler.",
        "Autonome sur les interventions simples dès la deuxième semaine.",
        "Ponctuel·le, à l'écoute, pose les bonnes questions. Une vraie recrue potentielle.",
    ],
    "fair": [
        "Bonne volonté ; doit encore gagner en ponctualité.",
        "Les gestes techniques sont là, encore un peu de timidité avec les clients.",
        "Sérieux·se, mais a besoin d'être guidé·e pour s'organiser sur une journée complète.",
    ],
    "poor": [
        "Plusieurs retards non prévenus ; le geste est correct mais l'attitude doit changer.",
        "Manque d'attention aux règles de sécurité en hauteur, à reprendre avant un nouveau stage.",
    ],
}
NOTES = {
    ApplicationStatus.HIRED: "Proposé·e par l'école à la fin de la formation ; embauche confirmée par l'entreprise.",
    ApplicationStatus.NOT_HIRED: [
        "Entretien passé ; l'entreprise a retenu un candidat plus expérimenté.",
        "Pas de permis B : le poste demande de conduire un véhicule de service.",
        "Le ou la jeune a préféré une autre offre plus proche de chez lui ou elle.",
        "Entretien passé, retour positif mais un seul poste à pourvoir.",
    ],
    ApplicationStatus.INTERVIEW: "Entretien fixé avec le ou la responsable d'agence.",
    ApplicationStatus.PROPOSED: "Profil envoyé à l'entreprise par l'école.",
}
# What the young person and their prescriber read of an application (the team's note stays with it).
SHARED_NOTES = {
    ApplicationStatus.INTERVIEW: "Entretien fixé avec l'agence : l'école te donne l'heure et l'adresse.",
    ApplicationStatus.HIRED: "L'entreprise confirme ton embauche : bravo !",
}
ORDER = {Level.NOT_OBSERVED: 0, Level.IN_PROGRESS: 1, Level.ACQUIRED: 2, Level.MASTERED: 3}
TUTOR_LEVELS = {Level.IN_PROGRESS: 20, Level.ACQUIRED: 60, Level.MASTERED: 20}


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def km(a: Commune, b: Commune) -> float:
    """Great-circle distance between two communes."""
    rad = math.pi / 180
    h = (
        math.sin((b.latitude - a.latitude) * rad / 2) ** 2
        + math.cos(a.latitude * rad)
        * math.cos(b.latitude * rad)
        * math.sin((b.longitude - a.longitude) * rad / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def pmsmp_dates(cohort: Cohort) -> tuple[dt.date, dt.date]:
    """Two weeks, Monday to Friday, starting the second Monday after the cohort."""
    day = cohort.end_date + dt.timedelta(days=3)
    start = day + dt.timedelta(days=7 - day.weekday())
    return start, start + dt.timedelta(days=11)


def workday(day: dt.date) -> dt.date:
    """A weekend day moves to the Monday after."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


@contextmanager
def keep_dates(*models_):
    """Let `bulk_create` write the `created_at` / `updated_at` we set (the day it happened)."""
    fields = [
        f
        for m in models_
        for f in m._meta.fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@dataclass
class Host:
    """A site of a partner company near a school, with its tutors."""

    company: Organisation
    site: CompanySite
    tutors: list[Contact]
    distance: float


@dataclass(slots=True)
class Sign:
    """One party's signature row (a model instance costs too much thousands of times)."""

    internship: Internship
    party: str
    name: str
    email: str
    nonce: str
    expires_at: dt.datetime
    created_at: dt.datetime
    signed_at: dt.datetime | None = None
    signed_name: str = ""
    ip_address: str | None = None
    user_agent: str = ""


@dataclass(slots=True)
class Evaluation:
    internship: Internship
    nonce: str
    expires_at: dt.datetime
    submitted_at: dt.datetime | None = None
    tutor_name: str = ""
    attendance: str = ""
    soft_skills: dict = field(default_factory=dict)
    outcome: str = ""
    wants_to_hire: bool | None = None
    hired_contract: str = ""
    comment: str = ""
    ip_address: str | None = None


@dataclass(slots=True)
class Candidacy:
    offer: Offer
    enrolment_id: int
    status: str
    note: str
    hired_on: dt.date | None
    proposed_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    shared_note: str = ""


@dataclass
class Placement:
    """What happened to one learner of a cohort (unsaved rows)."""

    enrolment: Enrolment
    internship: Internship | None = None
    host: Host | None = None
    hired_by: Organisation | None = None  # hired (or about to be) by this company
    hired_on: dt.date | None = None
    own: bool = False  # by the company of the internship
    profile: str = "usual"


TUTOR_QUESTIONNAIRE = questionnaire(Audience.TUTOR)
NONCE_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
TUTOR_COMMENTS = [
    "Stagiaire motivé, bien préparé par l'école aux gestes de base.",
    "Un point téléphonique à mi-stage nous aurait aidés.",
    "Très bon suivi de la part de l'école, nous reprendrons des stagiaires.",
    "La convention est arrivée tard, le reste s'est bien passé.",
]


@dataclass
class InternshipsPlan:
    contacts: list[Contact] = field(default_factory=list)
    sites: list[CompanySite] = field(default_factory=list)
    internships: list[Internship] = field(default_factory=list)
    objectives: list[tuple[Internship, int]] = field(default_factory=list)
    signatures: list[Sign] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    # (evaluation, internship, skill, level drawn by the tutor, day): the level is raised to the
    # learner's current one when written, so that the tutor never lowers it.
    observed: list[tuple[Evaluation, Internship, Skill, str, dt.date]] = field(default_factory=list)
    goals: dict[int, list[Skill]] = field(default_factory=dict)  # objectives, by id of the internship
    offers: list[Offer] = field(default_factory=list)
    offer_skills: list[tuple[Offer, int]] = field(default_factory=list)
    applications: list[Candidacy] = field(default_factory=list)
    # The company satisfaction survey each tutor was sent once they had evaluated (once per tutor
    # and cohort), and the answers of those who answered.
    tutor_surveys: list[SurveyInvitation] = field(default_factory=list)
    tutor_answers: list[tuple[SurveyInvitation, SurveyAnswer]] = field(default_factory=list)
    tutors_invited: set[tuple[int, str]] = field(default_factory=set)


class InternshipsBuilder:
    """Builds the placements of the demo network (after the intake, skills and attendance builders)."""

    def __init__(self, seed: int = 2017):
        self.seed = seed
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()
        self.fake = Faker("fr_FR")

    def build(self, demo: DemoNetwork, only: set[str] | None = None) -> InternshipsPlan | None:
        """Write the placements once: a second run finds the sites and changes nothing."""
        schools = [s for town, s in demo.schools.items() if only is None or town in only]
        if CompanySite.objects.filter(company__partnerships__school__in=schools).exists():
            return None
        plan = self.plan(demo, schools)
        self.save(plan)
        return plan

    # --- the plan ------------------------------------------------------------------

    def plan(self, demo: DemoNetwork, schools: list[School]) -> InternshipsPlan:
        plan = InternshipsPlan()
        hosts = self.hosts(plan, schools)
        cohorts = list(
            Cohort.objects.filter(
                school__in=schools,
                status__in=[CohortStatus.FINISHED, CohortStatus.ONGOING],
                framework__isnull=False,
            ).order_by("school", "start_date")
        )
        weeks = {
            row["cohort"]: (row["first"], row["last"])
            for row in TrainingSession.objects.filter(cohort__in=cohorts, kind=SessionKind.INTERNSHIP)
            .values("cohort")
            .annotate(first=Min("date"), last=Max("date"))
        }
        enrolments = defaultdict(list)
        for enrolment in (
            Enrolment.objects.filter(cohort__in=cohorts).select_related("learner", "referral").order_by("pk")
        ):
            enrolments[enrolment.cohort_id].append(enrolment)
        skills = defaultdict(list)
        for skill in Skill.objects.filter(framework__in={c.framework_id for c in cohorts}).order_by(
            "framework", "block__position", "position", "pk"
        ):
            skills[skill.framework_id].append(skill)
        team = defaultdict(lambda: defaultdict(list))
        for membership in Membership.objects.filter(school__in=schools).select_related("user").order_by("pk"):
            team[membership.school_id][membership.role].append(membership.user)
        missions = {}
        for school in schools:
            missions[school.pk] = (
                school.partners.filter(kind=Kind.PRESCRIBER, category=Cat.MISSION_LOCALE)
                .order_by("pk")
                .first()
            )
        counsellors = {
            m.organisation_id: m.user
            for m in Membership.objects.filter(
                role=Role.PRESCRIBER, organisation__in=[o for o in missions.values() if o]
            )
            .select_related("user")
            .order_by("-pk")
        }
        ines, thomas = demo.users.get(INES), demo.users.get(THOMAS)
        by_school = defaultdict(list)
        for cohort in cohorts:
            by_school[cohort.school_id].append(cohort)
        for school in schools:
            context = SchoolContext(
                school=school,
                trade=FIBRE if school.trade.slug == FIBRE else "datacenter",
                hosts=hosts[school.pk],
                team=team[school.pk],
                mission=missions[school.pk],
                counsellor=counsellors.get(getattr(missions[school.pk], "pk", None)),
            )
            SchoolPlacements(
                self, plan, context, by_school[school.pk], weeks, enrolments, skills, ines, thomas
            ).build()
        return plan

    def hosts(self, plan: InternshipsPlan, schools: list[School]) -> dict[int, list[Host]]:
        """One to three sites per partner company within 30 km of the school, one to three tutors
        each (a company partnered with a second school opens a site near it too)."""
        fake = self.fake
        hosts: dict[int, list[Host]] = {}
        seen: dict[int, set[str]] = defaultdict(set)  # site names by company
        for school in schools:
            around = self.around(school.commune)
            companies = (
                school.partners.filter(kind=Kind.COMPANY)
                .select_related("commune")
                .order_by("name", "pk")
                .distinct()
            )
            trade = FIBRE if school.trade.slug == FIBRE else "datacenter"
            hosts[school.pk] = []
            for company in companies:
                rng = random.Random(f"{self.seed}:sites:{company.name}:{school.slug}")
                fake.seed_instance(f"{self.seed}:sites:{company.name}:{school.slug}")
                count = 1 if seen[company.pk] else rng.choices((1, 2, 3), weights=(35, 45, 20))[0]
                communes = []
                near = {c.pk: d for c, d in around}
                if company.commune_id in near and not seen[company.pk]:
                    communes.append((company.commune, near[company.commune_id]))
                pool = [(c, d) for c, d in around if c.pk not in {x.pk for x, _ in communes}]
                while len(communes) < count and pool:
                    weights = [(c.population or 1) ** 0.6 for c, _ in pool]
                    chosen = rng.choices(range(len(pool)), weights=weights)[0]
                    communes.append(pool.pop(chosen))
                domain = slugify(fold(company.name)) + ".example"
                for commune, distance in communes:
                    name = rng.choice(SITE_NAMES[trade]).format(c=commune.name)
                    while name in seen[company.pk]:
                        name = f"{name} {len(seen[company.pk]) + 1}"
                    seen[company.pk].add(name)
                    site = CompanySite(
                        company=company, name=name, commune=commune, address=fake.street_address()
                    )
                    plan.sites.append(site)
                    tutors = []
                    for _ in range(rng.choices((1, 2, 3), weights=(30, 45, 25))[0]):
                        first, last = fake.first_name(), fake.last_name()
                        tutor = Contact(
                            organisation=company,
                            full_name=f"{first} {last}",
                            job_title=rng.choice(TUTOR_TITLES[trade]),
                            email=f"{slugify(fold(first))}.{slugify(fold(last))}@{domain}",
                            phone=fake.phone_number(),
                        )
                        plan.contacts.append(tutor)
                        tutors.append(tutor)
                    hosts[school.pk].append(Host(company, site, tutors, distance))
        return hosts

    @staticmethod
    def around(commune: Commune) -> list[tuple[Commune, float]]:
        """The communes within 30 km (a box on the coordinates, then the great-circle distance)."""
        if commune.latitude is None or commune.longitude is None:
            return [(commune, 0.0)]
        dlat = RADIUS_KM / 111.2
        dlon = dlat / max(math.cos(math.radians(commune.latitude)), 0.1)
        candidates = Commune.objects.filter(
            kind=Commune.Kind.COMMUNE,
            latitude__range=(commune.latitude - dlat, commune.latitude + dlat),
            longitude__range=(commune.longitude - dlon, commune.longitude + dlon),
        ).order_by("insee_code")
        found = [(c, km(commune, c)) for c in candidates]
        found = [(c, d) for c, d in found if d <= RADIUS_KM]
        return found or [(commune, 0.0)]

    # --- writing -------------------------------------------------------------------

    def save(self, plan: InternshipsPlan) -> None:
        """The rows whose keys are needed with `bulk_create`, the others with one prepared INSERT
        run many times (several times quicker here)."""
        Contact.objects.bulk_create(plan.contacts)
        CompanySite.objects.bulk_create(plan.sites)
        with keep_dates(Internship, Offer):
            Internship.objects.bulk_create(plan.internships)
            Offer.objects.bulk_create(plan.offers)
        ops = connection.ops
        day, moment = ops.adapt_datefield_value, ops.adapt_datetimefield_value
        insert(
            Internship.objectives.through, ["internship", "skill"], [(i.pk, s) for i, s in plan.objectives]
        )
        insert(Offer.required_skills.through, ["offer", "skill"], [(o.pk, s) for o, s in plan.offer_skills])
        columns = ["internship", "party", "name", "email", "nonce", "expires_at", "signed_at", "signed_name",
                   "ip_address", "user_agent", "created_at"]  # fmt: skip
        rows = [
            (
                r.internship.pk,
                r.party,
                r.name,
                r.email,
                r.nonce,
                moment(r.expires_at),
                moment(r.signed_at) if r.signed_at else None,
                r.signed_name,
                r.ip_address,
                r.user_agent,
                moment(r.created_at),
            )
            for r in plan.signatures
        ]
        insert(ConventionSignature, columns, rows)
        columns = ["internship", "nonce", "expires_at", "submitted_at", "tutor_name", "attendance", "soft_skills",
                   "outcome", "wants_to_hire", "hired_contract", "comment", "ip_address"]  # fmt: skip
        rows = [
            (
                r.internship.pk,
                r.nonce,
                moment(r.expires_at),
                moment(r.submitted_at) if r.submitted_at else None,
                r.tutor_name,
                r.attendance,
                json.dumps(r.soft_skills),
                r.outcome,
                r.wants_to_hire,
                r.hired_contract,
                r.comment,
                r.ip_address,
            )
            for r in plan.evaluations
        ]
        insert(TutorEvaluation, columns, rows)
        SurveyInvitation.objects.bulk_create(plan.tutor_surveys)
        for invitation, answer in plan.tutor_answers:
            answer.invitation = invitation
        SurveyAnswer.objects.bulk_create([answer for _invitation, answer in plan.tutor_answers])
        columns = [
            "offer",
            "enrolment",
            "status",
            "note",
            "shared_note",
            "hired_on",
            "proposed_by",
            "created_at",
            "updated_at",
        ]
        rows = [
            (
                r.offer.pk,
                r.enrolment_id,
                r.status,
                r.note,
                r.shared_note,
                day(r.hired_on) if r.hired_on else None,
                r.proposed_by_id,
                moment(r.created_at),
                moment(r.updated_at),
            )
            for r in plan.applications
        ]
        insert(Application, columns, rows)
        # The tutors' observations: never below the level the trainers had reached (the latest
        # observation is the current level, and these are written last).
        enrolments = {i.enrolment_id for _, i, *_ in plan.observed}
        skills = {s.pk for _, _, s, *_ in plan.observed}
        current = {}
        for enrolment, skill, level in (
            Observation.objects.filter(enrolment__in=enrolments, skill__in=skills)
            .order_by("pk")
            .values_list("enrolment", "skill", "level")
        ):
            current[enrolment, skill] = level
        rows = []
        for evaluation, internship, skill, level, observed_on in plan.observed:
            before = current.get((internship.enrolment_id, skill.pk), Level.NOT_OBSERVED)
            if ORDER[before] > ORDER[level]:
                level = before
            current[internship.enrolment_id, skill.pk] = level
            observer = f"{evaluation.tutor_name} (tuteur·rice, {internship.site.company.name})"
            rows.append(
                (
                    internship.enrolment_id,
                    skill.pk,
                    level,
                    day(observed_on),
                    Context.WORKSITE,
                    False,
                    "Observé en entreprise pendant le stage.",
                    None,
                    observer[:150],
                    moment(evaluation.submitted_at),
                )
            )
        columns = ["enrolment", "skill", "level", "observed_on", "context", "is_positioning", "comment", "observer",
                   "observer_name", "created_at"]  # fmt: skip
        insert(Observation, columns, rows)


@dataclass
class SchoolContext:
    school: School
    trade: str
    hosts: list[Host]
    team: dict[str, list[User]]
    mission: Organisation | None
    counsellor: User | None


class SchoolPlacements:
    """The placements of one school, each cohort drawn from its own random stream."""

    def __init__(self, builder, plan, context, cohorts, weeks, enrolments, skills, ines, thomas):
        self.builder, self.plan, self.ctx = builder, plan, context
        self.cohorts, self.weeks, self.enrolments, self.skills = cohorts, weeks, enrolments, skills
        self.ines, self.thomas = ines, thomas
        self.today, self.now = builder.today, builder.now
        school = context.school
        self.rng = random.Random(f"{builder.seed}:placements:{school.slug}")
        # Schools place their young people more or less well; the data centre trade hires a little more.
        self.hire_rate = self.rng.uniform(0.40, 0.60) + (0.03 if context.trade == "datacenter" else 0)
        self.host_weights = [self.rng.uniform(1, 3) for _ in context.hosts]
        team = context.team
        self.managers = team[Role.SCHOOL_MANAGER] or team[Role.TRAINER]
        self.staff = team[Role.SCHOOL_MANAGER] + team[Role.TRAINER]
        self.companies = list(dict.fromkeys(h.company for h in context.hosts))
        self.social_workers = {c.pk: c.social_worker_id for c in cohorts}
        self.graduate = self.graduate_enrolment()
        self.hired: set[int] = set()  # enrolments hired before today
        self.pending: set[int] = set()  # in interview for a hire to come
        self.pmsmps = 0
        self.last_pmsmp_cohort = max(
            (c for c in cohorts if c.status == CohortStatus.FINISHED and pmsmp_dates(c)[1] < self.today),
            key=lambda c: c.start_date,
            default=Cohort(),
        ).pk

    def graduate_enrolment(self) -> int | None:
        """DEMO.md: at Chelles, the first completer of the previous cohort, sent by Thomas."""
        if self.ctx.school.slug != "plombiers-chelles" or self.thomas is None:
            return None
        finished = [c for c in self.cohorts if c.status == CohortStatus.FINISHED]
        if not finished:
            return None
        completed = [e for e in self.enrolments[finished[-1].pk] if e.status == EnrolmentStatus.COMPLETED]
        completed.sort(key=lambda e: e.referral is None or e.referral.prescriber_id != self.thomas.pk)
        return completed[0].pk if completed else None

    # --- time ----------------------------------------------------------------------

    def at(self, rng: random.Random, day: dt.date, earliest: int = 8, latest: int = 18) -> dt.datetime:
        time = dt.time(rng.randint(earliest, latest - 1), rng.randrange(60))
        return dt.datetime.combine(day, time, tzinfo=self.builder.zone)

    def before_now(self, moment: dt.datetime) -> dt.datetime:
        return min(moment, self.now - dt.timedelta(minutes=30))

    # --- the school ----------------------------------------------------------------

    def build(self) -> None:
        if not self.ctx.hosts:
            return
        for cohort in self.cohorts:
            if cohort.pk in self.weeks:
                CohortPlacements(self, cohort).build()
        self.open_offers()

    def host(self, rng: random.Random, exclude: Organisation | None = None) -> Host:
        """A site of a partner company (the bigger ones host more), another company's if asked."""
        hosts = [
            (h, w) for h, w in zip(self.ctx.hosts, self.host_weights, strict=True) if h.company != exclude
        ] or list(zip(self.ctx.hosts, self.host_weights, strict=True))
        return rng.choices([h for h, _ in hosts], weights=[w for _, w in hosts])[0]

    def offer(
        self,
        rng: random.Random,
        host: Host,
        *,
        created_at: dt.datetime,
        status: str,
        contract: str,
        start_date: dt.date | None,
        posts: int = 1,
    ) -> Offer:
        """An offer of a partner company with the titles, ROME codes and skills of the trade."""
        trade = self.ctx.trade
        title, rome, _ = rng.choices(TITLES[trade], weights=[t[2] for t in TITLES[trade]])[0]
        kind = OfferKind.JOB
        if contract in (C.APPRENTICESHIP, C.PROFESSIONALISATION):
            kind, title = OfferKind.APPRENTICESHIP, f"{title} en alternance"
        elif not contract:
            kind, title = OfferKind.INTERNSHIP, f"Stage — {title.lower()}"
        if posts > 1:
            title = f"{title} ({posts} postes)"
        licence = rng.random() < (0.45 if trade == FIBRE else 0.1)
        months = rng.choice(MONTHS[contract]) if contract in MONTHS else None
        commune = host.site.commune
        duties = ", ".join(a.lower() for a in rng.sample(ACTIVITIES[trade], 2))
        contract_text = {
            C.CDI: "CDI à temps plein",
            C.CDD: f"CDD de {months} mois, renouvelable",
            C.TEMPORARY: f"mission d'intérim de {months} mois, avec possibilité d'embauche",
            C.APPRENTICESHIP: f"contrat d'apprentissage de {months} mois avec un CFA partenaire",
            C.PROFESSIONALISATION: f"contrat de professionnalisation de {months} mois",
            "": "stage de deux à quatre semaines",
        }[contract]
        offer = Offer(
            company=host.company,
            site=host.site,
            title=title[:200],
            kind=kind,
            rome_code=rome,
            contract=contract,
            contract_months=months,
            commune=commune,
            latitude=commune.latitude,
            longitude=commune.longitude,
            start_date=start_date,
            driving_licence_required=licence,
            description=(
                f"{host.company.name} recrute pour son site de {commune.name} : {duties}. "
                f"{contract_text.capitalize()}. "
                + (
                    "Permis B exigé (véhicule de service). "
                    if licence
                    else "Site accessible en transports en commun. "
                )
                + "Débutant·e accepté·e : formation au poste par un·e tuteur·rice."
            ),
            status=status,
            created_by=rng.choice(self.managers) if self.managers else None,
            created_at=created_at,
        )
        self.plan.offers.append(offer)
        framework = [s for s in self.skills_of_trade() if rome in s.rome_codes] or self.skills_of_trade()
        others = [s for s in self.skills_of_trade() if s not in framework]
        chosen = rng.sample(framework, min(rng.randint(3, 5), len(framework)))
        if others and rng.random() < 0.5:
            chosen.append(rng.choice(others))
        self.plan.offer_skills += [(offer, s.pk) for s in chosen]
        return offer

    def skills_of_trade(self) -> list[Skill]:
        framework_id = self.cohorts[-1].framework_id if self.cohorts else None
        return self.skills.get(framework_id, [])

    def application(
        self, rng, offer: Offer, enrolment: Enrolment, status: str, *, at: dt.datetime, decided: dt.datetime | None = None,
        hired_on: dt.date | None = None,
    ) -> Candidacy:  # fmt: skip
        by = self.social_workers.get(enrolment.cohort_id) or (
            rng.choice(self.managers).pk if self.managers else None
        )
        note = (
            NOTES[status]
            if status != ApplicationStatus.NOT_HIRED
            else rng.choice(NOTES[ApplicationStatus.NOT_HIRED])
        )
        application = Candidacy(
            offer=offer,
            enrolment_id=enrolment.pk,
            status=status,
            note=note,
            shared_note=SHARED_NOTES.get(status, ""),
            hired_on=hired_on,
            proposed_by_id=by,
            created_at=at,
            updated_at=decided or at,
        )
        self.plan.applications.append(application)
        return application

    def open_offers(self) -> None:
        """Each company has offers open today (some sent to young people of the last cohorts)."""
        rng = random.Random(f"{self.builder.seed}:offers:{self.ctx.school.slug}")
        finished = [c for c in self.cohorts if c.status == CohortStatus.FINISHED]
        recent = [c for c in finished if (self.today - c.end_date).days <= 150]
        looking = [
            e
            for c in recent
            for e in self.enrolments[c.pk]
            if e.status == EnrolmentStatus.COMPLETED and e.pk not in self.hired | self.pending
        ]
        for company in self.companies:
            hosts = [h for h in self.ctx.hosts if h.company == company]
            for _ in range(rng.choices((0, 1, 2, 3), weights=(15, 40, 30, 15))[0]):
                created = self.before_now(self.at(rng, self.today - dt.timedelta(days=rng.randint(2, 60))))
                start = self.today + dt.timedelta(days=rng.randint(7, 60))
                offer = self.offer(
                    rng,
                    rng.choice(hosts),
                    created_at=created,
                    status=OfferStatus.OPEN,
                    contract=pick(rng, OPEN_CONTRACTS),
                    start_date=start,
                )
                for enrolment in rng.sample(looking, min(rng.randint(0, 3), len(looking))):
                    status = pick(
                        rng,
                        {
                            ApplicationStatus.PROPOSED: 45,
                            ApplicationStatus.INTERVIEW: 35,
                            ApplicationStatus.NOT_HIRED: 20,
                        },
                    )
                    at = self.before_now(
                        created + dt.timedelta(days=rng.randint(1, 8), hours=rng.randint(0, 8))
                    )
                    decided = self.before_now(at + dt.timedelta(days=rng.randint(2, 12)))
                    self.application(
                        rng,
                        offer,
                        enrolment,
                        status,
                        at=at,
                        decided=decided if status != ApplicationStatus.PROPOSED else at,
                    )


class CohortPlacements:
    """The internships, evaluations and hires of one cohort, from its own random stream."""

    def __init__(self, school: SchoolPlacements, cohort: Cohort):
        self.school, self.cohort = school, cohort
        builder = school.builder
        self.rng = random.Random(f"{builder.seed}:placements:{school.ctx.school.slug}:{cohort.start_date}")
        self.plan, self.ctx = school.plan, school.ctx
        self.today, self.now = school.today, school.now
        self.first, self.last = school.weeks[cohort.pk]
        self.skills = school.skills.get(cohort.framework_id, [])
        self.finished = cohort.status == CohortStatus.FINISHED
        self.waves: dict[int, dict] = {}

    def build(self) -> None:
        if self.first > self.today + dt.timedelta(days=UPCOMING_DAYS) or not self.skills:
            return
        enrolments = self.school.enrolments[self.cohort.pk]
        ines = self.school.ines
        placements = []
        classmates = 0
        for enrolment in enrolments:
            is_ines = ines is not None and enrolment.learner.user_id == ines.pk
            placement = self.internship(enrolment, is_ines=is_ines, nudge=not is_ines and classmates == 0)
            if placement is not None:
                placements.append(placement)
                if placement.internship is not None and not is_ines:
                    classmates += 1
        if self.finished:
            self.hires(placements)
        for placement in placements:
            self.evaluation(placement)
        if self.finished:
            self.pmsmps(placements)
            self.closed_offer(placements)

    # --- internships ---------------------------------------------------------------

    def internship(self, enrolment: Enrolment, *, is_ines: bool, nudge: bool) -> Placement | None:
        rng, first, last = self.rng, self.first, self.last
        dropped = enrolment.status == EnrolmentStatus.DROPPED_OUT
        if dropped and (enrolment.end_date or dt.date.max) < first:
            return None  # left before the internship weeks
        placement = Placement(enrolment, profile="fragile" if dropped else "usual")
        graduate = enrolment.pk == self.school.graduate
        if (
            not (is_ines or graduate)
            and enrolment.status == EnrolmentStatus.COMPLETED
            and rng.random() < NO_INTERNSHIP
        ):
            return placement
        host = self.school.host(rng)
        if is_ines:  # no licence, 15 km at most by public transport: the nearest site of a partner
            host = min(self.ctx.hosts, key=lambda h: (h.distance, h.site.name))
        placement.host = host
        status, reason = InternshipStatus.FINISHED, ""
        signed = None  # the parties who accepted the convention (None: all)
        if last < self.today:
            if dropped and enrolment.end_date < last:
                status, reason = (
                    InternshipStatus.INTERRUPTED,
                    DROP_OUT_INTERRUPTION.format(detail=enrolment.drop_out_detail or "abandon."),
                )
            elif not graduate and rng.random() < INTERRUPTED:
                status, reason = InternshipStatus.INTERRUPTED, rng.choice(INTERRUPTIONS)
                placement.profile = "fragile"
        elif first <= self.today:
            status = InternshipStatus.ONGOING
            if dropped and enrolment.end_date < self.today:
                status, reason = (
                    InternshipStatus.INTERRUPTED,
                    DROP_OUT_INTERRUPTION.format(detail=enrolment.drop_out_detail or "abandon."),
                )
        else:
            if dropped:
                return None
            days = (first - self.today).days
            if is_ines:
                status, signed = InternshipStatus.TO_SIGN, {Party.COMPANY, Party.SCHOOL}
            elif (
                nudge
                and self.cohort.status == CohortStatus.ONGOING
                and self.ctx.school.slug == "plombiers-chelles"
            ):
                status, signed = InternshipStatus.TO_SIGN, {Party.SCHOOL}
            else:
                weights = (
                    {InternshipStatus.SIGNED: 85, InternshipStatus.TO_SIGN: 15}
                    if days <= 7
                    else {
                        InternshipStatus.SIGNED: 40,
                        InternshipStatus.TO_SIGN: 32,
                        InternshipStatus.DRAFT: 28,
                    }
                )
                status = pick(rng, weights)
                if status == InternshipStatus.TO_SIGN:
                    parties = [Party.SCHOOL, Party.COMPANY, Party.LEARNER]
                    signed = set(parties[: rng.randint(0, 2)])
        placement.internship = self.write_internship(
            placement, InternshipKind.INTERNSHIP, first, last, status, reason=reason, signed=signed
        )
        return placement

    def write_internship(
        self, placement: Placement, kind: str, start: dt.date, end: dt.date, status: str, *, reason: str = "",
        signed: set[str] | None = None, prescriber: Organisation | None = None, host: Host | None = None,
    ) -> Internship:  # fmt: skip
        rng, school = self.rng, self.school
        host = host or placement.host
        # Sent for signature a week or three before the first day (for those to come: lately).
        if start > self.today:
            sent = school.before_now(school.at(rng, self.today - dt.timedelta(days=rng.randint(1, 9))))
            if status == InternshipStatus.SIGNED:
                day = min(start - dt.timedelta(days=rng.randint(10, 20)), self.today - dt.timedelta(days=4))
                sent = school.at(rng, day)
        else:
            sent = school.at(rng, start - dt.timedelta(days=rng.randint(8, 21)))
        created = school.at(rng, timezone.localdate(sent) - dt.timedelta(days=rng.randint(1, 8)))
        if status == InternshipStatus.DRAFT:
            created = school.at(rng, self.today - dt.timedelta(days=rng.randint(1, 10)))
        trade = self.ctx.trade
        internship = Internship(
            enrolment=placement.enrolment,
            kind=kind,
            site=host.site,
            tutor=rng.choice(host.tutors),
            prescriber_organisation=prescriber,
            start_date=start,
            end_date=end,
            weekly_hours=35,
            activities="\n".join(rng.sample(ACTIVITIES[trade], rng.randint(2, 3))),
            status=status,
            interruption_reason=reason,
            created_by=rng.choice(school.staff) if school.staff else None,
            created_at=created,
        )
        self.plan.internships.append(internship)
        goals = rng.sample(self.skills, min(rng.randint(3, 6), len(self.skills)))
        self.plan.goals[id(internship)] = goals
        self.plan.objectives += [(internship, skill.pk) for skill in goals]
        if status != InternshipStatus.DRAFT:
            self.convention(internship, host, sent, signed, prescriber)
        return internship

    def between(self, earliest: dt.datetime, latest: dt.datetime) -> dt.datetime:
        """A moment of the day (8:00–21:00) between two others, when there is one."""
        rng = self.rng
        first, last = timezone.localdate(earliest), timezone.localdate(latest)
        day = first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))
        moment = self.school.at(rng, day, 8, 21)
        if not earliest < moment < latest:
            moment = earliest + (latest - earliest) * rng.uniform(0.1, 0.9)
        return moment

    def convention(self, internship: Internship, host: Host, sent: dt.datetime, signed, prescriber) -> None:
        """One link per party; each one accepted before the first day (or some, still to sign)."""
        rng, school = self.rng, self.school
        learner = internship.enrolment.learner
        school_row = self.ctx.school
        manager = rng.choice(school.managers) if school.managers else None
        counsellor = self.ctx.counsellor
        identities = {
            Party.LEARNER: (f"{learner.first_name} {learner.last_name}", learner.email, None),
            Party.COMPANY: (internship.tutor.full_name, internship.tutor.email, None),
            Party.SCHOOL: (
                school_row.name,
                school_row.email,
                manager.get_full_name() if manager else school_row.name,
            ),
        }
        if prescriber is not None:
            typed = counsellor.get_full_name() if counsellor else prescriber.name
            identities[Party.PRESCRIBER] = (prescriber.name, prescriber.email, typed)
        limit = school.before_now(
            dt.datetime.combine(
                internship.start_date - dt.timedelta(days=1), dt.time(19), tzinfo=self.school.builder.zone
            )
        )
        for party, (name, email, typed) in identities.items():
            signature = Sign(
                internship=internship,
                party=party,
                name=name[:200],
                email=email or "",
                nonce=f"{rng.getrandbits(128):032x}",
                expires_at=sent + dt.timedelta(days=LINK_DAYS),
                created_at=sent,
            )
            if signed is None or party in signed:
                signature.signed_at = self.between(sent, limit)
                signature.signed_name = (typed or name)[:200]
                signature.ip_address = f"{rng.choice(IP_PREFIXES)}{rng.randint(1, 254)}"
                signature.user_agent = rng.choice(USER_AGENTS[:2] if party == Party.LEARNER else USER_AGENTS)
            self.plan.signatures.append(signature)

    # --- hires ---------------------------------------------------------------------

    def hires(self, placements: list[Placement]) -> None:
        """About half the completers hired: mostly by their internship company, in waves (one offer
        per company and cohort); a hire still to come is an interview under way."""
        rng, school = self.rng, self.school
        rate = min(max(school.hire_rate + rng.uniform(-0.08, 0.08), 0.3), 0.85)
        waves: dict[int, dict] = {}  # by company
        # (the graduate of DEMO.md first: their company's wave is the CDI they signed)
        for placement in sorted(placements, key=lambda p: p.enrolment.pk != school.graduate):
            enrolment = placement.enrolment
            if enrolment.status != EnrolmentStatus.COMPLETED:
                continue
            graduate = enrolment.pk == school.graduate
            if not graduate and rng.random() >= rate:
                continue
            internship = placement.internship
            own = (
                internship is not None
                and internship.status == InternshipStatus.FINISHED
                and (graduate or rng.random() < TO_COMPANY)
            )
            if own:
                host = placement.host
            else:
                host = school.host(rng, exclude=placement.host.company if placement.host else None)
            company = host.company
            if company.pk not in waves:
                contract = C.CDI if graduate else pick(rng, HIRE_CONTRACTS)
                waves[company.pk] = {"host": host, "contract": contract, "hires": []}
            delay = rng.randint(3, 25) if rng.random() < 0.7 else rng.randint(26, 110)
            if graduate:
                delay = rng.randint(7, 14)
            placement.hired_by, placement.own = company, own
            placement.hired_on = workday(self.cohort.end_date + dt.timedelta(days=delay))
            if own:
                placement.profile = "hired"
            waves[company.pk]["hires"].append(placement)
        end = self.cohort.end_date
        for wave in waves.values():
            hires = wave["hires"]
            created = school.before_now(school.at(rng, end - dt.timedelta(days=rng.randint(5, 35))))
            done = all(p.hired_on < self.today for p in hires)
            offer = school.offer(
                rng,
                wave["host"],
                created_at=created,
                status=OfferStatus.FILLED if done else OfferStatus.OPEN,
                contract=wave["contract"],
                start_date=end + dt.timedelta(days=rng.randint(7, 21)),
                posts=len(hires),
            )
            wave["offer"] = offer
            for placement in hires:
                at = created + dt.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 6))
                at = school.before_now(min(at, school.at(rng, placement.hired_on - dt.timedelta(days=6))))
                enrolment = placement.enrolment
                if placement.hired_on < self.today:
                    decided = school.at(rng, placement.hired_on - dt.timedelta(days=rng.randint(1, 5)))
                    decided = school.before_now(max(decided, at + dt.timedelta(hours=1)))
                    school.application(
                        rng,
                        offer,
                        enrolment,
                        ApplicationStatus.HIRED,
                        at=at,
                        decided=decided,
                        hired_on=placement.hired_on,
                    )
                    school.hired.add(enrolment.pk)
                else:  # the hire to come: in interview today
                    decided = school.before_now(at + dt.timedelta(days=rng.randint(1, 5)))
                    school.application(
                        rng, offer, enrolment, ApplicationStatus.INTERVIEW, at=at, decided=decided
                    )
                    school.pending.add(enrolment.pk)
        self.waves = waves
        # Others were proposed to these offers and not retained.
        offers = [w["offer"] for w in waves.values()]
        for placement in placements:
            enrolment = placement.enrolment
            if enrolment.status != EnrolmentStatus.COMPLETED:
                continue
            mine = placement.hired_by.pk if placement.hired_by else None
            candidates = [o for o in offers if o.company_id != mine]
            if candidates and rng.random() < (0.15 if mine else 0.35):
                offer = rng.choice(candidates)
                at = offer.created_at + dt.timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 6))
                at = school.before_now(at)
                decided = school.before_now(at + dt.timedelta(days=rng.randint(4, 20)))
                school.application(rng, offer, enrolment, ApplicationStatus.NOT_HIRED, at=at, decided=decided)

    def closed_offer(self, placements: list[Placement]) -> None:
        """Now and then an offer closed without a hire (the post was not opened after all)."""
        rng, school = self.rng, self.school
        if rng.random() >= 0.35:
            return
        end = self.cohort.end_date
        created = school.before_now(school.at(rng, end - dt.timedelta(days=rng.randint(0, 30))))
        offer = school.offer(
            rng,
            school.host(rng),
            created_at=created,
            status=OfferStatus.CLOSED,
            contract=pick(rng, OPEN_CONTRACTS),
            start_date=end + dt.timedelta(days=rng.randint(10, 40)),
        )
        others = [
            p.enrolment
            for p in placements
            if p.enrolment.status == EnrolmentStatus.COMPLETED and p.hired_by is None
        ]
        for enrolment in rng.sample(others, min(rng.randint(0, 2), len(others))):
            at = school.before_now(created + dt.timedelta(days=rng.randint(1, 10)))
            school.application(
                rng,
                offer,
                enrolment,
                ApplicationStatus.NOT_HIRED,
                at=at,
                decided=school.before_now(at + dt.timedelta(days=rng.randint(5, 25))),
            )

    def pmsmps(self, placements: list[Placement]) -> None:
        """A few completers not hired discovered another company in a PMSMP right after the cohort,
        prescribed by the school's Mission Locale."""
        rng, school, mission = self.rng, self.school, self.ctx.mission
        start, stop = pmsmp_dates(self.cohort)
        if mission is None or stop >= self.today:
            return
        # Every school shows at least one (in its last cohort that can have them).
        force = self.cohort.pk == school.last_pmsmp_cohort and not school.pmsmps
        for placement in placements:
            enrolment = placement.enrolment
            if enrolment.status != EnrolmentStatus.COMPLETED or placement.hired_by is not None:
                continue  # (hired, or about to be)
            if not force and rng.random() >= PMSMP_SHARE:
                continue
            force = False
            school.pmsmps += 1
            exclude = placement.host.company if placement.host else None
            host = self.school.host(rng, exclude=exclude)
            pmsmp = Placement(enrolment, host=host)
            pmsmp.internship = self.write_internship(
                pmsmp,
                InternshipKind.PMSMP,
                start,
                stop,
                InternshipStatus.FINISHED,
                prescriber=mission,
                host=host,
            )
            self.evaluation(pmsmp)

    # --- evaluations ---------------------------------------------------------------

    def evaluation(self, placement: Placement) -> None:
        """The tutor's evaluation, for most internships over (and a few interrupted ones)."""
        rng, school = self.rng, self.school
        internship = placement.internship
        if internship is None or internship.status not in (
            InternshipStatus.FINISHED,
            InternshipStatus.INTERRUPTED,
        ):
            return
        if internship.end_date >= self.today:
            return  # interrupted while under way: no evaluation yet
        hired_here = placement.own and internship.kind == InternshipKind.INTERNSHIP
        is_ines = school.ines is not None and placement.enrolment.learner.user_id == school.ines.pk
        recent = (self.today - internship.end_date).days < 14
        if internship.status == InternshipStatus.INTERRUPTED:
            answered = rng.random() < 0.3
        else:
            answered = hired_here or is_ines or rng.random() < (0.5 if recent else EVALUATED)
        if not answered and internship.status == InternshipStatus.INTERRUPTED:
            return  # no evaluation asked
        requested = school.at(rng, internship.end_date - dt.timedelta(days=rng.randint(0, 3)))
        evaluation = Evaluation(
            internship=internship,
            nonce=f"{rng.getrandbits(128):032x}",
            expires_at=requested + dt.timedelta(days=LINK_DAYS),
        )
        self.plan.evaluations.append(evaluation)
        if not answered:
            return  # the link was sent, the tutor has not answered (yet)
        profile = placement.profile
        if hired_here:
            profile = "hired"
        evaluation.submitted_at = school.before_now(
            max(
                school.at(rng, internship.end_date + dt.timedelta(days=rng.randint(0, 9))),
                requested + dt.timedelta(hours=2),
            )
        )
        evaluation.tutor_name = internship.tutor.full_name
        evaluation.attendance = pick(rng, ATTENDANCE[profile])
        evaluation.soft_skills = {key: pick(rng, RATINGS[profile]).value for key in SOFT_SKILLS}
        evaluation.outcome = (
            EvaluationOutcome.COMPLETED
            if internship.status == InternshipStatus.FINISHED
            else EvaluationOutcome.PARTIAL
        )
        if hired_here:
            evaluation.wants_to_hire, evaluation.hired_contract = (
                True,
                self.waves[placement.hired_by.pk]["contract"],
            )
        elif internship.status == InternshipStatus.INTERRUPTED:
            evaluation.wants_to_hire = False
        else:
            evaluation.wants_to_hire = pick(rng, {True: 8, False: 55, None: 37})
        ratings = list(evaluation.soft_skills.values())
        low = sum(r in (Rating.INSUFFICIENT, Rating.FAIR) for r in ratings)
        tone = "poor" if low >= 3 else "fair" if low >= 1 else "good"
        evaluation.comment = rng.choice(COMMENTS[tone]) if rng.random() < 0.8 else ""
        evaluation.ip_address = f"{rng.choice(IP_PREFIXES)}{rng.randint(1, 254)}"
        # The skills seen on site, among the internship's objectives (up to the day they left).
        enrolment = placement.enrolment
        observed_on = min(internship.end_date, timezone.localdate(evaluation.submitted_at))
        if enrolment.status == EnrolmentStatus.DROPPED_OUT and enrolment.end_date:
            observed_on = min(observed_on, enrolment.end_date)
        for skill in self.plan.goals[id(internship)]:
            if rng.random() < 0.8:
                self.plan.observed.append(
                    (evaluation, internship, skill, pick(rng, TUTOR_LEVELS), observed_on)
                )
        self.tutor_survey(placement, evaluation)

    def tutor_survey(self, placement: Placement, evaluation: Evaluation) -> None:
        """As `internships.services.evaluation_submit` does: the company's satisfaction survey sent
        by signed link to the tutor who has just evaluated, once per tutor and cohort; about six in
        ten answered within a week. Its own random stream (the evaluation's nonce): the rest of the
        demo draws the same numbers as without it."""
        tutor, cohort = placement.internship.tutor, placement.enrolment.cohort
        email = (tutor.email or "").strip().lower()
        if not email or not tutor.full_name.strip() or (cohort.pk, email) in self.plan.tutors_invited:
            return
        self.plan.tutors_invited.add((cohort.pk, email))
        rng = random.Random(evaluation.nonce)
        at = evaluation.submitted_at
        invitation = SurveyInvitation(
            school=cohort.school,
            cohort=cohort,
            audience=Audience.TUTOR,
            questionnaire_version=TUTOR_QUESTIONNAIRE.version,
            nonce="".join(rng.choices(NONCE_CHARACTERS, k=12)),
            addressee=tutor.full_name.split()[0],
            respondent_name=tutor.full_name,
            email=email,
            created_at=at,
            expires_at=at + link_validity(),
            sent_at=at + dt.timedelta(minutes=2),
        )
        self.plan.tutor_surveys.append(invitation)
        answered_at = at + dt.timedelta(hours=rng.randint(1, 7 * 24))
        if rng.random() >= 0.6 or answered_at >= timezone.now():
            return
        invitation.answered_at = answered_at
        overall = rng.choices([4, 3, 2, 1], weights=[45, 40, 12, 3])[0]
        for question in TUTOR_QUESTIONNAIRE.questions:
            if question.kind == QuestionKind.SCALE:
                value = overall if question.role else min(max(overall + rng.choice([-1, 0, 0, 1]), 1), 4)
                self.plan.tutor_answers.append(
                    (invitation, SurveyAnswer(question=question.code, value=value))
                )
            elif question.kind == QuestionKind.YES_NO:
                answer = SurveyAnswer(question=question.code, value=int(overall >= 3))
                self.plan.tutor_answers.append((invitation, answer))
            elif rng.random() < 0.4:
                answer = SurveyAnswer(question=question.code, text=rng.choice(TUTOR_COMMENTS))
                self.plan.tutor_answers.append((invitation, answer))


def demo_internship_counts(network) -> dict[str, int]:
    """What the demo command reports."""
    internships = Internship.objects.filter(enrolment__cohort__school__network=network)
    offers = Offer.objects.filter(company__network=network)
    applications = Application.objects.filter(offer__company__network=network)
    return {
        "sites d'entreprise": CompanySite.objects.filter(company__network=network).count(),
        "stages": internships.filter(kind=InternshipKind.INTERNSHIP).count(),
        "PMSMP": internships.filter(kind=InternshipKind.PMSMP).count(),
        "évaluations de tuteurs": TutorEvaluation.objects.filter(
            internship__in=internships, submitted_at__isnull=False
        ).count(),
        "offres": offers.count(),
        "offres ouvertes": offers.filter(status=OfferStatus.OPEN).count(),
        "candidatures": applications.count(),
        "embauches": applications.filter(status=ApplicationStatus.HIRED).count(),
    }
