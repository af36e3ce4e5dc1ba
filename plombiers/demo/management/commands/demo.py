import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from plombiers.accounts.models import User
from plombiers.cohorts.models import Cohort
from plombiers.demo.alerts import AlertsBuilder, demo_alert_counts
from plombiers.demo.attendance import AttendanceBuilder, demo_attendance_counts
from plombiers.demo.catalogue import CatalogueBuilder
from plombiers.demo.credentials import CredentialsBuilder, demo_credential_counts
from plombiers.demo.funding import FundingBuilder, demo_funding_counts
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.internships import InternshipsBuilder, demo_internship_counts
from plombiers.demo.network import ACCOUNTS, DEMO_PASSWORD, Builder
from plombiers.demo.outcomes import OutcomesBuilder, demo_outcome_counts
from plombiers.demo.second_network import ACCOUNTS as SECOND_ACCOUNTS
from plombiers.demo.second_network import SECOND_NETWORK, SecondNetworkBuilder, second_network_counts
from plombiers.demo.skills import SkillsBuilder
from plombiers.demo.support import SupportBuilder, demo_support_counts
from plombiers.demo.surveys import SurveysBuilder
from plombiers.demo.webhooks import WebhooksBuilder, demo_webhook_counts
from plombiers.frameworks.loader import frameworks_load
from plombiers.impact import rollup
from plombiers.network.communes import communes_load
from plombiers.network.initialisation import not_migrated
from plombiers.network.models import Commune, Network
from plombiers.referrals.models import Learner, Referral
from plombiers.skills.models import Evidence, Observation

DEMO_NETWORK = "demo"
DEMO_NETWORKS = {DEMO_NETWORK, SECOND_NETWORK}  # the demo's two networks on one instance
DEMO_EMAIL_DOMAIN = "@plombiers.example"


def refuse_foreign_database() -> None:
    """The demo writes accounts whose password is published: never in production, never into a
    database that holds anything it did not write itself (a real network, an operator's account,
    the benchmark's national network)."""
    if settings.PRODUCTION:
        raise CommandError(
            "La démonstration refuse le mode production (PLOMBIERS_ENV=production) : elle crée des "
            "comptes dont le mot de passe est publié."
        )
    refusal = not_migrated()
    if refusal:
        raise CommandError(refusal)
    networks = list(Network.objects.exclude(slug__in=DEMO_NETWORKS).values_list("name", flat=True)[:3])
    # The demo's addresses, the schools' teams' included (school-manager.0@limoges.plombiers.example).
    demo_addresses = Q(email__endswith=DEMO_EMAIL_DOMAIN) | Q(email__endswith=".plombiers.example")
    users = list(User.objects.exclude(demo_addresses).values_list("email", flat=True)[:3])
    if networks or users:
        found = [f"réseau « {name} »" for name in networks] + [f"compte {email}" for email in users]
        raise CommandError(
            "La démonstration refuse cette base : elle contient des données qu'elle n'a pas créées ("
            + ", ".join(found)
            + "). Lancer la démonstration sur une base neuve (PLOMBIERS_DATA_DIR ou DATABASE_URL)."
        )


class Command(BaseCommand):
    help = "Charge le réseau de démonstration (idempotent : le relancer ne change rien)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2017)

    def handle(self, *args, seed, **options):
        refuse_foreign_database()
        start = time.perf_counter()
        if Commune.objects.count() < 30000:
            self.stdout.write("Chargement des communes…")
            communes_load()
        with transaction.atomic():
            demo = Builder(seed).build()
            frameworks_load()  # the cohorts are tied to their trade's framework
            IntakeBuilder(seed).build(demo)
            SkillsBuilder(seed).build(demo)
            SupportBuilder(seed).build(demo)
            AttendanceBuilder(seed).build(demo)
            AlertsBuilder(seed).build(demo)
            SurveysBuilder(seed).build(demo)
            InternshipsBuilder(seed).build(demo)
            CredentialsBuilder(seed).build(demo)
            OutcomesBuilder(seed).build(demo)
            FundingBuilder(seed).build(demo)
            WebhooksBuilder(seed).build(demo)
            CatalogueBuilder(seed).build(demo)
            second = SecondNetworkBuilder(seed).build()
        # The dashboards read the rollup once a complete run exists, then every write keeps it.
        run = rollup.refresh()
        self.stdout.write(f"Indicateurs consolidés : {run.rows} lignes en {run.seconds:.1f} s.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Réseau « {demo.network.name} » : {len(demo.schools)} écoles, prêt en "
                f"{time.perf_counter() - start:.1f} s."
            )
        )
        cohorts = Cohort.objects.filter(school__network=demo.network)
        self.stdout.write(
            f"Historique : {cohorts.count()} promotions, "
            f"{Learner.objects.filter(referrals__school__network=demo.network).distinct().count()} jeunes, "
            f"{Referral.objects.filter(school__network=demo.network).count()} prescriptions, "
            f"{Observation.objects.filter(enrolment__cohort__school__network=demo.network).count()} observations, "
            f"{Evidence.objects.filter(observation__enrolment__cohort__school__network=demo.network).count()} preuves."
        )
        support = demo_support_counts(demo.network)
        self.stdout.write(
            "Accompagnement : " + ", ".join(f"{n} {label}" for label, n in support.items()) + "."
        )
        attendance = demo_attendance_counts(demo.network)
        self.stdout.write(
            "Émargement : " + ", ".join(f"{n} {label}" for label, n in attendance.items()) + "."
        )
        alerts = demo_alert_counts(demo.network)
        self.stdout.write(
            "Alertes de décrochage : " + ", ".join(f"{n} {label}" for label, n in alerts.items()) + "."
        )
        placements = demo_internship_counts(demo.network)
        self.stdout.write(
            "Stages et emploi : " + ", ".join(f"{n} {label}" for label, n in placements.items()) + "."
        )
        credentials = demo_credential_counts(demo.network)
        self.stdout.write(
            "Attestations de compétences : "
            + ", ".join(f"{n} {label}" for label, n in credentials.items())
            + "."
        )
        outcomes = demo_outcome_counts(demo.network)
        self.stdout.write(
            "Sorties et suivis : " + ", ".join(f"{n} {label}" for label, n in outcomes.items()) + "."
        )
        funding = demo_funding_counts(demo.network)
        self.stdout.write("Financements : " + ", ".join(f"{n} {label}" for label, n in funding.items()) + ".")
        webhooks = demo_webhook_counts(demo.network)
        self.stdout.write("Webhooks : " + ", ".join(f"{n} {label}" for label, n in webhooks.items()) + ".")
        self.stdout.write(
            f"Second réseau « {second.network.name} » : "
            + ", ".join(f"{n} {label}" for label, n in second_network_counts(second.network).items())
            + " ; il ne voit rien du premier, ni le premier de lui."
        )
        self.stdout.write(f"Comptes de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
        for email, first_name, role, _scope in ACCOUNTS:
            self.stdout.write(f"  {email:40} {first_name} — {role.label}")
        self.stdout.write("Second réseau :")
        for email, first_name, role, _scope in SECOND_ACCOUNTS:
            self.stdout.write(f"  {email:40} {first_name} — {role.label}")
