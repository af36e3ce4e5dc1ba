from django.db import models


class FeedKind(models.TextChoices):
    COHORT = "promotion", "Demi-journées d'une promotion"
    LEARNER = "jeune", "Planning d'un ou d'une jeune"
