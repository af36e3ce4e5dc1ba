"""The signing code against the official Open Badges 3.0 test vector (eddsa-rdfc-2022)."""

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from plombiers.credentials import jsonld_cache, proof

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
