from django.db import models

from plombiers.enums import StatusChoices, Tone


class Gender(models.TextChoices):
    FEMALE = "femme", "Femme"
    MALE = "homme", "Homme"
    OTHER = "autre", "Autre"


class Diploma(models.TextChoices):
    """Highest diploma in the 2019 nomenclature of qualification levels."""

    NONE = "aucun", "Aucun diplôme (niveau 1 ou 2)"
    LEVEL_3 = "niveau_3", "Niveau 3 : CAP, BEP"
    LEVEL_4 = "niveau_4", "Niveau 4 : baccalauréat"
    LEVEL_5 = "niveau_5_plus", "Niveau 5 ou plus : BTS, DUT, licence…"


# Order of the levels, to compare a diploma with the network's ceiling.
DIPLOMA_RANK = {Diploma.NONE: 2, Diploma.LEVEL_3: 3, Diploma.LEVEL_4: 4, Diploma.LEVEL_5: 5}


class LastClass(models.TextChoices):
    BEFORE_3E = "avant_3e", "Avant la 3e (collège non terminé)"
    TROISIEME = "3e", "3e"
    SEGPA = "segpa", "SEGPA / ULIS"
    CAP_1 = "cap_1", "1re année de CAP ou BEP"
    CAP_2 = "cap_2", "2e année de CAP ou BEP"
    SECONDE = "seconde", "Seconde"
    PREMIERE = "premiere", "Première"
    TERMINALE = "terminale", "Terminale"
    SUPERIEUR = "superieur", "Études supérieures"
    ABROAD = "etranger", "Scolarité à l'étranger"


class DrivingLicence(models.TextChoices):
    NONE = "aucun", "Pas de permis"
    IN_PROGRESS = "en_cours", "Permis en cours"
    B = "b", "Permis B"


class Transport(models.TextChoices):
    NONE = "aucun", "Aucun moyen personnel"
    PUBLIC = "transports_communs", "Transports en commun"
    BIKE = "velo", "Vélo ou trottinette"
    MOTORBIKE = "deux_roues", "Deux-roues motorisé"
    CAR = "voiture", "Voiture"


class ReferralSource(models.TextChoices):
    """Who brought the young person: a prescriber (or the school itself), or the young person
    through the public catalogue."""

    PRESCRIPTION = "prescription", "Prescription"
    SELF_REFERRAL = "candidature_directe", "Candidature directe"


class ReferralStatus(StatusChoices):
    NEW = "nouvelle", "Nouvelle"
    REVIEW = "en_etude", "En étude"
    INFO_SESSION = "information_collective", "Information collective"
    INTERVIEW = "entretien", "Entretien"
    ADMITTED = "admise", "Admise"
    WAITLIST = "liste_attente", "Liste d'attente"
    REDIRECTED = "reorientee", "Réorientée"
    REFUSED = "refusee", "Refusée"
    CANCELLED = "annulee", "Annulée"
    EXPIRED = "expiree", "Expirée"

    @classmethod
    def tones(cls):
        return {
            cls.ADMITTED: Tone.POSITIVE,
            cls.REFUSED: Tone.FINAL,
            cls.REDIRECTED: Tone.FINAL,
            cls.CANCELLED: Tone.CLOSED,
            cls.EXPIRED: Tone.CLOSED,
        }


OPEN_STATUSES = (
    ReferralStatus.NEW,
    ReferralStatus.REVIEW,
    ReferralStatus.INFO_SESSION,
    ReferralStatus.INTERVIEW,
)
# The statuses that are a decision on the young person: the prescriber is told.
DECISIONS = (
    ReferralStatus.ADMITTED,
    ReferralStatus.WAITLIST,
    ReferralStatus.REDIRECTED,
    ReferralStatus.REFUSED,
)
FINAL_STATUSES = (
    ReferralStatus.REDIRECTED,
    ReferralStatus.REFUSED,
    ReferralStatus.CANCELLED,
    ReferralStatus.EXPIRED,
)
# Statuses that need a reason.
NEEDS_REASON = (ReferralStatus.REDIRECTED, ReferralStatus.REFUSED)

# The referral workflow, declared as data: from → the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.NEW: frozenset(
        {
            ReferralStatus.REVIEW,
            ReferralStatus.INFO_SESSION,
            ReferralStatus.INTERVIEW,
            *DECISIONS,
            ReferralStatus.CANCELLED,
            ReferralStatus.EXPIRED,
        }
    ),
    ReferralStatus.REVIEW: frozenset(
        {
            ReferralStatus.INFO_SESSION,
            ReferralStatus.INTERVIEW,
            *DECISIONS,
            ReferralStatus.CANCELLED,
            ReferralStatus.EXPIRED,
        }
    ),
    ReferralStatus.INFO_SESSION: frozenset(
        {ReferralStatus.INTERVIEW, *DECISIONS, ReferralStatus.CANCELLED, ReferralStatus.EXPIRED}
    ),
    ReferralStatus.INTERVIEW: frozenset({*DECISIONS, ReferralStatus.CANCELLED, ReferralStatus.EXPIRED}),
    ReferralStatus.WAITLIST: frozenset(
        {ReferralStatus.ADMITTED, ReferralStatus.REDIRECTED, ReferralStatus.REFUSED, ReferralStatus.CANCELLED}
    ),
    ReferralStatus.ADMITTED: frozenset({ReferralStatus.CANCELLED}),
    ReferralStatus.REDIRECTED: frozenset(),
    ReferralStatus.REFUSED: frozenset(),
    ReferralStatus.CANCELLED: frozenset(),
    ReferralStatus.EXPIRED: frozenset(),
}

# What comes next, in plain words, for the prescriber and the school.
NEXT_STEP = {
    ReferralStatus.NEW: "L'école va étudier la candidature.",
    ReferralStatus.REVIEW: "L'école étudie la candidature ; une invitation à une information collective peut suivre.",
    ReferralStatus.INFO_SESSION: "Le ou la jeune est invité·e à une information collective.",
    ReferralStatus.INTERVIEW: "Un entretien individuel est prévu avant la décision.",
    ReferralStatus.ADMITTED: "Admis·e : l'entrée en formation se fait au démarrage de la promotion.",
    ReferralStatus.WAITLIST: "En liste d'attente : une place sera proposée dès qu'elle se libère.",
    ReferralStatus.REDIRECTED: "Réorienté·e vers une solution plus adaptée.",
    ReferralStatus.REFUSED: "Candidature non retenue.",
    ReferralStatus.CANCELLED: "Prescription annulée.",
    ReferralStatus.EXPIRED: "Sans nouvelle depuis 60 jours : prescription expirée.",
}


class DecisionReason(models.TextChoices):
    AGE = "age", "Âge hors des critères"
    DIPLOMA = "diplome", "Niveau de diplôme au-dessus des critères"
    NOT_NEET = "en_emploi_ou_formation", "Déjà en emploi ou en formation"
    PROJECT = "projet", "Projet professionnel éloigné du métier"
    MOTIVATION = "motivation", "Motivation à confirmer"
    BARRIERS = "freins", "Freins à lever avant l'entrée (santé, logement…)"
    MOBILITY = "mobilite", "Mobilité incompatible avec le plateau technique"
    NO_SHOW = "absence", "Absent·e à l'information collective ou à l'entretien"
    OTHER_PROGRAMME = "autre_dispositif", "Un autre dispositif est plus adapté"
    FULL = "complet", "Promotion complète"
    OTHER = "autre", "Autre"
