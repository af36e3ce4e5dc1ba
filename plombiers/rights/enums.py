from django.db import models

from plombiers.enums import StatusChoices, Tone


class RectificationField(models.TextChoices):
    """What a young person may ask to correct from their space (each is a field of `Learner`)."""

    FIRST_NAME = "first_name", "Prénom"
    LAST_NAME = "last_name", "Nom"
    BIRTH_DATE = "birth_date", "Date de naissance"
    PHONE = "phone", "Téléphone"
    EMAIL = "email", "Adresse e-mail"
    ADDRESS = "address", "Adresse"
    HIGHEST_DIPLOMA = "highest_diploma", "Diplôme le plus élevé"
    OTHER = "autre", "Autre chose (à préciser dans le message)"


class RectificationStatus(StatusChoices):
    OPEN = "ouverte", "En attente"
    DONE = "corrigee", "Corrigée"
    REFUSED = "refusee", "Refusée"

    @classmethod
    def tones(cls):
        return {cls.OPEN: Tone.WAITING, cls.DONE: Tone.POSITIVE, cls.REFUSED: Tone.FINAL}
