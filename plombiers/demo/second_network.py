"""A second, small network on the same instance (DEMO.md, « Réseau Fibres du Sud »): a federation hosts
its members, and each sees nothing of another's. Two schools (Perpignan, Bastia), their teams and
partners, the network's own barrier category and its directory of partner services, and one ongoing
cohort per school with a handful of young people. Idempotent, like the rest of the demo."""

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment
from plombiers.frameworks.models import Framework
from plombiers.network.enums import OrganisationCategory as Cat
from plombiers.network.enums import OrganisationKind as Kind
from plombiers.network.enums import SchoolStatus
from plombiers.network.models import Commune, Network, Partnership, School, Trade
from plombiers.network.trades import default_trades_ensure
from plombiers.referrals.enums import Diploma, ReferralStatus
from plombiers.referrals.models import Learner, Referral, identity_key
from plombiers.support.enums import DEFAULT_CATEGORIES, default_categories_ensure
from plombiers.support.models import BarrierCategory, PartnerService

from .network import FIBRE, Builder

SECOND_NETWORK = "demo-sud"
SECOND_NETWORK_NAME = "Réseau Fibres du Sud"  # DEMO.md

# (town, INSEE code, opening date)
SCHOOLS = [("Perpignan", "66136", dt.date(2023, 9, 4)), ("Bastia", "2B033", dt.date(2024, 9, 2))]

# Its accounts: (e-mail, first name, role, scope: "network" or the school's town, lower case)
ACCOUNTS = [
    ("reseau.sud@plombiers.example", "Lucie", Role.NETWORK_STAFF, "network"),
    ("direction.perpignan@plombiers.example", "Jordi", Role.SCHOOL_MANAGER, "perpignan"),
    ("formation.perpignan@plombiers.example", "Marta", Role.TRAINER, "perpignan"),
    ("accompagnement.perpignan@plombiers.example", "Nuria", Role.SOCIAL_WORKER, "perpignan"),
    ("direction.bastia@plombiers.example", "Paul-Antoine", Role.SCHOOL_MANAGER, "bastia"),
    ("formation.bastia@plombiers.example", "Ghjulia", Role.TRAINER, "bastia"),
]

# The network's own barrier category: shown on its pages only (support.BarrierCategory.network).
OWN_CATEGORY = ("insularite", "Insularité et coût des trajets")
LEARNERS_PER_SCHOOL = 4
FIRST_NAMES = ["Enzo", "Lina", "Matteo", "Yasmine", "Noa", "Ilyes", "Sarah", "Théo"]
LAST_NAMES = ["Puig", "Santoni", "Martinez", "Casanova", "Ferrer", "Luciani", "Benali", "Costa"]


@dataclass
class SecondNetwork:
    network: Network
    schools: dict[str, School]
    users: dict[str, User]


class SecondNetworkBuilder(Builder):
    """Reuses the first network's builder for organisations and accounts (its own random stream)."""

    def __init__(self, seed: int = 2017):
        super().__init__(seed + 1)

    def build(self) -> SecondNetwork:
        fake = self.fake
        network, _ = Network.objects.get_or_create(
            slug=SECOND_NETWORK, defaults={"name": SECOND_NETWORK_NAME}
        )
        default_trades_ensure(Trade)
        default_categories_ensure(BarrierCategory)
        BarrierCategory.objects.get_or_create(
            code=OWN_CATEGORY[0],
            defaults={"network": network, "name": OWN_CATEGORY[1], "position": len(DEFAULT_CATEGORIES)},
        )
        categories = list(BarrierCategory.objects.of_network(network.pk))
        trade = Trade.objects.get(slug=FIBRE)
        framework = Framework.objects.current_for(trade)
        today = timezone.localdate()
        schools: dict[str, School] = {}
        for town, insee, opened_on in SCHOOLS:
            commune = Commune.objects.select_related("departement__region").get(insee_code=insee, kind="COM")
            holder = self.organisation(
                network,
                Kind.PROJECT_HOLDER,
                f"Association Bâtir {town}",
                commune,
                Cat.INSERTION_ASSOCIATION,
                nda=self.nda(town, commune),
            )
            slug = f"sud-{commune.search_name.replace(' ', '-')}"
            school, _ = School.objects.get_or_create(
                slug=slug,
                defaults={
                    "network": network,
                    "name": f"École Sud {town}",
                    "trade": trade,
                    "commune": commune,
                    "address": fake.street_address(),
                    "status": SchoolStatus.OPEN,
                    "opened_on": opened_on,
                    "default_cohort_capacity": trade.default_cohort_capacity,
                    "project_holder": holder,
                    "email": f"{slug}@plombiers.example",
                    "phone": fake.phone_number(),
                },
            )
            schools[town.lower()] = school
            prescriber = self.organisation(
                network, Kind.PRESCRIBER, f"Mission Locale Littoral {town}", commune, Cat.MISSION_LOCALE
            )
            service = self.organisation(network, Kind.SOCIAL_SERVICE, f"Maison des jeunes {town}", commune)
            partner_service, created = PartnerService.objects.get_or_create(
                organisation=service, defaults={"description": "Accueil, logement, mobilité, santé."}
            )
            if created:
                partner_service.categories.set(categories)
            partners = [
                holder,
                prescriber,
                service,
                self.organisation(network, Kind.COMPANY, f"Fibre {town} {fake.last_name()}", commune),
                self.organisation(
                    network,
                    Kind.FUNDER,
                    f"Collectivité — {commune.departement.name}",
                    None,
                    Cat.LOCAL_AUTHORITY,
                ),
            ]
            for organisation in partners:
                Partnership.objects.get_or_create(
                    school=school, organisation=organisation, defaults={"since": opened_on}
                )
            self.cohort(school, framework, prescriber, today)
        users = {}
        for email, first_name, role, scope in ACCOUNTS:
            user = self.user(email, first_name, fake.last_name())
            where = {"network": network} if scope == "network" else {"school": schools[scope]}
            Membership.objects.get_or_create(user=user, role=role, **where)
            users[email] = user
        return SecondNetwork(network=network, schools=schools, users=users)

    def cohort(self, school: School, framework, prescriber, today: dt.date) -> None:
        """One ongoing cohort, started six weeks ago, and its young people, referred and admitted
        (their own random stream: the other draws stay the same whether it runs or not)."""
        if Cohort.objects.filter(school=school).exists():
            return
        rng = random.Random(f"{self.seed}:{school.slug}")
        start = today - dt.timedelta(days=42)
        cohort = Cohort.objects.create(
            school=school,
            trade=school.trade,
            name=f"Promotion {start.year}-1",
            start_date=start,
            end_date=start + dt.timedelta(days=7 * 26),
            capacity=school.default_cohort_capacity,
            framework=framework,
            status=CohortStatus.ONGOING,
        )
        for _index in range(LEARNERS_PER_SCHOOL):
            first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            birth_date = start - dt.timedelta(days=365 * rng.randint(18, 24) + rng.randint(0, 364))
            learner = Learner.objects.create(
                school=school,
                first_name=first_name,
                last_name=last_name,
                birth_date=birth_date,
                commune=school.commune,
                highest_diploma=Diploma.NONE,
                is_neet=True,
                neet_since=start - dt.timedelta(days=200),
                identity_key=identity_key(last_name=last_name, first_name=first_name, birth_date=birth_date),
            )
            referral = Referral.objects.create(
                learner=learner,
                school=school,
                prescriber_organisation=prescriber,
                motivation="Envie d'un métier de terrain, en extérieur.",
                referred_on=start - dt.timedelta(days=30),
                status=ReferralStatus.ADMITTED,
                status_changed_at=timezone.now() - dt.timedelta(days=45),
            )
            Enrolment.objects.create(
                learner=learner,
                cohort=cohort,
                referral=referral,
                status=EnrolmentStatus.ACTIVE,
                entry_date=start,
            )


def second_network_counts(network: Network) -> dict[str, int]:
    return {
        "écoles": network.schools.count(),
        "jeunes": Learner.objects.filter(school__network=network).count(),
        "comptes": Membership.objects.filter(network=network).count()
        + Membership.objects.filter(school__network=network).count(),
    }
