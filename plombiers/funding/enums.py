from django.db import models

from plombiers.enums import StatusChoices, Tone
from plombiers.network.enums import OrganisationCategory


class GrantPurpose(models.TextChoices):
    PLATFORM = "plateau_technique", "Plateau technique"
    OPERATIONS = "fonctionnement", "Fonctionnement"
    SOCIAL_SUPPORT = "accompagnement_social", "Accompagnement social"
    ENGINEERING = "ingenierie", "Ingénierie"


class GrantStatus(StatusChoices):
    REQUESTED = "sollicitee", "Sollicitée"
    GRANTED = "accordee", "Accordée"
    PAID = "versee", "Versée"
    REFUSED = "refusee", "Refusée"

    @classmethod
    def tones(cls):
        return {
            cls.GRANTED: Tone.POSITIVE,
            cls.PAID: Tone.FINAL,
            cls.REFUSED: Tone.CLOSED,
        }


#: The moves a grant may make. « versée » is reached by recording a payment, never by hand.
GRANT_TRANSITIONS = {
    GrantStatus.REQUESTED: {GrantStatus.GRANTED, GrantStatus.REFUSED},
    GrantStatus.GRANTED: {GrantStatus.REQUESTED},
    GrantStatus.PAID: set(),
    GrantStatus.REFUSED: {GrantStatus.REQUESTED},
}
#: Grants that bring money (what the funder committed to).
COMMITTED = (GrantStatus.GRANTED, GrantStatus.PAID)


class OpcoScheme(models.TextChoices):
    POEC = "poec", "POEC (préparation opérationnelle à l'emploi collective)"
    POEI = "poei", "POEI (préparation opérationnelle à l'emploi individuelle)"
    OTHER = "autre", "Autre dispositif"


class InvoiceStatus(StatusChoices):
    TO_ISSUE = "a_emettre", "À émettre"
    ISSUED = "emise", "Émise"
    PAID = "payee", "Payée"
    REJECTED = "rejetee", "Rejetée"

    @classmethod
    def tones(cls):
        return {
            cls.TO_ISSUE: Tone.WAITING,
            cls.ISSUED: Tone.ACTIVE,
            cls.PAID: Tone.POSITIVE,
            cls.REJECTED: Tone.PROBLEM,
        }


INVOICE_TRANSITIONS = {
    InvoiceStatus.TO_ISSUE: {InvoiceStatus.ISSUED},
    InvoiceStatus.ISSUED: {InvoiceStatus.PAID, InvoiceStatus.REJECTED},
    InvoiceStatus.PAID: set(),
    InvoiceStatus.REJECTED: set(),
}


class BudgetCategory(models.TextChoices):
    SALARIES = "salaires", "Salaires"
    PLATFORM = "plateau_technique", "Plateau technique"
    CONSUMABLES = "consommables", "Consommables"
    INTERNSHIPS = "frais_de_stage", "Frais de stage"
    SOCIAL_SUPPORT = "accompagnement_social", "Accompagnement social"
    OVERHEADS = "frais_de_structure", "Frais de structure"


class FunderType(models.TextChoices):
    """The funder types of the funding share: Organisation.category grouped, and the OPCO."""

    PUBLIC = "public", "Fonds publics (État, collectivités)"
    COMPANIES = "entreprises", "Entreprises et fonds de dotation"
    FOUNDATIONS = "fondations", "Fondations"
    OPCO = "opco", "OPCO"
    OTHER = "autre", "Autres"


C = OrganisationCategory
FUNDER_TYPE_OF_CATEGORY = {
    C.STATE: FunderType.PUBLIC,
    C.LOCAL_AUTHORITY: FunderType.PUBLIC,
    C.ENDOWMENT_FUND: FunderType.COMPANIES,
    C.FOUNDATION: FunderType.FOUNDATIONS,
}


class BpfOrigin(models.TextChoices):
    """The origins of income of the bilan pédagogique et financier (cadre C, simplified)."""

    PUBLIC = "public", "Pouvoirs publics (État, collectivités)"
    OPCO = "opco", "Opérateurs de compétences (OPCO)"
    COMPANIES = "entreprises", "Entreprises"
    OTHERS = "autres", "Autres produits (fondations, mécènes…)"


BPF_ORIGIN_OF_TYPE = {
    FunderType.PUBLIC: BpfOrigin.PUBLIC,
    FunderType.COMPANIES: BpfOrigin.COMPANIES,
    FunderType.FOUNDATIONS: BpfOrigin.OTHERS,
    FunderType.OPCO: BpfOrigin.OPCO,
    FunderType.OTHER: BpfOrigin.OTHERS,
}
