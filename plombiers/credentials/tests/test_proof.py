"""The signing code against the official Open Badges 3.0 test vector (eddsa-rdfc-2022)."""

import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

from plombiers.credentials import jsonld_cache, proof
from plombiers.credentials.standards import document_loader

VECTOR = Path(__file__).parent / "vector"
SEED = bytes.fromhex("6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4")
PUBLIC_HEX = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
PUBLIC_MULTIBASE = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
PROOF_HASH = "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"
DOCUMENT_HASH = "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
SIGNATURE = (
    "f7a017acf7d27983267ec362657c0fb08e955549f49dac5bf36a03c4f2c3a4f1"
    "e3738a6c5ecd7ffba7135cb9cd754e6196f4b73082ea8df8e703c8ecd4333503"
)


@pytest.fixture
def signed():
    return json.loads((VECTOR / "signed-credential.json").read_text())


@pytest.fixture
def key():
    return Ed25519PrivateKey.from_private_bytes(SEED)


def test_the_key_pair_of_the_vector(key):
    assert key.public_key().public_bytes_raw().hex() == PUBLIC_HEX
    assert proof.public_key_multibase(key.public_key()) == PUBLIC_MULTIBASE
    assert proof.public_key_from_multibase(PUBLIC_MULTIBASE).public_bytes_raw().hex() == PUBLIC_HEX


def test_the_canonical_forms_and_hashes_of_the_vector(signed):
    hashes = proof.hashes(signed, signed["proof"])
    assert hashes.document_canon == (VECTOR / "document-canon.txt").read_text()
    assert hashes.proof_canon == (VECTOR / "proof-canon.txt").read_text()
    assert hashes.proof_hash.hex() == PROOF_HASH
    assert hashes.document_hash.hex() == DOCUMENT_HASH


def test_signing_reproduces_the_proof_value_of_the_vector(signed, key):
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    result = proof.sign(
        unsigned,
        key,
        verification_method=signed["proof"]["verificationMethod"],
        created=signed["proof"]["created"],
    )
    assert result["proof"] == signed["proof"]
    value = result["proof"]["proofValue"]
    assert proof.base58.b58decode(value[1:]).hex() == SIGNATURE
    assert "proof" not in unsigned


def test_the_vector_verifies_and_any_change_breaks_it(signed, key):
    public = key.public_key()
    assert proof.check(signed, public) == []
    signed["credentialSubject"]["achievement"]["name"] = "Teamwork!"
    assert proof.check(signed, public) == [
        "La signature ne correspond pas au contenu : le document a été modifié ou mal signé."
    ]


def test_an_unknown_context_is_refused_without_network():
    with pytest.raises(proof.ProofError):
        proof.canonicalize({"@context": "https://example.com/context.json", "name": "x"})


def test_the_context_cache_changes_no_canonical_form(signed):
    """The memoised context processing gives the very N-Quads pyld gives alone, on the vector and
    on a credential of ours (type-scoped contexts of Achievement, Alignment, Evidence, Profile…)."""
    ours = json.loads((VECTOR.parent / "credential-example.json").read_text())
    documents = [signed, ours, {**ours, "name": "Autre nom"}]
    jsonld_cache.uninstall()
    try:
        alone = [
            proof.hashes(d, d["proof"] if isinstance(d["proof"], dict) else d["proof"][0]) for d in documents
        ]
    finally:
        jsonld_cache.install()
    for _ in range(2):
        cached = [
            proof.hashes(d, d["proof"] if isinstance(d["proof"], dict) else d["proof"][0]) for d in documents
        ]
        assert cached == alone


@pytest.fixture
def ours():
    """One of our credentials, unsigned."""
    document = json.loads((VECTOR.parent / "credential-example.json").read_text())
    return {k: v for k, v in document.items() if k != "proof"}


def _sign(document, key):
    return proof.sign(
        document, key, verification_method="https://example.org/issuer#key", created="2026-01-01T00:00:00Z"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # the credentials of issue 17: no extensions context, so `1EdTechJsonSchemaValidator2019`
        # was undefined (pyld resolved it against a base of its own, jsonld.js refuses it)
        (lambda d: d.update({"@context": d["@context"][:2]}), "« 1EdTechJsonSchemaValidator2019 »"),
        # a property no context defines: pyld drops it silently, so it would not be signed
        (lambda d: d["credentialSubject"].update({"grade": "A"}), "« grade »"),
        (
            lambda d: d["credentialSubject"]["achievement"].update({"type": ["Achievement", "Badge2"]}),
            "« Badge2 »",
        ),
        (lambda d: d.update({"id": "attestation.json"}), "référence(s) relative(s) : « attestation.json »"),
        # a term a context makes undefined: dropped too
        (
            lambda d: d.update({"@context": [*d["@context"], {"grade": None}], "grade": "A"}),
            "des valeurs disparaissent à l'expansion",
        ),
    ],
)
def test_a_document_with_an_undefined_term_cannot_be_signed(ours, key, change, message):
    assert proof.check(_sign(ours, key), key.public_key()) == []
    change(ours)
    with pytest.raises(proof.IncompleteDocument, match=re.escape(message)):
        _sign(ours, key)


def test_an_undefined_term_added_to_a_signed_document_is_refused(ours, key):
    """pyld alone drops the added property and the signature still verifies: a verifier in safe
    mode refuses the document, and so does ours."""
    signed = _sign(ours, key)
    signed["credentialSubject"]["grade"] = "A"
    assert proof.check(signed, key.public_key()) == [
        "JSON-LD incomplet, refusé par les vérificateurs en mode sûr : "
        "terme(s) qu'aucun contexte ne définit : « grade »."
    ]


def test_canonicalising_the_strict_expansion_is_pyld_s_normalize(signed, ours):
    """`canonicalize` turns the strictly expanded form into RDF without expanding it again: the
    same N-Quads as pyld's own `normalize` of the compact document."""
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader()}
    for document in (ours, {k: v for k, v in signed.items() if k != "proof"}, {**ours, "name": "Autre"}):
        assert proof.canonicalize(document) == jsonld.normalize(document, options)


def test_valid_until_is_signed(ours, key):
    """A credential with an end of validity: pushing `validUntil` later after signing breaks the
    signature. Catches the planted bug that left `validUntil` out of what is signed (none of our
    signed credentials had it, so nothing noticed)."""
    ours["validUntil"] = "2027-01-01T00:00:00Z"
    signed = _sign(ours, key)
    assert proof.check(signed, key.public_key()) == []
    assert "validUntil" in proof.hashes(signed, proof.single_proof(signed)).document_canon
    signed["validUntil"] = "2099-01-01T00:00:00Z"
    assert proof.check(signed, key.public_key()) == [
        "La signature ne correspond pas au contenu : le document a été modifié ou mal signé."
    ]
    del signed["validUntil"]
    assert proof.check(signed, key.public_key()) != []
