"""How long Plombiers keeps what, and what becomes of it afterwards: the rules as data.

Everything that states a retention period reads this table — the purge
(`plombiers purge`, run every night by `plombiers daily`), the information notice a young person
signs (support's `notice.typ`) and the public page « Conservation des données »
(`/confidentialite/conservation/`) — so that the promise and the practice cannot disagree.

Each rule has a default duration, in months, that matches the notice (« notes supprimées un an
après la fin du suivi, le reste anonymisé après cinq ans »); a network may set its own duration
per rule (`RetentionSetting`), never below `minimum_months` when a legal obligation keeps the
record that long.

Sources:
- CNIL, référentiel relatif aux traitements de données à caractère personnel mis en œuvre dans le
  cadre de l'accueil, de l'hébergement et de l'accompagnement social et médico-social
  (délibération n° 2021-028 du 25 février 2021): the data of a person supported is kept for the
  time of the support, then archived only as long as needed, then deleted or anonymised.
- Funded training (OPCO, France Compétences, the State's and the Regions' controls) and the
  Qualiopi audits ask the training body to prove that each funded action took place: attendance
  sheets, certificates of completion, evaluations. The period is the one of the funding agreement
  (the OPCO convention states it; most ask three to five years). We keep these proofs five years
  after the end of the training, the longest period usually asked, and say so: a network bound by
  a longer convention raises it.
- Accounting documents (invoices to OPCOs and funders): ten years, Code de commerce art. L123-22.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import models


class RetentionAction(models.TextChoices):
    DELETE = "delete", "supprimé"
    ANONYMISE = "anonymise", "anonymisé"
    KEEP = "keep", "conservé"


CNIL_SOCIAL = (
    "CNIL, référentiel « accompagnement social et médico-social », délibération n° 2021-028 "
    "du 25 février 2021"
)
TRAINING_CONTROLS = (
    "Contrôles des actions de formation financées (OPCO, France Compétences) et audits Qualiopi : "
    "durée fixée par la convention de financement ; nous retenons cinq ans"
)


@dataclass(frozen=True)
class RetentionRule:
    key: str
    #: What it applies to, in plain French.
    label: str
    #: The default duration, in months.
    months: int
    #: What the duration counts from, in plain French (« après … »).
    counted_from: str
    action: RetentionAction
    reason: str
    source: str
    #: A network may shorten a rule only down to this (a legal obligation keeps the record).
    minimum_months: int = 1

    @property
    def action_label(self) -> str:
        return RetentionAction(self.action).label


RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        key="support_notes",
        label="Notes d'accompagnement : journal, résumés des freins, résultats des actions",
        months=12,
        counted_from="le dernier suivi après la sortie (ou la sortie quand il n'y a pas de suivi)",
        action=RetentionAction.DELETE,
        reason=(
            "Ces notes servent à accompagner la personne ; une fois le suivi fini, elles ne "
            "servent plus. Les catégories de freins et leur levée restent, sans texte, pour les "
            "indicateurs."
        ),
        source=CNIL_SOCIAL,
    ),
    RetentionRule(
        key="referrals_not_admitted",
        label="Personnes orientées mais jamais entrées en formation (prescriptions sans admission)",
        months=24,
        counted_from="la dernière étape de leur prescription",
        action=RetentionAction.ANONYMISE,
        reason=(
            "Garder deux ans permet de reprendre une candidature et de répondre au prescripteur ; "
            "au-delà, seules les statistiques d'orientation restent."
        ),
        source=CNIL_SOCIAL,
    ),
    RetentionRule(
        key="learners",
        label="Dossier de la personne : identité, coordonnées, parcours, sortie et suivis",
        months=60,
        counted_from=(
            "sa dernière activité (la plus récente de : création du dossier, étape d'une "
            "prescription, entrée ou fin de formation, demi-journée notée, sortie, réponse à un suivi)"
        ),
        action=RetentionAction.ANONYMISE,
        reason=(
            "Prouver aux financeurs que la formation a eu lieu et mesurer les sorties. Ensuite la "
            "personne devient « Personne anonymisée n° … » : année de naissance, commune, genre et "
            "catégories des indicateurs restent, noms, coordonnées et textes libres sont effacés."
        ),
        source=f"{CNIL_SOCIAL} ; {TRAINING_CONTROLS}",
        minimum_months=60,
    ),
    RetentionRule(
        key="training_proofs",
        label=(
            "Feuilles d'émargement (images de signature, justificatifs d'absence) et photos de "
            "preuve des gestes"
        ),
        months=60,
        counted_from="la fin de la formation",
        action=RetentionAction.DELETE,
        reason=(
            "Preuves que la formation financée a eu lieu et que les acquis ont été évalués ; les "
            "images et fichiers sont effacés à la fin de cette durée, la présence (présent, absent) "
            "reste pour les indicateurs."
        ),
        source=TRAINING_CONTROLS,
        minimum_months=60,
    ),
    RetentionRule(
        key="attestations",
        label="Attestations de compétences (credential signé)",
        months=60,
        counted_from="la délivrance, puis sans limite sous forme anonymisée",
        action=RetentionAction.KEEP,
        reason=(
            "La personne doit pouvoir la montrer toute sa vie : le credential signé ne contient ni "
            "nom ni date de naissance (une empreinte salée) et reste vérifiable ; le nom est retiré "
            "de l'attestation quand la personne est anonymisée."
        ),
        source=TRAINING_CONTROLS,
        minimum_months=60,
    ),
    RetentionRule(
        key="invoices",
        label="Factures et pièces comptables des financements (OPCO, subventions)",
        months=120,
        counted_from="la clôture de l'exercice",
        action=RetentionAction.KEEP,
        reason="Obligation comptable ; elles ne contiennent pas de données sur les jeunes.",
        source="Code de commerce, article L123-22",
        minimum_months=120,
    ),
    RetentionRule(
        key="webhook_deliveries",
        label="Journal des webhooks envoyés aux outils des partenaires (le corps de chaque message)",
        months=1,
        counted_from="l'envoi",
        action=RetentionAction.DELETE,
        reason=(
            "Le journal sert au partenaire à voir ce qui est parti et à redemander un envoi manqué ; "
            "chaque message porte ce que le partenaire voit déjà par l'API (des noms) : il n'a pas à "
            "rester ici plus longtemps."
        ),
        source="RGPD, article 5.1.e (limitation de la conservation)",
    ),
    RetentionRule(
        key="import_files",
        label="Fichiers de tableurs déposés pour un import (jeunes, entreprises, promotions)",
        months=1,
        counted_from="leur dépôt ; dès l'import fait, le fichier est effacé et seules ses lignes importées restent",
        action=RetentionAction.DELETE,
        reason=(
            "Un fichier déposé mais jamais importé n'a plus d'usage : son contenu (des personnes) est "
            "effacé, le compte rendu de l'essai (nombres, lignes en erreur) reste."
        ),
        source="RGPD, article 5.1.e (limitation de la conservation)",
    ),
    RetentionRule(
        key="team_invitations",
        label="Invitations à rejoindre l'équipe restées sans réponse (adresse e-mail, rôle, école)",
        months=3,
        counted_from="leur expiration ou leur révocation ; une invitation acceptée reste avec le compte",
        action=RetentionAction.DELETE,
        reason=(
            "Une invitation expirée ou révoquée ne sert plus qu'à voir qu'elle a été envoyée : "
            "l'adresse d'une personne qui n'a pas rejoint l'équipe n'a pas à rester."
        ),
        source="RGPD, article 5.1.e (limitation de la conservation)",
    ),
    RetentionRule(
        key="audit",
        label="Journal d'audit (qui a fait quoi, qui a lu une note confidentielle)",
        months=12,
        counted_from=(
            "l'anonymisation ou la suppression de ce qu'il concerne ; il ne contient que des "
            "identifiants et des nombres, jamais de nom"
        ),
        action=RetentionAction.KEEP,
        reason=(
            "Choix : le journal est chaîné (chaque événement scelle le précédent) et ne peut être "
            "modifié ; il est gardé entier pour rester vérifiable. Il ne contient aucun nom : une "
            "fois la personne anonymisée, il ne désigne plus personne."
        ),
        source="RGPD, article 32 (sécurité) ; CNIL, recommandation sur la journalisation (2021)",
    ),
)

RULES_BY_KEY = {rule.key: rule for rule in RULES}


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the last day of the month when it has fewer days)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_for(network, key: str) -> int:
    """The duration of one rule for one network: its own setting, or the default."""
    from .models import RetentionSetting

    rule = RULES_BY_KEY[key]
    if network is None:
        return rule.months
    setting = RetentionSetting.objects.filter(network=network, key=key).values_list("months", flat=True)
    return max(next(iter(setting), rule.months), rule.minimum_months)


@dataclass(frozen=True)
class Row:
    rule: RetentionRule
    months: int

    @property
    def duration(self) -> str:
        """« 12 mois », « 5 ans »…"""
        if self.months % 12 == 0:
            years = self.months // 12
            return f"{years} an{'s' if years > 1 else ''}"
        return f"{self.months} mois"


def table(network=None) -> list[Row]:
    """Every rule with the duration that applies to `network` (the defaults without one)."""
    from .models import RetentionSetting

    own = (
        dict(RetentionSetting.objects.filter(network=network).values_list("key", "months"))
        if network is not None
        else {}
    )
    return [Row(rule, max(own.get(rule.key, rule.months), rule.minimum_months)) for rule in RULES]


def retention_settings_update(*, network, months: dict[str, int], by) -> int:
    """A network's own durations: a duration equal to the default removes the network's setting.
    Audited with the new durations. Returns how many rules changed."""
    from django.db import transaction

    from .models import RetentionSetting
    from .services import audit_log

    changed = {}
    with transaction.atomic():
        current = {row.rule.key: row.months for row in table(network)}
        for key, value in months.items():
            rule = RULES_BY_KEY[key]
            value = max(int(value), rule.minimum_months)
            if value == current[key]:
                continue
            if value == rule.months:
                RetentionSetting.objects.filter(network=network, key=key).delete()
            else:
                RetentionSetting.objects.update_or_create(
                    network=network, key=key, defaults={"months": value}
                )
            changed[key] = value
        if changed:
            audit_log(actor=by, action="privacy.retention_changed", obj=network, details={"months": changed})
    return len(changed)
