from django.db import models


class CohortStatus(models.TextChoices):
    PLANNED = "prevue", "Prévue"
    ONGOING = "en_cours", "En cours"
    FINISHED = "terminee", "Terminée"


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", "En formation"
    COMPLETED = "terminee", "Parcours terminé"
    DROPPED_OUT = "abandon", "Abandon"


class DropOutReason(models.TextChoices):
    JOB = "emploi", "A trouvé un emploi"
    TRAINING = "formation", "Entrée dans une autre formation"
    HEALTH = "sante", "Santé"
    HOUSING = "logement", "Logement"
    MOBILITY = "mobilite", "Mobilité, transport"
    FAMILY = "familial", "Raisons familiales"
    MOTIVATION = "motivation", "Perte de motivation"
    MOVED = "demenagement", "Déménagement"
    JUSTICE = "justice", "Justice"
    EXCLUSION = "exclusion", "Exclusion"
    NO_NEWS = "sans_nouvelles", "Sans nouvelles"
    OTHER = "autre", "Autre"
