from django.db import models

from plombiers.enums import StatusChoices, Tone


class WebhookEvent(models.TextChoices):
    """The events a partner system may subscribe to (the `type` of the body)."""

    REFERRAL_DECIDED = "referral.decided", "Décision sur une prescription"
    ENROLMENT_CREATED = "enrolment.created", "Entrée en formation"
    EXIT_RECORDED = "exit.recorded", "Sortie renseignée"
    FOLLOWUP_RECORDED = "followup.recorded", "Suivi de sortie renseigné"


class DeliveryStatus(StatusChoices):
    PENDING = "en_attente", "En attente"
    RETRYING = "nouvel_essai", "Nouvel essai prévu"
    SUCCEEDED = "livree", "Livrée"
    FAILED = "echec", "Échec"

    @classmethod
    def tones(cls) -> dict:
        return {
            cls.PENDING: Tone.WAITING,
            cls.RETRYING: Tone.WAITING,
            cls.SUCCEEDED: Tone.POSITIVE,
            cls.FAILED: Tone.PROBLEM,
        }


#: What may still be sent.
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
