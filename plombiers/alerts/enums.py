from django.db import models

from plombiers.enums import StatusChoices, Tone


class Rule(models.TextChoices):
    """The drop-out early-warning rules (Qualiopi indicator 12); their thresholds are settings."""

    ABSENCES = "absences", "Absences non justifiées"
    LATENESS = "retards", "Retards répétés"
    BLOCKING_BARRIER = "frein_bloquant", "Frein bloquant non levé"


class AlertStatus(StatusChoices):
    OPEN = "open", "À traiter"
    ACKNOWLEDGED = "acknowledged", "Prise en compte"

    @classmethod
    def tones(cls):
        return {
            cls.OPEN: Tone.WAITING,
        }
