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


class Period(models.TextChoices):
    MORNING = "matin", "Matin"
    AFTERNOON = "apres_midi", "Après-midi"


class SessionKind(models.TextChoices):
    PLATFORM = "plateau", "Plateau technique"
    THEORY = "theorie", "Théorie"
    INTERNSHIP = "stage", "Stage en entreprise"
    INFORMATION = "info_collective", "Information collective"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Présent·e"
    LATE = "retard", "En retard"
    ABSENT = "absent", "Absent·e"
    EXCUSED = "excuse", "Absence justifiée"


class SignatureMethod(models.TextChoices):
    TABLET = "tablette", "Sur la tablette du formateur"
    PHONE = "telephone", "Sur son téléphone, avec le code"
