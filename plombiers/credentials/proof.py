"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C vc-di-eddsa): RDFC-1.0
canonicalisation with pyld and the pinned contexts, SHA-256, Ed25519 with `cryptography`.

The signed data is SHA-256(canonical proof options) ‖ SHA-256(canonical document); the proof
options are the proof without `proofValue`, under the document's `@context`.

Every document is expanded strictly before it is canonicalised, signed or verified. pyld has no
JSON-LD « safe mode »: it silently drops a term that no context defines, and resolves an
undefined type against a base of its own, so it would sign (and verify) triples that no other
processor produces — Digital Bazaar's jsonld.js, in its default safe mode, refuses such a
document, and without safe mode canonicalises it differently. Here a term that expands to no
absolute IRI, a relative reference, or a value dropped on the way, is an error."""

import copy
import hashlib
from dataclasses import dataclass

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld
from pyld.canon import URDNA2015, UnknownFormatError
from pyld.identifier_issuer import IdentifierIssuer

from . import jsonld_cache
from .standards import document_loader

jsonld_cache.install()

CRYPTOSUITE = "eddsa-rdfc-2022"
# Multicodec prefix of an Ed25519 public key (0xed, varint-encoded) in a Multikey.
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"


# Sentinels of the strict expansion: a term no context defines expands under this vocabulary, a
# relative reference resolves under this base (`.invalid` is reserved: no real IRI starts so).
UNDEFINED_VOCAB = "https://terme-non-defini.invalid/#"
RELATIVE_BASE = "https://reference-relative.invalid/"
_PROBE = {"@vocab": UNDEFINED_VOCAB}  # one object, so that the context cache recognises it


class ProofError(ValueError):
    """A document that cannot be canonicalised or a proof that is malformed."""


class IncompleteDocument(ProofError):
    """A document that does not expand completely: a term without definition, a relative
    reference, a dropped value. No signature is made over it, and none is accepted."""


def _is_keyword(key: str) -> bool:
    return key.startswith("@")


def _scan(expanded, undefined: set, relative: set) -> None:
    """Collect the sentinel IRIs of an expanded document."""
    if isinstance(expanded, list):
        for item in expanded:
            _scan(item, undefined, relative)
        return
    if not isinstance(expanded, dict):
        return

    def iri(value):
        if not isinstance(value, str):
            return
        if value.startswith(UNDEFINED_VOCAB):
            undefined.add(value.removeprefix(UNDEFINED_VOCAB))
        elif value.startswith(RELATIVE_BASE):
            relative.add(value.removeprefix(RELATIVE_BASE))

    for key, value in expanded.items():
        if key == "@value":
            continue
        if key in ("@id", "@type"):
            for item in value if isinstance(value, list) else [value]:
                iri(item)
            continue
        if not _is_keyword(key):
            iri(key)
        _scan(value, undefined, relative)


def _compact_leaves(value) -> int:
    """The values of a compacted document (its contexts left aside)."""
    if isinstance(value, dict):
        if "@value" in value:
            return 1
        return sum(_compact_leaves(item) for key, item in value.items() if key != "@context")
    if isinstance(value, list):
        return sum(_compact_leaves(item) for item in value)
    return 0 if value is None else 1


def _expanded_leaves(value) -> int:
    """The same count on the expanded form: each value once, as an @id, a @type or a @value."""
    if isinstance(value, list):
        return sum(_expanded_leaves(item) for item in value)
    if not isinstance(value, dict):
        return 0
    if "@value" in value:
        literal = value["@value"]
        return _compact_leaves(literal) if isinstance(literal, dict | list) else 1
    count = 0
    for key, item in value.items():
        if key == "@id":
            count += 1
        elif key == "@type":
            count += len(item) if isinstance(item, list) else 1
        else:
            count += _expanded_leaves(item)
    return count


def expand_strictly(document: dict) -> list:
    """The expanded form of `document`, with the pinned contexts; `IncompleteDocument` unless
    every term and type expands to an absolute IRI and no value is dropped — what jsonld.js
    checks in safe mode."""
    if not isinstance(document, dict) or document.get("@context") in (None, [], ""):
        raise IncompleteDocument("Le document n'a pas de contexte JSON-LD (« @context »).")
    context = document["@context"]
    probe = {**document, "@context": [*(context if isinstance(context, list) else [context]), _PROBE]}
    try:
        expanded = jsonld.expand(probe, {"documentLoader": document_loader(), "base": RELATIVE_BASE})
    except jsonld.JsonLdError as error:
        raise ProofError(f"JSON-LD invalide : {error}") from error
    undefined: set[str] = set()
    relative: set[str] = set()
    _scan(expanded, undefined, relative)
    problems = []
    if undefined:
        problems.append(
            "terme(s) qu'aucun contexte ne définit : " + ", ".join(f"« {t} »" for t in sorted(undefined))
        )
    if relative:
        problems.append("référence(s) relative(s) : " + ", ".join(f"« {r} »" for r in sorted(relative)))
    if not problems and _compact_leaves(document) != _expanded_leaves(expanded):
        problems.append("des valeurs disparaissent à l'expansion (terme annulé par un contexte, nœud isolé)")
    if problems:
        raise IncompleteDocument(
            "JSON-LD incomplet, refusé par les vérificateurs en mode sûr : " + " ; ".join(problems) + "."
        )
    return expanded


_RDF_OPTIONS = {"produceGeneralizedRdf": False, "processingMode": "json-ld-1.1", "rdfDirection": None}


def _dataset(expanded: list) -> dict:
    """The RDF dataset of an expanded document: what pyld's `to_rdf` does once it has expanded
    its input — here the input is expanded already, and expanding it again would cost as much
    as the first time (tested: the same N-Quads as `jsonld.normalize` on the compact form)."""
    processor = jsonld.JsonLdProcessor()
    issuer = IdentifierIssuer("_:b")
    node_map = {"@default": {}}
    processor._create_node_map(expanded, node_map, "@default", issuer)
    return {
        name: processor._graph_to_rdf(graph, issuer, _RDF_OPTIONS)
        for name, graph in sorted(node_map.items())
        if name == "@default" or jsonld._is_absolute_iri(name)
    }


def canonicalize(document: dict) -> str:
    """The RDFC-1.0 canonical N-Quads of `document`, once it has expanded strictly."""
    expanded = expand_strictly(document)
    try:
        return URDNA2015().main(
            _dataset(expanded), {"algorithm": "URDNA2015", "format": "application/n-quads"}
        )
    except (jsonld.JsonLdError, UnknownFormatError) as error:
        raise ProofError(f"JSON-LD invalide : {error}") from error


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes_raw()
    return "z" + base58.b58encode(ED25519_PUB_PREFIX + raw).decode()


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise ProofError("Clé publique : encodage multibase base58btc attendu (préfixe « z »).")
    try:
        decoded = base58.b58decode(value[1:])
    except ValueError as error:
        raise ProofError("Clé publique : base58 invalide.") from error
    if len(decoded) != 34 or not decoded.startswith(ED25519_PUB_PREFIX):
        raise ProofError("Clé publique : ce n'est pas une clé Ed25519 (Multikey).")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


@dataclass(frozen=True)
class Hashes:
    proof_canon: str
    document_canon: str
    proof_hash: bytes
    document_hash: bytes

    @property
    def data(self) -> bytes:
        return self.proof_hash + self.document_hash


def hashes(document: dict, proof_options: dict) -> Hashes:
    """The canonical forms and hashes of a document (without its proof) and of proof options."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof_options.items() if k != "proofValue"}
    options["@context"] = unsecured.get("@context")
    proof_canon = canonicalize(options)
    document_canon = canonicalize(unsecured)
    return Hashes(
        proof_canon,
        document_canon,
        hashlib.sha256(proof_canon.encode()).digest(),
        hashlib.sha256(document_canon.encode()).digest(),
    )


def sign(
    document: dict, private_key: Ed25519PrivateKey, *, verification_method: str, created: str, as_list=False
) -> dict:
    """A copy of `document` with an embedded DataIntegrityProof (in a one-item list with
    `as_list`: the Open Badges 3.0 JSON Schema wants `proof` to be an array)."""
    proof = {
        "type": "DataIntegrityProof",
        "created": created,
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(hashes(document, proof).data)
    signed = copy.deepcopy({k: v for k, v in document.items() if k != "proof"})
    proof["proofValue"] = "z" + base58.b58encode(signature).decode()
    signed["proof"] = [proof] if as_list else proof
    return signed


def single_proof(document: dict) -> dict | None:
    """The document's one proof (an object, or a one-item list as Open Badges 3.0 writes it)."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    return proof if isinstance(proof, dict) else None


def check(document: dict, public_key: Ed25519PublicKey) -> list[str]:
    """The reasons why the embedded proof of `document` does not verify with `public_key`
    (an empty list when it verifies)."""
    proof = single_proof(document)
    if proof is None:
        return ["Une et une seule preuve (« proof ») est attendue dans le document."]
    problems = []
    if proof.get("type") != "DataIntegrityProof":
        problems.append("La preuve n'est pas une DataIntegrityProof.")
    if proof.get("cryptosuite") != CRYPTOSUITE:
        problems.append(f"Suite cryptographique non prise en charge : {proof.get('cryptosuite')!r}.")
    if proof.get("proofPurpose") != "assertionMethod":
        problems.append("La preuve n'a pas pour objet « assertionMethod ».")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        problems.append("La valeur de preuve n'est pas encodée en base58btc.")
    if problems:
        return problems
    try:
        signature = base58.b58decode(value[1:])
        public_key.verify(signature, hashes(document, proof).data)
    except ProofError as error:
        return [str(error)]
    except (ValueError, InvalidSignature):
        return ["La signature ne correspond pas au contenu : le document a été modifié ou mal signé."]
    return []
