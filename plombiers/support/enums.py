from django.db import models

from plombiers.enums import StatusChoices, Tone


class BarrierLevel(models.TextChoices):
    NONE = "aucun", "Aucun"
    WATCH = "a_surveiller", "À surveiller"
    BLOCKING = "bloquant", "Bloquant"


class ActionStatus(StatusChoices):
    PLANNED = "prevue", "Prévue"
    ONGOING = "en_cours", "En cours"
    DONE = "realisee", "Réalisée"
    ABANDONED = "abandonnee", "Abandonnée"

    @classmethod
    def tones(cls):
        return {
            cls.ONGOING: Tone.ACTIVE,
            cls.DONE: Tone.POSITIVE,
            cls.ABANDONED: Tone.CLOSED,
        }


class EntryKind(models.TextChoices):
    INTERVIEW = "entretien", "Entretien individuel"
    CALL = "appel", "Appel"
    VISIT = "visite", "Visite"
    REFERRAL = "orientation", "Orientation vers un partenaire"
    TRIPARTITE = "point_tripartite", "Point tripartite"


class Visibility(models.TextChoices):
    TEAM = "equipe", "Équipe de l'école"
    CONFIDENTIAL = "confidentiel", "Confidentiel (accompagnement seulement)"


class ConsentScope(models.TextChoices):
    DATA = "traitement", "Traitement de ses données pour l'accompagnement"
    SHARE_PRESCRIBER = "partage_prescripteur", "Partage d'un résumé avec le prescripteur"


# The default categories of barriers (« freins périphériques »); a network can add its own.
DEFAULT_CATEGORIES = [
    ("logement", "Logement"),
    ("mobilite", "Mobilité"),
    ("sante", "Santé"),
    ("finances", "Difficultés financières"),
    ("famille", "Contraintes familiales / garde d'enfants"),
    ("administratif", "Démarches administratives et juridiques"),
    ("francais", "Maîtrise du français / savoirs de base"),
    ("numerique", "Numérique"),
    ("justice", "Justice"),
]


def default_categories_ensure(category_model) -> None:
    """Create the default categories that are missing (takes the model: migrations pass a historical one)."""
    for position, (code, name) in enumerate(DEFAULT_CATEGORIES):
        category_model.objects.get_or_create(code=code, defaults={"name": name, "position": position})
