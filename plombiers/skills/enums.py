from django.db import models


class Level(models.TextChoices):
    """The four steps of the scale: never a number, never a grade."""

    NOT_OBSERVED = "non_observe", "Non observé"
    IN_PROGRESS = "en_cours", "En cours d'acquisition"
    ACQUIRED = "acquis", "Acquis"
    MASTERED = "maitrise", "Maîtrisé"


ACQUIRED_LEVELS = (Level.ACQUIRED, Level.MASTERED)
# An icon beside the text of each level, so that colour never carries the meaning alone.
LEVEL_ICONS = {Level.NOT_OBSERVED: "○", Level.IN_PROGRESS: "◐", Level.ACQUIRED: "●", Level.MASTERED: "★"}
LEVEL_SHORT = {
    Level.NOT_OBSERVED: "Non observé",
    Level.IN_PROGRESS: "En cours",
    Level.ACQUIRED: "Acquis",
    Level.MASTERED: "Maîtrisé",
}


class Context(models.TextChoices):
    PLATFORM = "plateau", "Plateau technique"
    WORKSITE = "stage", "Chantier / stage en entreprise"
