from django.db import models

from plombiers.enums import StatusChoices, Tone


class CohortStatus(StatusChoices):
    PLANNED = "prevue", "Prévue"
    ONGOING = "en_cours", "En cours"
    FINISHED = "terminee", "Terminée"

    @classmethod
    def tones(cls):
        return {
            cls.ONGOING: Tone.ACTIVE,
            cls.FINISHED: Tone.CLOSED,
        }


class EnrolmentStatus(StatusChoices):
    ACTIVE = "active", "En formation"
    COMPLETED = "terminee", "Parcours terminé"
    DROPPED_OUT = "abandon", "Abandon"

    @classmethod
    def tones(cls):
        return {
            cls.ACTIVE: Tone.ACTIVE,
            cls.COMPLETED: Tone.POSITIVE,
            cls.DROPPED_OUT: Tone.CLOSED,
        }


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


class AttendanceStatus(StatusChoices):
    PRESENT = "present", "Présent·e"
    LATE = "retard", "En retard"
    ABSENT = "absent", "Absent·e"
    EXCUSED = "excuse", "Absence justifiée"

    @classmethod
    def tones(cls):
        return {
            cls.PRESENT: Tone.POSITIVE,
            cls.LATE: Tone.WAITING,
            cls.ABSENT: Tone.PROBLEM,
            cls.EXCUSED: Tone.CLOSED,
        }


class SignatureMethod(models.TextChoices):
    TABLET = "tablette", "Sur la tablette du formateur"
    PHONE = "telephone", "Sur son téléphone, avec le code"


class SignatureMode(models.TextChoices):
    """How the person signed: a drawing, or their full name typed with an explicit confirmation
    (for whoever cannot draw: motor disability, keyboard or switch user — RGAA)."""

    DRAWN = "trace", "Signature dessinée"
    TYPED = "nom_saisi", "Signature sans tracé (nom saisi)"
