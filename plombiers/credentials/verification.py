"""Verifying any credential: the proof is recomputed from the document itself (canonical form,
hashes, Ed25519), against the issuer keys this site publishes; the status is read from the
school's signed status list. Nothing is taken from the attestation's row in the database."""

import datetime as dt
import functools
import hashlib
import json
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

import jsonschema
from django.conf import settings
from django.urls import Resolver404, resolve

from plombiers.lib.text import que

from . import status
from .models import IssuerKey, StatusList
from .proof import ProofError, check, public_key_from_multibase, single_proof
from .standards import schema

AUTHENTIC, REVOKED, TAMPERED, UNKNOWN_ISSUER, INVALID = (
    "authentique",
    "revoquee",
    "alteree",
    "emetteur_inconnu",
    "invalide",
)
LABELS = {
    AUTHENTIC: "Attestation authentique",
    REVOKED: "Attestation révoquée",
    TAMPERED: "Attestation modifiée ou falsifiée",
    UNKNOWN_ISSUER: "Émetteur inconnu",
    INVALID: "Document invalide",
}


#: The checks a verification makes, in order, with their plain-French names.
CHECKS = {
    "schema": "Format Open Badges 3.0",
    "issuer": "Clé de l'émetteur",
    "signature": "Signature",
    "status": "Révocation",
    "period": "Dates de validité",
}


@dataclass
class Check:
    """One check: made or not, its result, and in plain French what was found."""

    code: str
    label: str
    made: bool
    passed: bool | None
    detail: str


@dataclass
class Verdict:
    status: str
    reasons: list[str] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)
    controls: list[Check] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return self.status == AUTHENTIC

    @property
    def revoked(self) -> bool:
        return self.status == REVOKED

    @property
    def label(self) -> str:
        return LABELS[self.status]

    def as_dict(self) -> dict:
        return {"verified": self.verified, "label": self.label, **asdict(self)}


class _Report:
    """What `verify` found, check by check; the checks it could not make say why."""

    def __init__(self):
        self.results: dict[str, tuple[bool, str]] = {}

    def record(self, code: str, passed: bool, detail: str) -> bool:
        self.results[code] = (passed, detail)
        return passed

    def verdict(self, status: str, reasons: list[str], *, skipped: str = "") -> Verdict:
        controls = []
        for code, label in CHECKS.items():
            if code in self.results:
                passed, detail = self.results[code]
                controls.append(Check(code, label, True, passed, detail))
            else:
                controls.append(Check(code, label, False, None, f"Non vérifié : {skipped}."))
        checks = {code: passed for code, (passed, _detail) in self.results.items()}
        return Verdict(status, reasons, checks, controls)


@functools.cache
def _validator():
    return jsonschema.Draft201909Validator(
        schema("achievementcredential"), format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )


def schema_errors(document: dict) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or 'document'} : {error.message}"
        for error in sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    ][:10]


def own_route(url, view_name: str) -> dict | None:
    """The URL arguments when `url` points to this site's view `view_name`, else None."""
    if not isinstance(url, str) or not url.startswith(settings.SITE_URL + "/"):
        return None
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.kwargs if match.view_name == view_name else None


def _issuer_key(verification_method: str, issuer_id: str):
    """The published public key named by the proof, when it is one of this site's issuers'
    and belongs to the credential's issuer."""
    controller, _, fragment = verification_method.partition("#")
    if controller != issuer_id:
        return None, "La clé de la preuve n'appartient pas à l'émetteur de l'attestation."
    route = own_route(controller, "credentials:issuer")
    if route is None:
        return None, "Cet émetteur n'est pas un établissement connu de ce service de vérification."
    key = IssuerKey.objects.filter(school__slug=route["slug"], public_key_multibase=fragment).first()
    if key is None:
        return None, "La clé de la preuve n'est pas une clé publiée par cet émetteur."
    return public_key_from_multibase(key.public_key_multibase), ""


def issuer_id(document: dict) -> str:
    issuer = document.get("issuer")
    return issuer.get("id", "") if isinstance(issuer, dict) else issuer if isinstance(issuer, str) else ""


def _revoked(document: dict) -> tuple[bool | None, str]:
    entry = document.get("credentialStatus")
    if entry is None:
        return False, ""
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return None, "Statut de révocation illisible."
    route = own_route(entry.get("statusListCredential"), "credentials:status_list")
    if route is None:
        return None, "La liste de statut n'est pas publiée par ce service."
    status_list = StatusList.objects.filter(school__slug=route["slug"]).first()
    if status_list is None or not status_list.credential:
        return None, "La liste de statut de l'émetteur est introuvable."
    published = json.loads(status_list.credential)
    if published.get("issuer") != issuer_id(document):
        return None, "La liste de statut n'est pas celle de l'émetteur de l'attestation."
    subject = published.get("credentialSubject")
    if entry.get("statusPurpose") != "revocation" or not isinstance(subject, dict):
        return None, "Statut de révocation illisible."
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        return None, "La liste de statut n'a pas l'objet annoncé par l'attestation."
    if not _status_list_authentic(status_list.credential, published):
        return None, "La liste de statut publiée n'est pas authentique."
    try:
        bits = status.decode(published["credentialSubject"]["encodedList"])
        return status.is_set(bits, int(entry.get("statusListIndex"))), ""
    except (KeyError, TypeError, ValueError, IndexError):
        return None, "Position illisible dans la liste de statut."


# The proof of a given status list text is checked once per process: the list changes (and so
# its text and digest) on each revocation, and published keys are never withdrawn.
_authentic_lists: dict[str, bool] = {}  # digest → True, positives only


def _status_list_authentic(text: str, published: dict) -> bool:
    digest = hashlib.sha256(text.encode()).hexdigest()
    if digest in _authentic_lists:
        return True
    if not _status_list_proof_ok(published):
        return False
    if len(_authentic_lists) > 10_000:
        _authentic_lists.clear()
    _authentic_lists[digest] = True
    return True


def _status_list_proof_ok(published: dict) -> bool:
    return verify_status_list(published).verified


def _date_fr(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%d/%m/%Y")


def _period(document: dict, now: dt.datetime) -> tuple[bool, str]:
    try:
        valid_from = dt.datetime.fromisoformat(document["validFrom"].replace("Z", "+00:00"))
        valid_until = document.get("validUntil")
        until = dt.datetime.fromisoformat(valid_until.replace("Z", "+00:00")) if valid_until else None
    except (AttributeError, KeyError, TypeError, ValueError):
        return False, "Les dates de validité sont absentes ou illisibles."
    if now < valid_from:
        return False, f"Pas encore valide : elle ne l'est qu'à partir du {_date_fr(valid_from)}."
    if until is not None and until < now:
        return False, f"Expirée : elle n'était valide que jusqu'au {_date_fr(until)}."
    return True, f"Valide depuis le {_date_fr(valid_from)}" + (
        f", jusqu'au {_date_fr(until)}." if until else ", sans date de fin."
    )


def _signed(document: dict, report: _Report, issuer_name: str) -> tuple[str, list[str]] | None:
    """The issuer's key and the signature: None when both hold, else the verdict's status and
    reasons."""
    proof = single_proof(document)
    if proof is None or not isinstance(proof.get("verificationMethod"), str):
        report.record("issuer", False, "Le document n'est pas signé : il ne contient aucune preuve.")
        return INVALID, ["Le document n'est pas signé (aucune preuve)."]
    key, problem = _issuer_key(proof["verificationMethod"], issuer_id(document))
    if key is None:
        report.record("issuer", False, problem)
        return UNKNOWN_ISSUER, [problem]
    report.record(
        "issuer",
        True,
        f"La clé de la signature est l'une de celles {que(issuer_name or 'l’émetteur')} publie "
        f"({issuer_id(document)}).",
    )
    try:
        problems = check(document, key)
    except ProofError as error:
        problems = [str(error)]
    if problems:
        report.record("signature", False, " ".join(problems))
        return TAMPERED, problems
    report.record(
        "signature",
        True,
        "La signature (Data Integrity eddsa-rdfc-2022) correspond au contenu : rien n'a changé "
        "depuis la signature.",
    )
    return None


def verify(document, *, now: dt.datetime | None = None) -> Verdict:
    """Check a credential: format, issuer's key, signature, revocation, validity dates. Each
    check says what it found; those that could not be made say why."""
    report = _Report()
    if not isinstance(document, dict):
        reason = "Le fichier n'est pas un credential JSON (un objet est attendu)."
        report.record("schema", False, reason)
        return report.verdict(INVALID, [reason], skipped="le fichier n'est pas un credential")
    errors = schema_errors(document)
    if errors:
        report.record("schema", False, "Le fichier ne suit pas le format Open Badges 3.0 : " + errors[0])
        return report.verdict(
            INVALID,
            ["Le document ne respecte pas le schéma Open Badges 3.0.", *errors],
            skipped="le fichier n'est pas une attestation Open Badges 3.0",
        )
    report.record("schema", True, "Le fichier suit le format Open Badges 3.0 (schéma officiel).")
    issuer = document.get("issuer")
    failure = _signed(document, report, issuer.get("name", "") if isinstance(issuer, dict) else "")
    if failure:
        return report.verdict(*failure, skipped="sans signature valide, le contenu ne peut être cru")
    now = now or dt.datetime.now(dt.UTC)
    in_period, period = _period(document, now)
    report.record("period", in_period, period)
    reasons = [] if in_period else [period]
    revoked, problem = _revoked(document)
    if revoked:
        report.record("status", False, "Révoquée : l'école l'a inscrite sur sa liste de révocation signée.")
        return report.verdict(REVOKED, ["L'émetteur a révoqué cette attestation.", *reasons])
    if revoked is None:
        report.record("status", False, problem)
        reasons.append(problem)
    elif document.get("credentialStatus") is None:
        report.record(
            "status", True, "Non révocable : l'attestation ne renvoie à aucune liste de révocation."
        )
    else:
        report.record(
            "status", True, "Non révoquée : la liste de révocation signée de l'école a été consultée."
        )
    if reasons:
        return report.verdict(INVALID, reasons)
    return report.verdict(
        AUTHENTIC, ["Signature vérifiée avec la clé publiée par l'émetteur.", "Non révoquée."]
    )


def verify_status_list(document, *, now: dt.datetime | None = None) -> Verdict:
    """Check a school's status list credential: issuer's key, signature, validity dates."""
    report = _Report()
    types = document.get("type") if isinstance(document, dict) else None
    if not isinstance(types, list) or "BitstringStatusListCredential" not in types:
        reason = "Ce n'est pas une liste de statut (BitstringStatusListCredential)."
        report.record("schema", False, reason)
        return report.verdict(INVALID, [reason], skipped="ce n'est pas une liste de statut")
    report.record("schema", True, "Le fichier est une liste de statut (Bitstring Status List).")
    failure = _signed(document, report, "")
    if failure:
        return report.verdict(*failure, skipped="sans signature valide, le contenu ne peut être cru")
    in_period, period = _period(document, now or dt.datetime.now(dt.UTC))
    report.record("period", in_period, period)
    if not in_period:
        return report.verdict(INVALID, [period])
    return report.verdict(AUTHENTIC, ["Signature vérifiée avec la clé publiée par l'émetteur."])
