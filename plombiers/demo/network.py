"""The demo network of DEMO.md: 18 schools in real towns, fictional structures and people."""

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from faker import Faker

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.network.enums import OrganisationCategory as Cat
from plombiers.network.enums import OrganisationKind as Kind
from plombiers.network.enums import SchoolStatus
from plombiers.network.models import Commune, Network, Organisation, Partnership, School, Trade
from plombiers.network.trades import default_trades_ensure

DEMO_PASSWORD = "demo-plombiers"  # noqa: S105 — the public password of the demo accounts
FIBRE, DATACENTER = "fibre-optique", "technicien-data-center"

# (town, INSEE code, trade, opening date)
SCHOOLS = [
    ("Chelles", "77108", FIBRE, dt.date(2017, 9, 4)),
    ("Montpellier", "34172", FIBRE, dt.date(2018, 3, 5)),
    ("Vaulx-en-Velin", "69256", FIBRE, dt.date(2018, 10, 1)),
    ("Roubaix", "59512", DATACENTER, dt.date(2019, 1, 7)),
    ("Toulouse", "31555", FIBRE, dt.date(2019, 3, 4)),
    ("Bordeaux", "33063", FIBRE, dt.date(2019, 9, 2)),
    ("Saint-Denis", "93066", DATACENTER, dt.date(2020, 1, 6)),
    ("Nantes", "44109", FIBRE, dt.date(2020, 9, 7)),
    ("Rennes", "35238", FIBRE, dt.date(2020, 10, 5)),
    ("Tourcoing", "59599", FIBRE, dt.date(2021, 3, 1)),
    ("Strasbourg", "67482", FIBRE, dt.date(2021, 9, 6)),
    ("Marseille", "13055", DATACENTER, dt.date(2022, 1, 10)),
    ("Clermont-Ferrand", "63113", FIBRE, dt.date(2022, 3, 7)),
    ("Dijon", "21231", FIBRE, dt.date(2022, 9, 5)),
    ("Rouen", "76540", FIBRE, dt.date(2023, 3, 6)),
    ("Metz", "57463", FIBRE, dt.date(2023, 9, 4)),
    ("Limoges", "87085", FIBRE, dt.date(2024, 1, 8)),
    ("Nîmes", "30189", FIBRE, dt.date(2024, 9, 2)),
]

# The accounts of DESIGN.md: (e-mail, first name, role, scope key)
ACCOUNTS = [
    ("reseau@plombiers.example", "Claire", Role.NETWORK_STAFF, "network"),
    ("direction@plombiers.example", "Karim", Role.SCHOOL_MANAGER, "chelles"),
    ("formation@plombiers.example", "Sophie", Role.TRAINER, "chelles"),
    ("accompagnement@plombiers.example", "Nadia", Role.SOCIAL_WORKER, "chelles"),
    ("formation.roubaix@plombiers.example", "Julien", Role.TRAINER, "roubaix"),
    ("prescription@plombiers.example", "Thomas", Role.PRESCRIBER, "mission_locale_chelles"),
    ("financeur@plombiers.example", "Fondation", Role.FUNDER, "demo_funder"),
    ("jeune@plombiers.example", "Inès", Role.LEARNER, "chelles"),
]

PROJECT_HOLDER_KINDS = [
    (Cat.E2C, "École de la 2e Chance {area}"),
    (Cat.APPRENTIS_AUTEUIL, "Apprentis d'Auteuil — établissement {area}"),
    (Cat.INSERTION_ASSOCIATION, "Association {name} Insertion"),
]
FIBRE_COMPANIES = [
    "{name} Fibre Services",
    "Réseaux {name}",
    "{name} Télécom",
    "{name} Raccordement",
    "THD {name}",
]
DC_COMPANIES = ["{name} Datacenters", "{name} Hosting", "Salles Blanches {name}", "{name} Infogérance"]
SOCIAL_SERVICES = [
    "Foyer de jeunes travailleurs {name}",
    "Plateforme mobilité {area}",
    "Point santé jeunes {area}",
    "Point-justice {area}",
    "Centre social {name}",
]
NATIONAL_FUNDERS = [
    ("Fondation Connexions Solidaires", Cat.FOUNDATION),
    ("Fonds de dotation Fibre & Avenir", Cat.ENDOWMENT_FUND),
    ("Fondation Numérique pour Tous", Cat.FOUNDATION),
    ("Fonds Hébergeurs Responsables", Cat.ENDOWMENT_FUND),
]


@dataclass
class DemoNetwork:
    network: Network
    schools: dict[str, School]
    users: dict[str, User]


class Builder:
    def __init__(self, seed: int = 2017):
        self.seed = seed
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)
        self.password_hash = make_password(DEMO_PASSWORD)

    def organisation(self, network, kind, name, commune, category="", **extra) -> Organisation:
        organisation, created = Organisation.objects.get_or_create(
            network=network,
            kind=kind,
            name=name,
            defaults={
                "category": category,
                "commune": commune,
                "siret": self.fake.siret().replace(" ", ""),
                "address": self.fake.street_address(),
                "email": f"contact@{self.fake.domain_word()}.example",
                "phone": self.fake.phone_number(),
                **extra,
            },
        )
        # Faker is called whether or not the row exists, so that a second run draws the same names.
        contact = {
            "full_name": self.fake.name(),
            "email": f"{self.fake.user_name()}@{self.fake.domain_word()}.example",
            "phone": self.fake.phone_number(),
        }
        job_titles = {
            Kind.COMPANY: "Responsable d'exploitation",
            Kind.PRESCRIBER: "Conseiller·ère en insertion",
            Kind.SOCIAL_SERVICE: "Travailleur·euse social·e",
        }
        if created and kind in job_titles:
            organisation.contacts.create(job_title=job_titles[kind], **contact)
        return organisation

    def user(self, email, first_name, last_name) -> User:
        user, _created = User.objects.get_or_create(
            email=email,
            defaults={"first_name": first_name, "last_name": last_name, "password": self.password_hash},
        )
        return user

    def nearby(self, commune: Commune, n: int) -> list[Commune]:
        """n communes of the same département, the big ones first, picked deterministically."""
        candidates = list(
            Commune.objects.filter(departement=commune.departement, kind=Commune.Kind.COMMUNE)
            .exclude(pk=commune.pk)
            .order_by("-population", "insee_code")[:25]
        )
        return [commune, *self.rng.sample(candidates, min(n, len(candidates)))]

    def build(self) -> DemoNetwork:
        fake, rng = self.fake, self.rng
        network, _ = Network.objects.get_or_create(
            slug="demo", defaults={"name": "Réseau Plombiers — démonstration"}
        )
        default_trades_ensure(Trade)
        trades = {t.slug: t for t in Trade.objects.all()}
        opco = self.organisation(
            network,
            Kind.OPCO,
            "OPCO Réseaux & Services (fictif)",
            Commune.objects.get(insee_code="75056", kind="COM"),
        )
        funders = [
            self.organisation(network, Kind.FUNDER, name, None, category)
            for name, category in NATIONAL_FUNDERS
        ]
        schools: dict[str, School] = {}
        for town, insee, trade_slug, opened_on in SCHOOLS:
            commune = Commune.objects.select_related("departement__region").get(insee_code=insee, kind="COM")
            around = self.nearby(commune, 4)
            category, pattern = PROJECT_HOLDER_KINDS[len(schools) % len(PROJECT_HOLDER_KINDS)]
            holder = self.organisation(
                network,
                Kind.PROJECT_HOLDER,
                pattern.format(area=town, name=fake.last_name()),
                commune,
                category,
                nda=self.nda(town, commune),
            )
            if not holder.nda:  # a demo loaded before the numbers were added
                holder.nda = self.nda(town, commune)
                holder.save(update_fields=["nda"])
            trade = trades[trade_slug]
            slug = f"plombiers-{commune.search_name.replace(' ', '-')}"
            school, _ = School.objects.get_or_create(
                slug=slug,
                defaults={
                    "network": network,
                    "name": f"Plombiers {town}",
                    "trade": trade,
                    "commune": commune,
                    "address": fake.street_address(),
                    "status": SchoolStatus.OPEN,
                    "opened_on": opened_on,
                    "default_cohort_capacity": trade.default_cohort_capacity,
                    "project_holder": holder,
                    "platform_description": _platform(trade_slug),
                    "email": f"{slug}@plombiers.example",
                    "phone": fake.phone_number(),
                },
            )
            schools[town.lower()] = school
            partners = [holder, opco]
            company_patterns = FIBRE_COMPANIES if trade_slug == FIBRE else DC_COMPANIES
            for pattern in rng.sample(company_patterns, rng.randint(2, min(5, len(company_patterns)))):
                partners.append(
                    self.organisation(
                        network, Kind.COMPANY, pattern.format(name=fake.last_name()), rng.choice(around)
                    )
                )
            local_funder = self.organisation(
                network,
                Kind.FUNDER,
                f"Conseil départemental — {commune.departement.name}",
                None,
                Cat.LOCAL_AUTHORITY,
            )
            partners += [*rng.sample(funders[1:], rng.randint(0, 2)), local_funder]
            partners += [
                self.organisation(
                    network, Kind.PRESCRIBER, f"Mission Locale Horizon {town}", commune, Cat.MISSION_LOCALE
                ),
                self.organisation(
                    network,
                    Kind.PRESCRIBER,
                    f"France Travail — agence {town} {fake.last_name()}",
                    rng.choice(around),
                    Cat.FRANCE_TRAVAIL,
                ),
                self.organisation(
                    network, Kind.PRESCRIBER, f"Service ASE — secteur {town}", commune, Cat.ASE
                ),
            ]
            if category != Cat.E2C:
                partners.append(
                    self.organisation(
                        network,
                        Kind.PRESCRIBER,
                        f"E2C Cap Avenir {commune.departement.name}",
                        rng.choice(around),
                        Cat.E2C,
                    )
                )
            for pattern in rng.sample(SOCIAL_SERVICES, rng.randint(2, 4)):
                partners.append(
                    self.organisation(
                        network,
                        Kind.SOCIAL_SERVICE,
                        pattern.format(name=fake.last_name(), area=town),
                        rng.choice(around),
                    )
                )
            for organisation in partners:
                Partnership.objects.get_or_create(
                    school=school, organisation=organisation, defaults={"since": opened_on}
                )
            self.school_team(school)

        # The demo funder funds the Chelles and Montpellier platforms.
        for town in ("chelles", "montpellier"):
            Partnership.objects.get_or_create(
                school=schools[town], organisation=funders[0], defaults={"since": schools[town].opened_on}
            )
        scopes = {
            "network": {"network": network},
            "chelles": {"school": schools["chelles"]},
            "roubaix": {"school": schools["roubaix"]},
            "mission_locale_chelles": {
                "organisation": Organisation.objects.get(
                    network=network, name="Mission Locale Horizon Chelles"
                )
            },
            "demo_funder": {"organisation": funders[0]},
        }
        users = {}
        for email, first_name, role, scope in ACCOUNTS:
            user = self.user(email, first_name, fake.last_name())
            Membership.objects.get_or_create(user=user, role=role, **scopes[scope])
            users[email] = user
        return DemoNetwork(network=network, schools=schools, users=users)

    def nda(self, town: str, commune: Commune) -> str:
        """A fictional « numéro de déclaration d'activité »: region, département, number, département
        (its own random stream, so that the other draws of the demo stay the same)."""
        number = random.Random(f"{self.seed}:nda:{town}").randint(1000, 99999)
        departement = commune.departement.code[:2]
        return f"{commune.departement.region.code[:2]:0>2}{departement}{number:05d}{departement}"

    def school_team(self, school: School) -> None:
        """A manager, one or two trainers and a social worker per school (the Chelles ones are named)."""
        if school.slug == "plombiers-chelles":
            return
        domain = f"{school.slug.removeprefix('plombiers-')}.plombiers.example"
        roles = [Role.SCHOOL_MANAGER, Role.TRAINER, Role.SOCIAL_WORKER]
        if school.default_cohort_capacity > 8 or self.rng.random() < 0.5:
            roles.append(Role.TRAINER)
        for index, role in enumerate(roles):
            first, last = self.fake.first_name(), self.fake.last_name()
            email = f"{role.value.replace('_', '-')}.{index}@{domain}"
            user = self.user(email, first, last)
            Membership.objects.get_or_create(user=user, role=role, school=school)


def _platform(trade_slug: str) -> str:
    if trade_slug == FIBRE:
        return (
            "Chambres de tirage, poteaux et façade d'immeuble reconstitués ; soudeuses, "
            "réflectomètre (OTDR), photomètres, points de branchement (PBO) "
            "et prises terminales (PTO) pour s'entraîner au geste."
        )
    return (
        "Salle de baies avec allées chaude et froide, serveurs et baies de stockage de réforme, "
        "câblage cuivre et fibre, outillage ESD, plateforme de tickets pour les interventions."
    )
