"""The register of processing activities (RGPD art. 30), generated from the code and the settings.

Each processing names its purpose, the people and the categories of data it holds, who receives
them (by role: the roles of `accounts.enums.Role`, with what the access rules let each one read)
and which retention rules apply — the rules are those of `plombiers.privacy.retention.RULES`, the
table the purge, the notice and the public page read, so that the register can never say another
duration. The security measures are read from the settings in force.
"""

from dataclasses import dataclass

from django.conf import settings

from plombiers.accounts.enums import Role


def retention_rules() -> dict:
    """The retention rules by key. Read from `plombiers.privacy.retention.RULES` (issue 20, part A);
    empty until that table exists, and the register then says « durée à fixer »."""
    try:
        from plombiers.privacy.retention import RULES
    except ImportError:
        return {}
    return {rule.key: rule for rule in RULES}


@dataclass(frozen=True)
class Processing:
    key: str
    name: str
    purpose: str
    legal_basis: str
    people: str
    data: str
    sensitive: str
    recipients: dict[str, str]  # role → what they receive
    retention: tuple[str, ...]  # keys of the retention rules


PROCESSINGS = (
    Processing(
        key="orientation",
        name="Orientation et admission",
        purpose="Recevoir les prescriptions et les candidatures directes du catalogue public (« Je suis intéressé·e », avec l'accord de la personne pour être contactée), étudier l'éligibilité, inviter aux informations collectives, admettre ou réorienter.",
        legal_basis="Mission d'intérêt public d'insertion ; exécution de mesures précontractuelles (RGPD art. 6-1-e et 6-1-b).",
        people="Jeunes orienté·es ou candidat·es ; conseiller·es des structures prescriptrices.",
        data="Identité, coordonnées, date de naissance, commune et quartier prioritaire, diplôme et dernière classe, situation (NEET), permis et mobilité, motivation ; pour une candidature directe, l'empreinte de l'adresse IP (limite d'envoi), effacée après un jour. Jamais le NIR.",
        sensitive="Reconnaissance de travailleur handicapé (RQTH), seulement comme critère d'éligibilité.",
        recipients={
            Role.SCHOOL_MANAGER: "les prescriptions de son école",
            Role.NETWORK_STAFF: "les écoles du réseau",
            Role.PRESCRIBER: "les prescriptions qu'il ou elle a faites et leur avancement",
            Role.LEARNER: "sa propre fiche",
        },
        retention=("referrals_not_admitted", "learners"),
    ),
    Processing(
        key="formation",
        name="Formation, émargement et compétences",
        purpose="Organiser les promotions, tenir l'émargement des demi-journées, observer les gestes professionnels et en garder les preuves.",
        legal_basis="Exécution du contrat de formation ; obligation légale des organismes de formation (émargement, certificats de réalisation).",
        people="Jeunes en formation ; formateurs et formatrices.",
        data="Inscriptions, présences et retards, signatures d'émargement, observations de compétences, photos de preuve.",
        sensitive="Aucune.",
        recipients={
            Role.TRAINER: "les promotions de son école",
            Role.SCHOOL_MANAGER: "son école",
            Role.NETWORK_STAFF: "les écoles du réseau",
            Role.LEARNER: "sa progression, ses présences, ses documents",
            Role.FUNDER: "certificats de réalisation des actions qu'il finance (OPCO)",
        },
        retention=("training_proofs",),
    ),
    Processing(
        key="accompagnement",
        name="Accompagnement socio-professionnel",
        purpose="Repérer les freins à la formation et à l'emploi (logement, mobilité, santé…), mener les actions, tenir le journal de l'accompagnement.",
        legal_basis="Mission d'intérêt public ; consentement pour le partage avec le prescripteur.",
        people="Jeunes accompagné·es.",
        data="Freins et leur niveau, actions et partenaires, journal (dont notes confidentielles chiffrées), consentements.",
        sensitive="Santé, situation judiciaire ou familiale quand elles freinent le parcours : texte chiffré, lecture des notes confidentielles tracée.",
        recipients={
            Role.SOCIAL_WORKER: "tout l'accompagnement de son école, notes confidentielles comprises",
            Role.SCHOOL_MANAGER: "l'accompagnement de son école, sans les notes confidentielles",
            Role.TRAINER: "les freins sauf la santé",
            Role.PRESCRIBER: "catégories et niveaux des freins, tant que le ou la jeune y consent",
            Role.LEARNER: "ses freins et ses actions ; ses accords, qu'il ou elle peut retirer",
        },
        retention=("support_notes",),
    ),
    Processing(
        key="stages",
        name="Stages et offres",
        purpose="Conventions de stage signées en ligne, évaluation par le tuteur ou la tutrice, offres et candidatures.",
        legal_basis="Exécution du contrat de formation ; obligation légale (convention de stage).",
        people="Jeunes ; tuteurs et tutrices en entreprise.",
        data="Dates et lieu du stage, signatures de la convention, évaluation du tuteur, candidatures.",
        sensitive="Aucune.",
        recipients={
            Role.TRAINER: "les stages de son école",
            Role.SCHOOL_MANAGER: "son école",
            Role.LEARNER: "ses stages et candidatures",
        },
        retention=("training_proofs",),
    ),
    Processing(
        key="attestations",
        name="Attestations de compétences",
        purpose="Délivrer l'attestation (PDF et badge numérique signé) et permettre à quiconque d'en vérifier l'authenticité.",
        legal_basis="Exécution du contrat de formation ; intérêt légitime de la personne à prouver ses compétences.",
        people="Jeunes ayant suivi la formation.",
        data="Nom, formation, compétences acquises, dates, signature de l'école.",
        sensitive="Aucune.",
        recipients={
            Role.LEARNER: "ses attestations",
            Role.SCHOOL_MANAGER: "les attestations de son école",
            "public": "la page de vérification, sur présentation du lien par la personne",
        },
        retention=("attestations",),
    ),
    Processing(
        key="sorties",
        name="Sorties, suivis et mesure d'impact",
        purpose="Enregistrer la situation à la sortie et aux suivis à 1, 3, 6 et 12 mois ; calculer le taux de sorties positives et rendre compte aux financeurs.",
        legal_basis="Mission d'intérêt public ; obligations de compte rendu des conventions de financement.",
        people="Jeunes sorti·es de formation.",
        data="Catégorie de sortie, type de contrat, employeur, réponses aux suivis.",
        sensitive="Aucune.",
        recipients={
            Role.SCHOOL_MANAGER: "son école",
            Role.NETWORK_STAFF: "le réseau",
            Role.FUNDER: "chiffres agrégés seulement, petits effectifs (1 à 4) masqués",
            "public": "données ouvertes agrégées, petits effectifs masqués",
        },
        retention=("learners",),
    ),
    Processing(
        key="reprise",
        name="Reprise de l'historique d'une école (imports de tableurs)",
        purpose="Reprendre dans Plombiers ce qu'une école tenait dans des tableurs : jeunes et prescriptions, promotions et inscriptions, sorties, entreprises partenaires.",
        legal_basis="Mission d'intérêt public d'insertion (RGPD art. 6-1-e), pour les mêmes finalités que les traitements repris.",
        people="Jeunes et tuteurs ou tutrices nommés dans les tableurs.",
        data="Le contenu du fichier déposé, le temps de l'essai et de l'import ; ensuite seulement les fiches créées et le compte rendu (nombres, lignes en erreur).",
        sensitive="Aucune.",
        recipients={
            Role.SCHOOL_MANAGER: "les imports de son école",
            Role.NETWORK_STAFF: "les imports des écoles du réseau",
        },
        retention=("import_files",),
    ),
    Processing(
        key="partenaires",
        name="Transmission aux outils des partenaires (webhooks)",
        purpose="Prévenir l'outil d'un partenaire (une Mission locale…) des décisions, inscriptions, sorties et suivis qu'il peut déjà lire par l'API, pour qu'il n'ait pas à les ressaisir.",
        legal_basis="Mission d'intérêt public d'insertion ; intérêt légitime du prescripteur à suivre les jeunes qu'il oriente (RGPD art. 6-1-e et 6-1-f).",
        people="Jeunes orienté·es par la structure abonnée.",
        data="Ce que l'API montre à un membre de la structure abonnée, jamais plus ; messages signés (HMAC-SHA256) vers une adresse https déclarée.",
        sensitive="Aucune.",
        recipients={
            Role.PRESCRIBER: "dans l'outil de sa structure, les événements de ses propres prescriptions",
            Role.NETWORK_STAFF: "le journal des envois des structures du réseau",
        },
        retention=("webhook_deliveries",),
    ),
    Processing(
        key="comptes",
        name="Comptes, sécurité et journal d'audit",
        purpose="Authentifier les utilisateurs, limiter les tentatives, tracer les actions importantes et les lectures de notes confidentielles.",
        legal_basis="Obligation de sécurité (RGPD art. 32) ; intérêt légitime.",
        people="Tous les utilisateurs.",
        data="Adresse e-mail, nom, rôle, second facteur, jetons d'API, invitations à rejoindre l'équipe, journal des actions.",
        sensitive="Aucune.",
        recipients={
            Role.NETWORK_STAFF: "le journal d'audit du réseau",
            Role.SCHOOL_MANAGER: "le journal d'audit de son école",
        },
        retention=("audit", "team_invitations"),
    ),
)


def _role_label(role: str) -> str:
    return "Public" if role == "public" else Role(role).label


def _retention_text(key: str, rules: dict) -> str:
    rule = rules.get(key)
    if rule is None:
        return f"{key} : durée à fixer (table de conservation)"
    months = rule.months
    duration = f"{months // 12} an{'s' if months >= 24 else ''}" if months % 12 == 0 else f"{months} mois"
    return f"{rule.label} : {rule.action_label} {duration} après {rule.counted_from}"


def security_measures() -> list[tuple[str, str]]:
    """Read from the settings in force, not written by hand."""
    throttle = getattr(settings, "PLOMBIERS_LOGIN_THROTTLE", {})
    mfa = ", ".join(getattr(settings, "MFA_SUPPORTED_TYPES", [])) or "non configurée"
    return [
        (
            "Chiffrement au repos",
            "textes sensibles (notes, motivations, commentaires) chiffrés par clés Fernet tournantes",
        ),
        (
            "Double authentification",
            f"{mfa} ; obligatoire pour l'équipe après {getattr(settings, 'PLOMBIERS_MFA_GRACE_DAYS', '?')} jours",
        ),
        (
            "Limitation des tentatives",
            f"{throttle.get('pair_failures', '?')} échecs par compte et adresse en {throttle.get('window_minutes', '?')} minutes",
        ),
        (
            "Jetons d'API",
            f"durée {getattr(settings, 'PLOMBIERS_API_TOKEN_DAYS', '?')} jours, au plus {getattr(settings, 'PLOMBIERS_API_TOKEN_MAX_DAYS', '?')}",
        ),
        (
            "Cookies",
            "sécurisés (HTTPS)" if settings.SESSION_COOKIE_SECURE else "non sécurisés (développement)",
        ),
        (
            "Cloisonnement",
            "chaque lecture passe par visible_to(user) ; les autres écoles voient une page introuvable",
        ),
        (
            "Journal d'audit",
            "ajout seul, chaîné par empreintes SHA-256, vérifié par « plombiers audit verify »",
        ),
    ]


def register() -> list[dict]:
    rules = retention_rules()
    return [
        {
            "processing": p,
            "recipients": [(_role_label(role), what) for role, what in p.recipients.items()],
            "retention": [_retention_text(key, rules) for key in p.retention],
        }
        for p in PROCESSINGS
    ]


def register_document() -> dict:
    """The data of the PDF (plombiers/documents/typst/registre.typ)."""
    processings = []
    for item in register():
        p = item["processing"]
        fields = [
            ["Finalité", p.purpose],
            ["Base légale", p.legal_basis],
            ["Personnes concernées", p.people],
            ["Données", p.data],
            ["Données sensibles", p.sensitive],
            ["Destinataires", " ; ".join(f"{role} : {what}" for role, what in item["recipients"])],
            ["Conservation", " ; ".join(item["retention"])],
        ]
        processings.append({"name": p.name, "fields": fields})
    return {
        "provider": {"name": "Plombiers"},
        "intro": "Registre tenu par la tête de réseau, produit à partir du code et des réglages de l'application.",
        "security": [[label, text] for label, text in security_measures()],
        "processings": processings,
        "footer": "Voir aussi docs/privacy.md : analyse d'impact (AIPD) et exercice des droits.",
    }
