from django.db import models

from plombiers.enums import StatusChoices, Tone


class SchoolStatus(StatusChoices):
    PROJECT = "projet", "En projet"
    OPEN = "ouverte", "Ouverte"
    CLOSED = "fermee", "Fermée"

    @classmethod
    def tones(cls):
        return {
            cls.OPEN: Tone.POSITIVE,
            cls.CLOSED: Tone.CLOSED,
        }


class OrganisationKind(models.TextChoices):
    COMPANY = "company", "Entreprise partenaire"
    FUNDER = "funder", "Financeur / mécène"
    OPCO = "opco", "OPCO"
    PROJECT_HOLDER = "project_holder", "Porteur de projet"
    PRESCRIBER = "prescriber", "Structure prescriptrice"
    SOCIAL_SERVICE = "social_service", "Service social partenaire"


class OrganisationCategory(models.TextChoices):
    """Finer type of a structure, used by statistics (by prescriber structure, by funder type)."""

    MISSION_LOCALE = "mission_locale", "Mission Locale"
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    E2C = "e2c", "École de la 2e Chance"
    APPRENTIS_AUTEUIL = "apprentis_auteuil", "Apprentis d'Auteuil"
    ASE = "ase", "Aide sociale à l'enfance"
    PJJ = "pjj", "Protection judiciaire de la jeunesse"
    CAP_EMPLOI = "cap_emploi", "Cap emploi"
    INSERTION_ASSOCIATION = "association_insertion", "Association d'insertion"
    FOUNDATION = "fondation", "Fondation"
    ENDOWMENT_FUND = "fonds_dotation", "Fonds de dotation d'entreprise"
    LOCAL_AUTHORITY = "collectivite", "Collectivité territoriale"
    STATE = "etat", "État"
    OTHER = "autre", "Autre"
