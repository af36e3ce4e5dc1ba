"""The social support of the demo: a directory of partner services, diagnoses, plans, journals.

Around each school, the social services of the network (`network.py`) get the barrier categories
their name says they handle; where a category still has no service within 30 km of a school, one
more fictional service is opened in the school's town. Then, for the young people of every
finished or ongoing cohort: about two in three arrive with at least one barrier (mobility and
housing first), diagnosed at entry or in the first weeks, « à surveiller » or « bloquant »; many
are lifted during the programme (lifted inside the cohort, never in the future); each barrier has
its actions with a nearby partner service, whose status follows the dates (done before a barrier
was lifted, abandoned when the young person left, planned or under way when due later); the
journal holds the entry interview and what followed, a minority of it confidential; the two
consents are recorded at entry. Inès (DEMO.md) has her own story.

Rows are written with `bulk_create` (the texts are encrypted by the model field on the way in);
each school and cohort draws from its own random stream, so that the same seed and day give the
same demo, and a second run finds the rows and changes nothing.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from faker import Faker

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment
from plombiers.network.enums import OrganisationKind as Kind
from plombiers.network.models import Organisation, Partnership, School
from plombiers.support.enums import (
    ActionStatus,
    BarrierLevel,
    ConsentScope,
    EntryKind,
    Visibility,
    default_categories_ensure,
)
from plombiers.support.models import Action, Barrier, BarrierCategory, Consent, JournalEntry, PartnerService
from plombiers.support.services import distance_km

from .network import DemoNetwork
from .skills import keep_created_at

INES = "jeune@plombiers.example"
NADIA = "accompagnement@plombiers.example"
RADIUS_KM = 30

# The social services of `network.py`, by the start of their name: the barriers they handle.
SERVICE_KINDS = [
    ("Foyer de jeunes travailleurs", ["logement"], "Logements meublés pour les 16-30 ans, aide aux dossiers APL."),
    ("Plateforme mobilité", ["mobilite"], "Permis accompagné, location de scooters, aide au financement du permis."),
    ("Point santé jeunes", ["sante"], "Consultations gratuites, bilan de santé, écoute psychologique."),
    ("Point-justice", ["justice", "administratif"], "Permanences d'avocats et de juristes, accès au droit."),
    ("Centre social", ["finances", "famille", "numerique", "francais"],
     "Aide au budget, modes de garde, ateliers numériques, cours de français."),
]  # fmt: skip
# Opened in the school's town when a category has no service within 30 km (first that fits).
EXTRA_SERVICES = [
    ("Résidence Habitat Jeunes {town}", ["logement"], "Hébergement temporaire et accompagnement au logement."),
    ("Garage solidaire et auto-école sociale {town}", ["mobilite"], "Permis à prix solidaire, réparation à bas coût."),
    ("Centre de santé {town}", ["sante"], "Médecins, infirmières et psychologue, sans avance de frais."),
    ("Maison France Services {town}", ["administratif", "numerique"],
     "Aide aux démarches en ligne : CAF, impôts, titres de séjour, France Travail."),
    ("Conseil départemental de l'accès au droit — permanence {town}", ["justice", "administratif"],
     "Rendez-vous gratuits avec un juriste ou un avocat."),
    ("Espace solidarité {town}", ["finances", "famille", "francais", "numerique"],
     "Épicerie solidaire, micro-crédit, relais petite enfance, ateliers de français."),
]  # fmt: skip

CATEGORY_WEIGHTS = {
    "mobilite": 30, "logement": 22, "finances": 14, "administratif": 10, "sante": 8,
    "famille": 7, "numerique": 6, "francais": 5, "justice": 3,
}  # fmt: skip
SUMMARIES = {
    "logement": [
        "Hébergé·e chez un ami, doit partir à la fin du mois.",
        "Vit chez ses parents dans un logement surpeuplé, pas d'endroit calme.",
        "Hébergement d'urgence, change de lieu chaque semaine.",
        "Loyer impayé depuis deux mois, risque d'expulsion.",
    ],
    "mobilite": [
        "Pas de permis ; plus d'une heure de transport pour venir au plateau.",
        "Permis en cours, code obtenu, pas d'argent pour les heures de conduite.",
        "Pas de solution pour les chantiers de stage hors des lignes de bus.",
        "Abonnement de transport non payé, contrôles fréquents.",
    ],
    "sante": [
        "Douleurs au dos, pas de médecin traitant.",
        "Pas de complémentaire santé, soins dentaires reportés.",
        "Fatigue importante, sommeil difficile.",
    ],
    "finances": [
        "Aucune ressource, pas encore de rémunération de stagiaire.",
        "Dettes de téléphone et d'amendes de transport.",
        "Compte bancaire bloqué.",
    ],
    "famille": [
        "Enfant de deux ans sans mode de garde.",
        "S'occupe de ses petits frères le matin.",
        "Garde alternée difficile à organiser avec les horaires de formation.",
    ],
    "administratif": [
        "Carte d'identité expirée, rendez-vous en mairie à prendre.",
        "Titre de séjour à renouveler dans trois mois.",
        "Pas de numéro de sécurité sociale à jour.",
        "Dossier CAF incomplet.",
    ],
    "francais": [
        "Lecture des consignes écrites difficile.",
        "Parle bien français, écrit avec difficulté.",
    ],
    "numerique": [
        "Pas d'ordinateur, téléphone seulement, pas d'adresse e-mail.",
        "Ne sait pas se connecter à son espace France Travail.",
    ],
    "justice": [
        "Convocation au tribunal prévue pendant la formation.",
        "Suivi par le SPIP, obligations à respecter.",
    ],
}
ACTIONS = {
    "logement": ["Dossier d'admission en foyer de jeunes travailleurs", "Demande d'aide au logement (APL) à la CAF",
                 "Rendez-vous avec le service logement de la mairie"],
    "mobilite": ["Inscription au permis B avec aide au financement", "Demande de tarif solidaire transport",
                 "Location d'un scooter à prix solidaire"],
    "sante": ["Déclaration d'un médecin traitant", "Demande de complémentaire santé solidaire",
              "Rendez-vous avec la psychologue du point santé"],
    "finances": ["Demande d'aide financière d'urgence (FAJ)", "Rendez-vous budget avec la conseillère",
                 "Ouverture d'un compte bancaire"],
    "famille": ["Recherche d'une place en crèche", "Inscription à la halte-garderie"],
    "administratif": ["Renouvellement de la carte d'identité", "Aide au dossier de titre de séjour",
                      "Mise à jour du dossier CAF"],
    "francais": ["Inscription à l'atelier de français", "Séances de remise à niveau en lecture"],
    "numerique": ["Prêt d'un ordinateur portable", "Atelier : créer son adresse e-mail et ses comptes"],
    "justice": ["Rendez-vous avec un avocat au point-justice", "Lien avec le conseiller du SPIP"],
}  # fmt: skip
FOLLOW_UPS = [
    "Rendez-vous de suivi avec le service partenaire",
    "Point sur les pièces du dossier",
    "Accompagnement physique au rendez-vous",
]
DONE_OUTCOMES = ["C'est fait.", "Dossier accepté.", "Réalisé, avec l'aide du service.", "Réponse positive."]
ABANDONED_OUTCOME = "Abandonné : le ou la jeune a quitté le parcours."
TEAM_NOTES = {
    EntryKind.INTERVIEW: [
        "Entretien d'accueil : présentation du parcours, point sur la situation et les attentes.",
        "Point d'étape : assiduité correcte, motivé·e par les gestes techniques.",
        "Entretien de bilan : ce qui a avancé, ce qu'il reste à régler avant le stage.",
    ],
    EntryKind.CALL: [
        "Appel pour un retard de deux jours : problème de transport, solution trouvée.",
        "Appel du service partenaire : le dossier est complet.",
        "Relance par téléphone pour les pièces manquantes.",
    ],
    EntryKind.VISIT: ["Visite en entreprise pendant le stage, avec le tuteur : bonne intégration."],
    EntryKind.REFERRAL: ["Orientation vers « {partner} » pour la suite des démarches."],
    EntryKind.TRIPARTITE: [
        "Point tripartite avec le ou la prescripteur·rice : parcours qui avance, prochaines étapes fixées.",
    ],
}
CONFIDENTIAL_NOTES = [
    "Confie des tensions importantes à la maison ; ne souhaite pas que l'équipe en soit informée.",
    "Évoque un suivi psychologique ancien ; orientation proposée vers une consultation gratuite.",
    "Situation de violence conjugale évoquée ; contact donné avec une association spécialisée.",
    "Problème de santé chronique détaillé ; aménagement possible des horaires à discuter.",
    "Dettes importantes liées à un proche ; accompagnement budgétaire proposé.",
]


@dataclass
class SupportPlan:
    barriers: list[Barrier] = field(default_factory=list)
    actions: list[tuple[Barrier, Action]] = field(default_factory=list)
    entries: list[JournalEntry] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class SupportBuilder:
    """Builds the directory and the support histories of the demo network (after `IntakeBuilder`)."""

    def __init__(self, seed: int = 2017):
        self.seed = seed
        self.today = timezone.localdate()

    def build(self, demo: DemoNetwork, only: set[str] | None = None) -> SupportPlan | None:
        default_categories_ensure(BarrierCategory)
        self.categories = {c.code: c for c in BarrierCategory.objects.filter(network=None)}
        self.directory(demo)
        cohorts = Cohort.objects.filter(
            school__network=demo.network, status__in=[CohortStatus.FINISHED, CohortStatus.ONGOING]
        )
        if only is not None:
            cohorts = cohorts.filter(school__in=[demo.schools[town] for town in only])
        if Barrier.objects.filter(learner__enrolments__cohort__in=cohorts).exists():
            return None
        plan = self.plan(demo, cohorts)
        self.save(plan)
        return plan

    # --- the directory ---------------------------------------------------------------

    def directory(self, demo: DemoNetwork) -> None:
        """Every social service gets its categories; every category a service within 30 km of each school."""
        self.services = None
        organisations = Organisation.objects.filter(network=demo.network, kind=Kind.SOCIAL_SERVICE)
        known = set(
            PartnerService.objects.filter(organisation__in=organisations).values_list(
                "organisation", flat=True
            )
        )
        for organisation in organisations.exclude(pk__in=known).order_by("pk"):
            for prefix, codes, description in SERVICE_KINDS:
                if organisation.name.startswith(prefix):
                    self.service(organisation, codes, description)
        fake = Faker("fr_FR")
        fake.seed_instance(f"{self.seed}:support")
        for school in demo.schools.values():
            covered = {code for nearby in self.nearby(school) for code in nearby[1]}
            for code in [c for c in CATEGORY_WEIGHTS if c not in covered]:
                if code in covered:  # an extra service opened for an earlier category handles it too
                    continue
                name, codes, description = next(e for e in EXTRA_SERVICES if code in e[1])
                organisation, _ = Organisation.objects.get_or_create(
                    network=demo.network,
                    kind=Kind.SOCIAL_SERVICE,
                    name=name.format(town=school.commune.name),
                    defaults={
                        "commune": school.commune,
                        "siret": fake.siret().replace(" ", ""),
                        "address": fake.street_address(),
                        "email": f"accueil@{fake.domain_word()}.example",
                        "phone": fake.phone_number(),
                    },
                )
                Partnership.objects.get_or_create(
                    school=school, organisation=organisation, defaults={"since": school.opened_on}
                )
                self.service(organisation, codes, description)
                covered |= set(codes)
        self.services = self.load_services(demo.network.pk)

    def service(self, organisation: Organisation, codes: list[str], description: str) -> PartnerService:
        service, created = PartnerService.objects.get_or_create(
            organisation=organisation, defaults={"description": description}
        )
        if created:
            service.categories.set([self.categories[c] for c in codes])
        return service

    def nearby(self, school: School) -> list[tuple[Organisation, set[str], float]]:
        """The services within 30 km of the school, the nearest first."""
        found = []
        for organisation, codes in self.load_services(school.network_id):
            if organisation.commune is None:
                continue
            distance = distance_km(school.commune, organisation.commune)
            if distance is not None and distance <= RADIUS_KM:
                found.append((organisation, codes, distance))
        return sorted(found, key=lambda f: (f[2], f[0].pk))

    def load_services(self, network_id: int) -> list[tuple[Organisation, set[str]]]:
        """The directory: each service and its categories (re-read while it is being completed)."""
        if getattr(self, "services", None) is not None:
            return self.services
        codes = defaultdict(set)
        for organisation_id, code in PartnerService.categories.through.objects.filter(
            partnerservice__organisation__network_id=network_id
        ).values_list("partnerservice__organisation_id", "barriercategory__code"):
            codes[organisation_id].add(code)
        organisations = Organisation.objects.filter(pk__in=codes).select_related("commune").order_by("pk")
        return [(o, codes[o.pk]) for o in organisations]

    # --- the histories ---------------------------------------------------------------

    def plan(self, demo: DemoNetwork, cohorts) -> SupportPlan:
        plan = SupportPlan()
        cohorts = list(
            cohorts.select_related("school__commune", "social_worker").order_by("school__slug", "start_date")
        )
        enrolments = defaultdict(list)
        for enrolment in (
            Enrolment.objects.filter(cohort__in=cohorts).select_related("learner").order_by("pk")
        ):
            enrolments[enrolment.cohort_id].append(enrolment)
        social_workers = defaultdict(list)
        for membership in (
            Membership.objects.filter(role=Role.SOCIAL_WORKER, school__in={c.school_id for c in cohorts})
            .select_related("user")
            .order_by("pk")
        ):
            social_workers[membership.school_id].append(membership.user)
        nearby = {}
        ines = demo.users.get(INES)
        for cohort in cohorts:
            if cohort.school_id not in nearby:
                nearby[cohort.school_id] = self.nearby(cohort.school)
            worker = cohort.social_worker or next(iter(social_workers[cohort.school_id]), None)
            rng = random.Random(f"{self.seed}:support:{cohort.school.slug}:{cohort.start_date}")
            history = CohortSupport(self, plan, cohort, worker, nearby[cohort.school_id], rng)
            for enrolment in enrolments[cohort.pk]:
                if ines is not None and enrolment.learner.user_id == ines.pk:
                    history.ines(enrolment, demo.users.get(NADIA) or worker)
                else:
                    history.learner(enrolment)
        return plan

    def save(self, plan: SupportPlan) -> None:
        with keep_created_at(Action, JournalEntry, Consent):
            Barrier.objects.bulk_create(plan.barriers)
            for barrier, action in plan.actions:
                action.barrier = barrier
            Action.objects.bulk_create([a for _, a in plan.actions])
            JournalEntry.objects.bulk_create(plan.entries)
            Consent.objects.bulk_create(plan.consents)


class CohortSupport:
    """The support of the young people of one cohort, from the cohort's own random stream."""

    def __init__(
        self, builder: SupportBuilder, plan: SupportPlan, cohort: Cohort, worker: User | None, nearby, rng
    ):
        self.builder, self.plan, self.cohort, self.worker, self.rng = builder, plan, cohort, worker, rng
        self.nearby = nearby
        self.today = builder.today
        self.categories = builder.categories

    def last_day(self, enrolment: Enrolment) -> dt.date:
        """The last day something can have happened: the end of the path, never after yesterday."""
        end = enrolment.end_date or self.cohort.end_date
        return min(end, self.today - dt.timedelta(days=1))

    def day(self, a: dt.date, b: dt.date) -> dt.date:
        return a + dt.timedelta(days=self.rng.randint(0, max((b - a).days, 0)))

    def partner(self, code: str) -> Organisation | None:
        options = [o for o, codes, _ in self.nearby if code in codes][:3]
        return self.rng.choice(options) if options else None

    def consents(self, enrolment: Enrolment, share: bool, by: User | None) -> None:
        for scope, given in ((ConsentScope.DATA, True), (ConsentScope.SHARE_PRESCRIBER, share)):
            self.plan.consents.append(
                Consent(
                    learner=enrolment.learner,
                    scope=scope,
                    given=given,
                    given_on=enrolment.entry_date,
                    recorded_by=by,
                    created_at=at(enrolment.entry_date, 9),
                )
            )

    def entry(self, enrolment, kind, day, text, by, visibility=Visibility.TEAM) -> None:
        self.plan.entries.append(
            JournalEntry(
                learner=enrolment.learner,
                school=self.cohort.school,
                kind=kind,
                occurred_on=day,
                text=text,
                visibility=visibility,
                author=by,
                created_at=at(day, 17),
            )
        )

    def barrier(self, enrolment, code, level, summary, raised_on, lifted_on, by) -> Barrier:
        barrier = Barrier(
            learner=enrolment.learner,
            category=self.categories[code],
            level=BarrierLevel.NONE if lifted_on else level,
            summary=summary,
            raised_on=raised_on,
            lifted_on=lifted_on,
            created_by=by,
        )
        self.plan.barriers.append(barrier)
        return barrier

    def action(self, barrier, description, due_on, status, by, partner=None, outcome="", created_on=None):
        self.plan.actions.append(
            (
                barrier,
                Action(
                    description=description,
                    partner=partner,
                    due_on=due_on,
                    status=status,
                    outcome=outcome,
                    created_by=by,
                    created_at=at(created_on or barrier.raised_on, 11),
                ),
            )
        )

    def learner(self, enrolment: Enrolment) -> None:
        rng, by = self.rng, self.worker
        start, last = enrolment.entry_date, self.last_day(enrolment)
        if last < start:
            return
        self.consents(enrolment, share=rng.random() < 0.82, by=by)
        self.entry(enrolment, EntryKind.INTERVIEW, start, TEAM_NOTES[EntryKind.INTERVIEW][0], by)
        if rng.random() >= 0.65:
            if (last - start).days > 40 and rng.random() < 0.5:
                self.entry(enrolment, EntryKind.INTERVIEW, self.day(start + dt.timedelta(days=30), last),
                           TEAM_NOTES[EntryKind.INTERVIEW][1], by)  # fmt: skip
            return
        count = rng.choices((1, 2, 3, 4), weights=(50, 30, 15, 5))[0]
        codes = []
        while len(codes) < count:
            code = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
            if code not in codes:
                codes.append(code)
        left = enrolment.status == EnrolmentStatus.DROPPED_OUT
        for code in codes:
            raised_on = (
                start if rng.random() < 0.8 else self.day(start, min(start + dt.timedelta(days=21), last))
            )
            level = BarrierLevel.BLOCKING if rng.random() < 0.4 else BarrierLevel.WATCH
            lifted_on = None
            if (last - raised_on).days >= 14 and rng.random() < (0.3 if left else 0.55):
                lifted_on = self.day(raised_on + dt.timedelta(days=10), last)
            barrier = self.barrier(
                enrolment, code, level, rng.choice(SUMMARIES[code]), raised_on, lifted_on, by
            )
            partner = self.partner(code)
            for index, description in enumerate(
                rng.sample(ACTIONS[code], rng.randint(1, min(2, len(ACTIONS[code]))))
            ):
                due_on = raised_on + dt.timedelta(days=rng.randint(7, 35) + 10 * index)
                if lifted_on:
                    due_on = min(due_on, lifted_on)
                    status, outcome = ActionStatus.DONE, rng.choice(DONE_OUTCOMES)
                elif due_on <= last:
                    if left or self.cohort.status == CohortStatus.FINISHED:
                        done = rng.random() < 0.5 and not left
                        status = ActionStatus.DONE if done else ActionStatus.ABANDONED
                        outcome = rng.choice(DONE_OUTCOMES) if done else ABANDONED_OUTCOME
                    else:
                        status = rng.choice((ActionStatus.ONGOING, ActionStatus.DONE))
                        outcome = rng.choice(DONE_OUTCOMES) if status == ActionStatus.DONE else ""
                elif left or self.cohort.status == CohortStatus.FINISHED:
                    status, outcome = ActionStatus.ABANDONED, ABANDONED_OUTCOME
                else:
                    status, outcome = rng.choice((ActionStatus.PLANNED, ActionStatus.ONGOING)), ""
                self.action(
                    barrier, description, due_on, status, by, partner if index == 0 else None, outcome
                )
            ongoing = self.cohort.status == CohortStatus.ONGOING and not left
            if ongoing and not lifted_on and rng.random() < 0.6:
                # The next step of an open barrier, due in the coming weeks.
                due_on = self.today + dt.timedelta(days=rng.randint(1, 28))
                self.action(barrier, rng.choice(FOLLOW_UPS), due_on, ActionStatus.PLANNED, by, partner,
                            created_on=last)  # fmt: skip
            if partner is not None and raised_on + dt.timedelta(days=3) <= last:
                text = TEAM_NOTES[EntryKind.REFERRAL][0].format(partner=partner.name)
                self.entry(enrolment, EntryKind.REFERRAL, self.day(raised_on + dt.timedelta(days=3),
                           min(raised_on + dt.timedelta(days=10), last)), text, by)  # fmt: skip
        for _ in range(rng.randint(0, 2)):
            kind = rng.choice((EntryKind.CALL, EntryKind.INTERVIEW, EntryKind.TRIPARTITE))
            self.entry(enrolment, kind, self.day(start, last), rng.choice(TEAM_NOTES[kind]), by)
        if rng.random() < 0.2:
            self.entry(enrolment, EntryKind.INTERVIEW, self.day(start, last), rng.choice(CONFIDENTIAL_NOTES), by,
                       Visibility.CONFIDENTIAL)  # fmt: skip

    def ines(self, enrolment: Enrolment, nadia: User | None) -> None:
        """DEMO.md: housing lifted during the programme (FJT place), mobility still open."""
        start, last = enrolment.entry_date, self.last_day(enrolment)
        span = max((last - start).days, 4)

        def on(share: float) -> dt.date:
            return min(start + dt.timedelta(days=round(span * share)), last)

        fjt = self.partner_named("Foyer de jeunes travailleurs", "logement")
        mobility = self.partner_named("Plateforme mobilité", "mobilite")
        self.consents(enrolment, share=True, by=nadia)
        self.entry(enrolment, EntryKind.INTERVIEW, start,
                   "Entretien d'accueil : hébergée chez sa tante, qui lui demande de partir ; pas de permis, "
                   "1 h 15 de transports pour venir. Motivée par la fibre, veut un CDI.", nadia)  # fmt: skip
        housing = self.barrier(enrolment, "logement", BarrierLevel.BLOCKING,
                               "Hébergée chez sa tante, doit quitter le logement ; cherche une place en foyer.",
                               start, on(0.55), nadia)  # fmt: skip
        self.action(housing, "Dossier d'admission au foyer de jeunes travailleurs", on(0.3), ActionStatus.DONE,
                    nadia, fjt, "Admission acceptée ; entrée au foyer avec une aide APL.", start)  # fmt: skip
        self.action(housing, "Demande d'aide au logement (APL) à la CAF", on(0.5), ActionStatus.DONE, nadia,
                    None, "Droits ouverts.", on(0.3))  # fmt: skip
        self.entry(enrolment, EntryKind.REFERRAL, on(0.1),
                   f"Orientation vers « {fjt.name if fjt else 'un foyer de jeunes travailleurs'} » : "
                   "dossier déposé ensemble.", nadia)  # fmt: skip
        self.entry(enrolment, EntryKind.INTERVIEW, on(0.25),
                   "Parle d'une situation familiale difficile avec sa tante et d'une grande fatigue ; "
                   "ne souhaite pas que l'équipe pédagogique le sache. Point santé proposé.",
                   nadia, Visibility.CONFIDENTIAL)  # fmt: skip
        mobility_barrier = self.barrier(enrolment, "mobilite", BarrierLevel.BLOCKING,
                                        "Pas de permis ; les chantiers de stage sont loin des transports en commun.",
                                        start, None, nadia)  # fmt: skip
        self.action(mobility_barrier, "Demande de tarif solidaire transport", on(0.2), ActionStatus.DONE, nadia,
                    None, "Abonnement à tarif réduit obtenu.", start)  # fmt: skip
        self.action(mobility_barrier, "Inscription au permis B avec aide au financement", self.today +
                    dt.timedelta(days=21), ActionStatus.ONGOING, nadia, mobility, "", on(0.4))  # fmt: skip
        self.action(mobility_barrier, "Rendez-vous d'évaluation de conduite à l'auto-école partenaire",
                    self.today + dt.timedelta(days=4), ActionStatus.PLANNED, nadia, mobility, "", on(0.6))  # fmt: skip
        self.entry(
            enrolment,
            EntryKind.CALL,
            on(0.6),
            "Appel à la plateforme mobilité : dossier de financement du permis en cours d'étude.",
            nadia,
        )
        self.entry(enrolment, EntryKind.TRIPARTITE, on(0.8),
                   "Point tripartite avec Thomas (Mission Locale) : logement réglé, la mobilité reste le "
                   "sujet avant le stage.", nadia)  # fmt: skip

    def partner_named(self, prefix: str, code: str) -> Organisation | None:
        named = [o for o, codes, _ in self.nearby if o.name.startswith(prefix) and code in codes]
        return named[0] if named else next((o for o, codes, _ in self.nearby if code in codes), None)


def demo_support_counts(network) -> dict[str, int]:
    """What the demo command reports."""
    learners = Q(learner__enrolments__cohort__school__network=network)
    return {
        "freins": Barrier.objects.filter(learners).distinct().count(),
        "actions": Action.objects.filter(barrier__learner__enrolments__cohort__school__network=network)
        .distinct()
        .count(),
        "entrées de journal": JournalEntry.objects.filter(school__network=network).count(),
        "services partenaires": PartnerService.objects.filter(organisation__network=network).count(),
    }
