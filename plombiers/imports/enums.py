from django.db import models

from plombiers.enums import StatusChoices, Tone


class ImportKind(models.TextChoices):
    LEARNERS = "learners", "Jeunes et prescriptions"
    COMPANIES = "companies", "Entreprises partenaires, sites et tuteurs"
    COHORTS = "cohorts", "Promotions et inscriptions"
    EXITS = "exits", "Sorties et suivis"
    ATTENDANCE = "attendance", "Historique d'assiduité"


class ImportStatus(StatusChoices):
    UPLOADED = "depose", "Déposé"
    CHECKED = "verifie", "Vérifié"
    QUEUED = "en_attente", "En attente"
    RUNNING = "en_cours", "En cours"
    DONE = "importe", "Importé"
    FAILED = "echoue", "Échoué"
    UNDONE = "annule", "Annulé"

    @classmethod
    def tones(cls):
        return {
            cls.CHECKED: Tone.WAITING,
            cls.QUEUED: Tone.WAITING,
            cls.RUNNING: Tone.ACTIVE,
            cls.DONE: Tone.POSITIVE,
            cls.FAILED: Tone.PROBLEM,
            cls.UNDONE: Tone.CLOSED,
        }
