from django.db import models


class Role(models.TextChoices):
    NETWORK_STAFF = "network_staff", "Tête de réseau"
    SCHOOL_MANAGER = "school_manager", "Responsable d'école"
    TRAINER = "trainer", "Formateur·rice"
    SOCIAL_WORKER = "social_worker", "Accompagnateur·rice socio-professionnel·le"
    PRESCRIBER = "prescriber", "Prescripteur·rice"
    FUNDER = "funder", "Financeur"
    LEARNER = "learner", "Jeune"


# Roles held inside one school (the membership names the school).
SCHOOL_ROLES = (Role.SCHOOL_MANAGER, Role.TRAINER, Role.SOCIAL_WORKER)
# Roles held for an organisation (the membership names the organisation).
ORGANISATION_ROLES = (Role.PRESCRIBER, Role.FUNDER)


# Roles that read personal data: two-factor authentication is required (after a grace period).
MFA_REQUIRED_ROLES = (
    Role.NETWORK_STAFF,
    Role.SCHOOL_MANAGER,
    Role.TRAINER,
    Role.SOCIAL_WORKER,
    Role.PRESCRIBER,
)


class TokenScope(models.TextChoices):
    READ = "read", "Lecture seule"
    READ_WRITE = "read_write", "Lecture et écriture"


class LoginOutcome(models.TextChoices):
    FAILURE = "failure", "Échec"
    SUCCESS = "success", "Réussite"
    RESET = "reset", "Mot de passe réinitialisé"
