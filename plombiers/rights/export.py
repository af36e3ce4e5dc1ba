"""The subject-access export (RGPD art. 15): every record about a person, in one ZIP.

The ZIP holds `donnees.json` (every record, field by field), `resume.pdf` (the same in plain
French, for reading) and `fichiers/` (the evidence photos and the attendance proofs). `SECTIONS`
names every model that holds data about a learner and how to reach its rows from the person's
records; `plombiers/rights/tests/test_export.py` walks the relation graph and fails when a model
that links to a learner is neither here nor in `NOT_EXPORTED` (with its reason).

Two readers:
- **the young person** (« Mes données »): all their records, in every school that knew them — their
  data is theirs. Confidential notes of the social worker are listed (date, kind) but their text is
  not given by the self-service download: it may hold what third parties confided (art. 15 (4)); the
  school's social worker hands it over on request after reading it (docs/privacy.md);
- **the school's staff** (on the person's page, or the API): what they may read of that record,
  through each model's `visible_to` — the social worker of the school gets the confidential notes,
  and each one read is audited as on the pages.

Technical secrets never leave: password hashes, token hashes, link nonces, second-factor secrets.
"""

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from plombiers.accounts.models import User
from plombiers.referrals.models import Learner

CONFIDENTIAL_WITHHELD = (
    "Note confidentielle de l'accompagnement : son texte vous est communiqué sur demande, après "
    "relecture par l'école (il peut contenir ce que d'autres personnes ont confié)."
)
OMITTED_FIELDS = {
    "password",
    "key_hash",
    "password_fingerprint",
    "nonce",
    "link_nonce",
    "idempotency_key",
    "identity_key",
}
OMITTED_BY_MODEL = {"mfa.authenticator": {"data"}}  # the second factor's secret


@dataclass(frozen=True)
class Section:
    key: str
    model: str  # app_label.ModelName
    title: str  # in plain French, for the summary
    rows: Callable[[list[int], User | None], Q]  # learner ids, the person's account → the rows


def _path(path: str) -> Callable[[list[int], User | None], Q]:
    return lambda ids, user: Q(**{f"{path}__in": ids})


def _user(path: str = "user") -> Callable[[list[int], User | None], Q]:
    return lambda ids, user: Q(**{path: user.pk}) if user is not None else Q(pk__in=[])


def _signatures(ids, user):
    attendance = apps.get_model("cohorts", "Attendance").objects.filter(enrolment__learner__in=ids)
    mine = Q(user=user.pk) if user is not None else Q(pk__in=[])
    return Q(pk__in=attendance.exclude(signature=None).values("signature")) | mine


def _audit(ids, user):
    """Who read their confidential notes, and what they did themselves in the application."""
    read = Q(action="support.journal.read_confidential", details__learner__in=ids)
    return read | (Q(actor=user.pk) if user is not None else Q(pk__in=[]))


SECTIONS = [
    Section("identite", "referrals.Learner", "Votre identité et votre situation", _path("pk")),
    Section("compte", "accounts.User", "Votre compte", _user("pk")),
    Section("adresses_email", "account.EmailAddress", "Vos adresses e-mail de connexion", _user()),
    Section("rattachements", "accounts.Membership", "Vos rattachements à une école", _user()),
    Section("double_authentification", "mfa.Authenticator", "Votre double authentification", _user()),
    Section("jetons_api", "accounts.ApiToken", "Vos jetons d'accès à l'API", _user()),
    Section(
        "invitations_equipe",
        "invitations.TeamInvitation",
        "Vos invitations à rejoindre une équipe",
        _user("accepted_by"),
    ),
    Section("prescriptions", "referrals.Referral", "Vos prescriptions", _path("learner")),
    Section(
        "historique_prescriptions",
        "referrals.ReferralEvent",
        "L'historique de vos prescriptions",
        _path("referral__learner"),
    ),
    Section(
        "invitations",
        "referrals.Invitation",
        "Vos invitations aux informations collectives",
        _path("referral__learner"),
    ),
    Section(
        "informations_collectives",
        "referrals.InformationSession",
        "Les informations collectives",
        _path("referrals__learner"),
    ),
    Section("inscriptions", "cohorts.Enrolment", "Vos inscriptions en formation", _path("learner")),
    Section(
        "liste_attente", "cohorts.WaitlistEntry", "Vos places en liste d'attente", _path("referral__learner")
    ),
    Section("presences", "cohorts.Attendance", "Vos présences", _path("enrolment__learner")),
    Section(
        "historique_assiduite",
        "cohorts.AttendanceHistory",
        "Vos heures par mois reprises des tableurs de l'école (historique importé)",
        _path("enrolment__learner"),
    ),
    Section(
        "corrections_presences",
        "cohorts.AttendanceAmendment",
        "Les corrections de vos présences",
        _path("attendance__enrolment__learner"),
    ),
    Section("signatures", "cohorts.Signature", "Vos signatures d'émargement", _signatures),
    Section(
        "codes_emargement",
        "cohorts.SigningCodeAttempt",
        "Vos émargements par code",
        _path("enrolment__learner"),
    ),
    Section(
        "observations", "skills.Observation", "Les gestes observés en formation", _path("enrolment__learner")
    ),
    Section(
        "preuves",
        "skills.Evidence",
        "Les photos et preuves de vos gestes",
        _path("observation__enrolment__learner"),
    ),
    Section("freins", "support.Barrier", "Les freins repérés avec vous", _path("learner")),
    Section("actions", "support.Action", "Les actions de votre accompagnement", _path("barrier__learner")),
    Section("journal", "support.JournalEntry", "Le journal de votre accompagnement", _path("learner")),
    Section("consentements", "support.Consent", "Vos accords (consentements)", _path("learner")),
    Section("alertes", "alerts.Alert", "Les alertes de suivi à votre sujet", _path("enrolment__learner")),
    Section(
        "enquetes",
        "surveys.SurveyInvitation",
        "Les questionnaires qui vous ont été envoyés",
        _path("enrolment__learner"),
    ),
    Section(
        "reponses_enquetes",
        "surveys.SurveyAnswer",
        "Vos réponses aux questionnaires",
        _path("invitation__enrolment__learner"),
    ),
    Section("stages", "internships.Internship", "Vos stages", _path("enrolment__learner")),
    Section(
        "signatures_convention",
        "internships.ConventionSignature",
        "Les signatures de vos conventions de stage",
        _path("internship__enrolment__learner"),
    ),
    Section(
        "evaluations_tuteur",
        "internships.TutorEvaluation",
        "L'avis de vos tuteurs et tutrices",
        _path("internship__enrolment__learner"),
    ),
    Section(
        "candidatures", "internships.Application", "Vos candidatures aux offres", _path("enrolment__learner")
    ),
    Section(
        "attestations",
        "credentials.Attestation",
        "Vos attestations de compétences",
        _path("enrolment__learner"),
    ),
    Section("sorties", "outcomes.Exit", "Votre sortie de formation", _path("enrolment__learner")),
    Section(
        "suivis",
        "outcomes.FollowUp",
        "Les nouvelles prises après votre sortie",
        _path("exit__enrolment__learner"),
    ),
    Section(
        "demandes_rectification",
        "rights.RectificationRequest",
        "Vos demandes de rectification",
        _path("learner"),
    ),
    Section("demandes_effacement", "privacy.ErasureRequest", "Vos demandes d'effacement", _path("learner")),
    Section(
        "journal_audit", "privacy.AuditEvent", "Qui a lu vos notes confidentielles, et vos actions", _audit
    ),
]

# Models that link to a learner (or to any user) and are not in the export, each with its reason.
NOT_EXPORTED = {
    "admin.LogEntry": "l'administration technique ; les jeunes n'y ont pas accès",
    "cohorts.Cohort": "la promotion elle-même (ses formateurs) ; la vôtre est nommée dans vos inscriptions",
    "cohorts.TrainingSession": "le calendrier de la promotion ; chaque présence nomme sa demi-journée",
    "internships.Offer": "les offres publiées par l'équipe ; vos candidatures sont exportées",
    "funding.Grant": "les subventions de l'école, sans donnée sur les jeunes",
    "funding.GrantPayment": "les versements des subventions, sans donnée sur les jeunes",
    "funding.OpcoFunding": "le financement OPCO d'une promotion, sans donnée nominative",
    "funding.OpcoInvoice": "les factures OPCO d'une promotion, sans donnée nominative",
    "calendars.CalendarFeed": (
        "l'adresse secrète de votre agenda, gardée seulement hachée : vous la voyez, la remplacez et la "
        "révoquez sur « Mon agenda »"
    ),
    "imports.ImportJob": (
        "les imports de tableurs faits par l'équipe ; ce qu'ils ont créé à votre sujet est exporté dans "
        "les rubriques de votre dossier"
    ),
    "webhooks.Subscription": "les abonnements des outils des partenaires, sans donnée sur les jeunes",
}


def _value(obj: models.Model, field: models.Field) -> Any:
    if isinstance(field, models.FileField):
        file = getattr(obj, field.attname)
        return file.name or None
    if field.is_relation:
        return getattr(obj, field.attname)
    value = getattr(obj, field.attname)
    if field.choices and value not in (None, ""):
        return {"code": value, "libelle": str(getattr(obj, f"get_{field.name}_display")())}
    return value


def record(obj: models.Model) -> dict[str, Any]:
    omitted = OMITTED_BY_MODEL.get(obj._meta.label_lower, set())
    return {
        f.name: _value(obj, f)
        for f in obj._meta.concrete_fields
        if f.name not in OMITTED_FIELDS and f.name not in omitted
    }


@dataclass
class Export:
    person: str
    learner_ids: list[int]
    sections: dict[str, list[dict[str, Any]]]
    files: list[tuple[str, Any]]  # (name in the ZIP, FieldFile)
    created_at: dt.datetime


def _queryset(section: Section, *, ids, user, by):
    model = apps.get_model(section.model)
    queryset = model._default_manager.filter(section.rows(ids, user)).distinct().order_by("pk")
    visible_to = getattr(queryset, "visible_to", None)
    if by is not None and visible_to is not None:
        queryset = visible_to(by)
    return queryset


def export_collect(*, learners: list[Learner], by: User | None = None) -> Export:
    """Every record about these learner records (one person). `by`: the staff member who exports
    (their `visible_to` applies); None: the young person themself."""
    from plombiers.support.services import journal_read

    ids = [learner.pk for learner in learners]
    user = next((learner.user for learner in learners if learner.user_id), None)
    sections, files = {}, []
    for section in SECTIONS:
        if section.key == "journal" and by is not None:
            entries = [e for learner in learners for e in journal_read(by=by, learner=learner)]
            rows = [record(e) for e in entries]
        else:
            objects = list(_queryset(section, ids=ids, user=user, by=by))
            rows = [record(o) for o in objects]
            if section.key == "journal":
                for row, entry in zip(rows, objects, strict=True):
                    if entry.is_confidential:
                        row["text"] = CONFIDENTIAL_WITHHELD
            for obj in objects:
                for field in obj._meta.concrete_fields:
                    if isinstance(field, models.FileField) and getattr(obj, field.attname):
                        name = PurePosixPath(getattr(obj, field.attname).name).name
                        files.append((f"fichiers/{section.key}/{obj.pk}-{name}", getattr(obj, field.name)))
        sections[section.key] = rows
    _name_the_readers(sections["journal_audit"])
    first = learners[0]
    return Export(
        person=f"{first.first_name} {first.last_name}",
        learner_ids=ids,
        sections=sections,
        files=files,
        created_at=timezone.now(),
    )


def _name_the_readers(rows: list[dict[str, Any]]) -> None:
    """Who read the notes, by name: an id tells the person nothing (deleted accounts stay ids)."""
    names = {
        pk: f"{first} {last}".strip() or email
        for pk, first, last, email in User.objects.filter(
            pk__in={r["actor"] for r in rows if r["actor"]}
        ).values_list("pk", "first_name", "last_name", "email")
    }
    for row in rows:
        row["actor_name"] = names.get(row["actor"], "")


def export_json(export: Export) -> bytes:
    document = {
        "personne": export.person,
        "exporte_le": export.created_at,
        "sections": {s.key: {"titre": s.title, "enregistrements": export.sections[s.key]} for s in SECTIONS},
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


SUMMARY_ITEMS = 40  # per section in the PDF; the JSON has them all


def _readable(value: Any) -> str | None:
    if value in (None, "", [], {}):
        return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dict) and "libelle" in value:
        return value["libelle"]
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)[:300]
    return str(value)[:2000]


def export_summary(export: Export) -> dict[str, Any]:
    """The data of the PDF summary: each section, its rows as (French label, text) pairs; ids,
    links to other rows and long technical fields are left to the JSON."""
    sections = []
    for section in SECTIONS:
        model = apps.get_model(section.model)
        fields = {
            f.name: str(f.verbose_name)
            for f in model._meta.concrete_fields
            if not f.is_relation and not f.primary_key and f.name not in {"credential", "svg", "snapshot"}
        }
        rows = export.sections[section.key]
        items = []
        for row in rows[:SUMMARY_ITEMS]:
            pairs = [
                (label[:1].upper() + label[1:], _readable(row.get(name))) for name, label in fields.items()
            ]
            items.append([[label, text] for label, text in pairs if text is not None])
        sections.append(
            {
                "title": section.title,
                "count": len(rows),
                "items": items,
                "more": max(0, len(rows) - SUMMARY_ITEMS),
            }
        )
    return {
        "title": f"Les données de {export.person}",
        "provider": {"name": "Plombiers"},
        "intro": (
            f"Ce document reprend, au {timezone.localtime(export.created_at):%d/%m/%Y}, tout ce que "
            "Plombiers enregistre à votre sujet (article 15 du RGPD). Le fichier donnees.json joint "
            "contient les mêmes données, complètes ; le dossier fichiers/ contient vos photos et "
            "justificatifs. Pour faire corriger une donnée, utilisez « Mes données » dans votre espace."
        ),
        "sections": sections,
        "footer": (
            "Vous pouvez demander la rectification ou l'effacement de vos données à votre école, ou "
            "vous adresser à la CNIL (www.cnil.fr)."
        ),
    }


def export_zip(export: Export, *, summary_pdf: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("donnees.json", export_json(export))
        archive.writestr("resume.pdf", summary_pdf)
        for name, file in export.files:
            try:
                with file.open("rb") as handle:
                    archive.writestr(name, handle.read())
            except FileNotFoundError:
                archive.writestr(f"{name}.absent.txt", "Ce fichier n'est plus sur le serveur.")
    return buffer.getvalue()
