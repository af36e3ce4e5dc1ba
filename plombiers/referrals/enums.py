from django.db import models


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


class ReferralStatus(models.TextChoices):
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


S = ReferralStatus
OPEN_STATUSES = (S.NEW, S.REVIEW, S.INFO_SESSION, S.INTERVIEW)
# The statuses that are a decision on the young person: the prescriber is told.
DECISIONS = (S.ADMITTED, S.WAITLIST, S.REDIRECTED, S.REFUSED)
FINAL_STATUSES = (S.REDIRECTED, S.REFUSED, S.CANCELLED, S.EXPIRED)
# Statuses that need a reason.
NEEDS_REASON = (S.REDIRECTED, S.REFUSED)

# The referral workflow, declared as data: from → the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.REVIEW, S.INFO_SESSION, S.INTERVIEW, *DECISIONS, S.CANCELLED, S.EXPIRED}),
    S.REVIEW: frozenset({S.INFO_SESSION, S.INTERVIEW, *DECISIONS, S.CANCELLED, S.EXPIRED}),
    S.INFO_SESSION: frozenset({S.INTERVIEW, *DECISIONS, S.CANCELLED, S.EXPIRED}),
    S.INTERVIEW: frozenset({*DECISIONS, S.CANCELLED, S.EXPIRED}),
    S.WAITLIST: frozenset({S.ADMITTED, S.REDIRECTED, S.REFUSED, S.CANCELLED}),
    S.ADMITTED: frozenset({S.CANCELLED}),
    S.REDIRECTED: frozenset(),
    S.REFUSED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}

# What comes next, in plain words, for the prescriber and the school.
NEXT_STEP = {
    S.NEW: "L'école va étudier la candidature.",
    S.REVIEW: "L'école étudie la candidature ; une invitation à une information collective peut suivre.",
    S.INFO_SESSION: "Le ou la jeune est invité·e à une information collective.",
    S.INTERVIEW: "Un entretien individuel est prévu avant la décision.",
    S.ADMITTED: "Admis·e : l'entrée en formation se fait au démarrage de la promotion.",
    S.WAITLIST: "En liste d'attente : une place sera proposée dès qu'elle se libère.",
    S.REDIRECTED: "Réorienté·e vers une solution plus adaptée.",
    S.REFUSED: "Candidature non retenue.",
    S.CANCELLED: "Prescription annulée.",
    S.EXPIRED: "Sans nouvelle depuis 60 jours : prescription expirée.",
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
