from django.db import models


class InternshipKind(models.TextChoices):
    INTERNSHIP = "stage", "Stage en entreprise"
    PMSMP = "pmsmp", "PMSMP (immersion professionnelle)"


class InternshipStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    TO_SIGN = "a_signer", "Convention à signer"
    SIGNED = "signee", "Convention signée"
    ONGOING = "en_cours", "En cours"
    FINISHED = "terminee", "Terminé"
    INTERRUPTED = "interrompue", "Interrompu"


S = InternshipStatus
# The workflow as data: from each status, where one may go.
TRANSITIONS = {
    S.DRAFT: {S.TO_SIGN, S.INTERRUPTED},
    S.TO_SIGN: {S.DRAFT, S.SIGNED, S.INTERRUPTED},
    S.SIGNED: {S.ONGOING, S.INTERRUPTED},
    S.ONGOING: {S.FINISHED, S.INTERRUPTED},
    S.FINISHED: set(),
    S.INTERRUPTED: set(),
}


class Party(models.TextChoices):
    LEARNER = "jeune", "Le ou la stagiaire"
    COMPANY = "entreprise", "L'entreprise d'accueil"
    SCHOOL = "ecole", "L'école (organisme de formation)"
    PRESCRIBER = "prescripteur", "Le prescripteur (PMSMP)"


class Rating(models.TextChoices):
    """The four steps of a tutor's appreciation: words, never a grade."""

    INSUFFICIENT = "insuffisant", "À travailler"
    FAIR = "passable", "En progrès"
    GOOD = "bien", "Bien"
    VERY_GOOD = "tres_bien", "Très bien"


SOFT_SKILLS = {
    "ponctualite": "Ponctualité",
    "securite": "Respect des règles de sécurité",
    "equipe": "Travail en équipe",
    "communication": "Communication",
    "autonomie": "Autonomie",
}


class TutorAttendance(models.TextChoices):
    REGULAR = "reguliere", "Présence régulière"
    SOME_ABSENCES = "quelques_absences", "Quelques absences"
    MANY_ABSENCES = "absences_repetees", "Absences répétées"


class EvaluationOutcome(models.TextChoices):
    COMPLETED = "terminee", "Stage effectué en entier"
    PARTIAL = "partiellement", "Stage effectué en partie"
    ABSENT = "absent", "Le ou la stagiaire ne s'est pas présenté·e"


class ContractType(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    TEMPORARY = "interim", "Intérim"
    APPRENTICESHIP = "apprentissage", "Contrat d'apprentissage"
    PROFESSIONALISATION = "professionnalisation", "Contrat de professionnalisation"


class OfferKind(models.TextChoices):
    INTERNSHIP = "stage", "Stage"
    JOB = "emploi", "Emploi"
    APPRENTICESHIP = "alternance", "Alternance"


class OfferStatus(models.TextChoices):
    OPEN = "ouverte", "Ouverte"
    FILLED = "pourvue", "Pourvue"
    CLOSED = "fermee", "Fermée"


class ApplicationStatus(models.TextChoices):
    PROPOSED = "propose", "Proposé·e"
    INTERVIEW = "entretien", "Entretien"
    HIRED = "retenu", "Retenu·e"
    NOT_HIRED = "non_retenu", "Non retenu·e"


APPLICATION_TRANSITIONS = {
    ApplicationStatus.PROPOSED: {
        ApplicationStatus.INTERVIEW,
        ApplicationStatus.HIRED,
        ApplicationStatus.NOT_HIRED,
    },
    ApplicationStatus.INTERVIEW: {ApplicationStatus.HIRED, ApplicationStatus.NOT_HIRED},
    ApplicationStatus.HIRED: set(),
    ApplicationStatus.NOT_HIRED: set(),
}
