from django.db import models


class Audience(models.TextChoices):
    """Who a questionnaire is for (Qualiopi indicator 30 asks every stakeholder)."""

    LEARNER = "learner", "Jeunes en fin de formation"
    TUTOR = "tutor", "Tuteur·rices en entreprise"
    FUNDER = "funder", "Financeurs"


class QuestionKind(models.TextChoices):
    SCALE = "scale", "Échelle en quatre mots"
    YES_NO = "yes_no", "Oui ou non"
    TEXT = "text", "Texte libre"
