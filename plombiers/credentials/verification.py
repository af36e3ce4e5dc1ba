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


@dataclass
class Verdict:
    status: str
    reasons: list[str] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        return self.status == AUTHENTIC

    @property
    def label(self) -> str:
        return LABELS[self.status]

    def as_dict(self) -> dict:
        return {"verified": self.verified, "label": self.label, **asdict(self)}


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
    proof = single_proof(published)
    method = proof.get("verificationMethod", "") if proof else ""
    key, _ = _issuer_key(method, published.get("issuer"))
    return key is not None and not check(published, key)


def verify(document, *, now: dt.datetime | None = None) -> Verdict:
    if not isinstance(document, dict):
        return Verdict(INVALID, ["Le fichier n'est pas un credential JSON (un objet est attendu)."])
    errors = schema_errors(document)
    checks = {"schema": not errors}
    if errors:
        return Verdict(INVALID, ["Le document ne respecte pas le schéma Open Badges 3.0.", *errors], checks)
    proof = single_proof(document)
    if proof is None or not isinstance(proof.get("verificationMethod"), str):
        return Verdict(INVALID, ["Le document n'est pas signé (aucune preuve)."], checks)
    key, problem = _issuer_key(proof["verificationMethod"], issuer_id(document))
    checks["issuer"] = key is not None
    if key is None:
        return Verdict(UNKNOWN_ISSUER, [problem], checks)
    try:
        problems = check(document, key)
    except ProofError as error:
        problems = [str(error)]
    checks["signature"] = not problems
    if problems:
        return Verdict(TAMPERED, problems, checks)
    now = now or dt.datetime.now(dt.UTC)
    reasons = []
    try:
        valid_from = dt.datetime.fromisoformat(document["validFrom"].replace("Z", "+00:00"))
        valid_until = document.get("validUntil")
        in_period = valid_from <= now and (
            valid_until is None or now <= dt.datetime.fromisoformat(valid_until.replace("Z", "+00:00"))
        )
    except (TypeError, ValueError):
        in_period = False
    checks["period"] = in_period
    if not in_period:
        reasons.append("L'attestation n'est pas dans sa période de validité.")
    revoked, problem = _revoked(document)
    checks["status"] = revoked is False
    if revoked:
        return Verdict(REVOKED, ["L'émetteur a révoqué cette attestation.", *reasons], checks)
    if revoked is None:
        reasons.append(problem)
    if reasons:
        return Verdict(INVALID, reasons, checks)
    return Verdict(
        AUTHENTIC, ["Signature vérifiée avec la clé publiée par l'émetteur.", "Non révoquée."], checks
    )
