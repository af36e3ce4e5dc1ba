"""The situation of a young person at exit and at each follow-up, and the one place where a
detailed situation is mapped to its official category (DGEFP/DARES, IAE « sorties dynamiques »,
see DESIGN.md « Official definitions »)."""

from django.db import models

from plombiers.enums import StatusChoices, Tone


class ExitCategory(models.TextChoices):
    DURABLE_JOB = "emploi_durable", "Emploi durable"
    TRANSITION_JOB = "emploi_transition", "Emploi de transition"
    POSITIVE = "sortie_positive", "Sortie positive (formation, alternance, SIAE)"
    OTHER = "autre_sortie", "Autre sortie"
    NEUTRALISED = "sortie_neutralisee", "Sortie neutralisée"


class ExitType(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD_LONG = "cdd_6_mois_plus", "CDD de 6 mois ou plus"
    CDD_SHORT = "cdd_moins_6_mois", "CDD de moins de 6 mois"
    TEMPING_LONG = "interim_6_mois_plus", "Intérim de 6 mois ou plus"
    TEMPING_SHORT = "interim_moins_6_mois", "Intérim de moins de 6 mois"
    CIVIL_SERVICE = "fonction_publique", "Emploi dans la fonction publique (stagiaire ou titulaire)"
    BUSINESS_CREATION = "creation_entreprise", "Création d'entreprise"
    SUBSIDISED = "contrat_aide", "Contrat aidé chez un employeur de droit commun"
    APPRENTICESHIP = "apprentissage", "Contrat d'apprentissage"
    PROFESSIONALISATION = "professionnalisation", "Contrat de professionnalisation"
    QUALIFYING_TRAINING = "formation_qualifiante", "Formation qualifiante"
    PRE_QUALIFYING_TRAINING = "formation_pre_qualifiante", "Formation pré-qualifiante"
    SIAE = "embauche_siae", "Embauche dans une structure d'insertion (SIAE)"
    CIVIC_SERVICE = "service_civique", "Service civique"
    JOB_SEEKING = "recherche_emploi", "En recherche d'emploi"
    INACTIVE = "inactif", "Inactif ou inactive"
    NO_NEWS = "sans_nouvelles", "Sans nouvelles"
    MOVED = "demenagement", "Déménagement"
    ILLNESS = "maladie", "Maladie de longue durée"
    INCARCERATION = "incarceration", "Incarcération"
    DEATH = "deces", "Décès"


C, T = ExitCategory, ExitType

#: The only mapping from a detailed situation to its category. Service civique is neither a
#: job nor a training in the official lists: it counts as « autre sortie », conservatively.
CATEGORY_OF: dict[str, str] = {
    T.CDI: C.DURABLE_JOB,
    T.CDD_LONG: C.DURABLE_JOB,
    T.TEMPING_LONG: C.DURABLE_JOB,
    T.CIVIL_SERVICE: C.DURABLE_JOB,
    T.BUSINESS_CREATION: C.DURABLE_JOB,
    T.CDD_SHORT: C.TRANSITION_JOB,
    T.TEMPING_SHORT: C.TRANSITION_JOB,
    T.SUBSIDISED: C.TRANSITION_JOB,
    T.APPRENTICESHIP: C.POSITIVE,
    T.PROFESSIONALISATION: C.POSITIVE,
    T.QUALIFYING_TRAINING: C.POSITIVE,
    T.PRE_QUALIFYING_TRAINING: C.POSITIVE,
    T.SIAE: C.POSITIVE,
    T.CIVIC_SERVICE: C.OTHER,
    T.JOB_SEEKING: C.OTHER,
    T.INACTIVE: C.OTHER,
    T.NO_NEWS: C.OTHER,
    T.MOVED: C.NEUTRALISED,
    T.ILLNESS: C.NEUTRALISED,
    T.INCARCERATION: C.NEUTRALISED,
    T.DEATH: C.NEUTRALISED,
}

#: Categories counted in the numerator of the positive-exit rate.
POSITIVE_CATEGORIES = (C.DURABLE_JOB, C.TRANSITION_JOB, C.POSITIVE)
#: Situations that are a job (an employer, ROME code and weekly hours make sense).
EMPLOYMENT_TYPES = frozenset(t for t, c in CATEGORY_OF.items() if c in (C.DURABLE_JOB, C.TRANSITION_JOB)) | {
    T.APPRENTICESHIP,
    T.PROFESSIONALISATION,
    T.SIAE,
}


def category_of(exit_type: str) -> str:
    return CATEGORY_OF[exit_type]


def is_positive(category: str) -> bool:
    return category in POSITIVE_CATEGORIES


class FollowUpHorizon(models.IntegerChoices):
    ONE = 1, "1 mois"
    THREE = 3, "3 mois"
    SIX = 6, "6 mois"
    TWELVE = 12, "12 mois"


class FollowUpStatus(StatusChoices):
    DUE = "a_faire", "À faire"
    DONE = "renseigne", "Renseigné"
    NO_NEWS = "sans_nouvelles", "Sans nouvelles"

    @classmethod
    def tones(cls):
        return {
            cls.DUE: Tone.WAITING,
            cls.DONE: Tone.POSITIVE,
            cls.NO_NEWS: Tone.CLOSED,
        }


class FollowUpSource(models.TextChoices):
    LEARNER = "jeune", "Le ou la jeune"
    SOCIAL_WORKER = "accompagnement", "L'équipe de l'école"
    PRESCRIBER = "prescripteur", "Le prescripteur"
    SYSTEM = "automatique", "Automatique (sans réponse 30 jours après l'échéance)"


#: A follow-up without an answer this many days after its due date is recorded « sans nouvelles ».
NO_NEWS_AFTER_DAYS = 30

#: A follow-up can be answered from this many days before its due date (a phone call a little early).
OPENS_DAYS_BEFORE = 15

#: The answers a young person chooses from on the follow-up link (plain words, phone-first), each
#: the detailed situation it records. « En formation » records a qualifying training: qualifying or
#: pre-qualifying, the category is the same (sortie positive) and the school can correct it.
LEARNER_SITUATIONS: list[tuple[str, str]] = [
    (T.CDI, "J'ai un CDI"),
    (T.CDD_LONG, "J'ai un CDD ou une mission d'intérim de 6 mois ou plus"),
    (T.CDD_SHORT, "J'ai un CDD ou une mission d'intérim de moins de 6 mois"),
    (T.APPRENTICESHIP, "Je suis en apprentissage"),
    (T.PROFESSIONALISATION, "Je suis en contrat de professionnalisation"),
    (T.QUALIFYING_TRAINING, "Je suis en formation"),
    (T.BUSINESS_CREATION, "J'ai créé mon entreprise"),
    (T.CIVIC_SERVICE, "Je fais un service civique"),
    (T.JOB_SEEKING, "Je cherche du travail"),
    (T.INACTIVE, "Autre chose (pause, santé, famille…)"),
]
