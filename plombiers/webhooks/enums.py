from django.db import models

from plombiers.enums import StatusChoices, Tone


class WebhookEvent(models.TextChoices):
    """The events a partner system may subscribe to (the `type` of the body)."""

    REFERRAL_DECIDED = "referral.decided", "Décision sur une prescription"
    ENROLMENT_CREATED = "enrolment.created", "Entrée en formation"
    EXIT_RECORDED = "exit.recorded", "Sortie renseignée"
    FOLLOWUP_RECORDED = "followup.recorded", "Suivi de sortie renseigné"
    #: Aggregated, for funders: the figures of their scope changed (checked each night).
    IMPACT_UPDATED = "impact.updated", "Indicateurs mis à jour (agrégés, chaque nuit)"


#: The events about one young person's record: for the organisations that may read such a record
#: through the API (prescribers). A funder sees no individual record, only `IMPACT_UPDATED`.
RECORD_EVENTS = (
    WebhookEvent.REFERRAL_DECIDED,
    WebhookEvent.ENROLMENT_CREATED,
    WebhookEvent.EXIT_RECORDED,
    WebhookEvent.FOLLOWUP_RECORDED,
)


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
