from django.db import models

from plombiers.enums import StatusChoices, Tone


class InternshipKind(models.TextChoices):
    INTERNSHIP = "stage", "Stage en entreprise"
    PMSMP = "pmsmp", "PMSMP (immersion professionnelle)"


class InternshipStatus(StatusChoices):
    DRAFT = "brouillon", "Brouillon"
    TO_SIGN = "a_signer", "Convention à signer"
    SIGNED = "signee", "Convention signée"
    ONGOING = "en_cours", "En cours"
    FINISHED = "terminee", "Terminé"
    INTERRUPTED = "interrompue", "Interrompu"

    @classmethod
    def tones(cls):
        return {
            cls.TO_SIGN: Tone.WAITING,
            cls.SIGNED: Tone.POSITIVE,
            cls.ONGOING: Tone.ACTIVE,
            cls.FINISHED: Tone.CLOSED,
            cls.INTERRUPTED: Tone.PROBLEM,
        }


# The workflow as data: from each status, where one may go.
TRANSITIONS = {
    InternshipStatus.DRAFT: {InternshipStatus.TO_SIGN, InternshipStatus.INTERRUPTED},
    InternshipStatus.TO_SIGN: {InternshipStatus.DRAFT, InternshipStatus.SIGNED, InternshipStatus.INTERRUPTED},
    InternshipStatus.SIGNED: {InternshipStatus.ONGOING, InternshipStatus.INTERRUPTED},
    InternshipStatus.ONGOING: {InternshipStatus.FINISHED, InternshipStatus.INTERRUPTED},
    InternshipStatus.FINISHED: set(),
    InternshipStatus.INTERRUPTED: set(),
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


class OfferStatus(StatusChoices):
    OPEN = "ouverte", "Ouverte"
    FILLED = "pourvue", "Pourvue"
    CLOSED = "fermee", "Fermée"

    @classmethod
    def tones(cls):
        return {
            cls.OPEN: Tone.POSITIVE,
            cls.FILLED: Tone.FINAL,
            cls.CLOSED: Tone.CLOSED,
        }


class ApplicationStatus(StatusChoices):
    PROPOSED = "propose", "Proposé·e"
    INTERVIEW = "entretien", "Entretien"
    HIRED = "retenu", "Retenu·e"
    NOT_HIRED = "non_retenu", "Non retenu·e"

    @classmethod
    def tones(cls):
        return {
            cls.INTERVIEW: Tone.WAITING,
            cls.HIRED: Tone.POSITIVE,
            cls.NOT_HIRED: Tone.CLOSED,
        }


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
