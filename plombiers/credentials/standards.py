"""The pinned standard documents (JSON-LD contexts, JSON Schemas) shipped in `standards/`, each
checked against the SHA-256 written in `standards/MANIFEST.json` when it is first read."""

import functools
import hashlib
import json
from pathlib import Path

from pyld.documentloader.frozen import FrozenDocumentLoader

DIRECTORY = Path(__file__).parent / "standards"

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# 1EdTech's extensions: `1EdTechJsonSchemaValidator2019`, the type of an Open Badge's credentialSchema.
OB_V3_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
# What a controller (issuer) document needs: `verificationMethod`, `assertionMethod` (DID v1
# context, the security vocabulary's terms), and the `Multikey` type of its keys.
DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


class CorruptStandardFile(RuntimeError):
    pass


@functools.cache
def manifest() -> dict:
    return json.loads((DIRECTORY / "MANIFEST.json").read_text(encoding="utf-8"))


def _read(entry: dict) -> dict:
    data = (DIRECTORY / entry["file"]).read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise CorruptStandardFile(f"{entry['file']} does not match its pinned SHA-256")
    return json.loads(data)


@functools.cache
def contexts() -> dict[str, dict]:
    return {url: _read(entry) for url, entry in manifest()["contexts"].items()}


@functools.cache
def schema(name: str) -> dict:
    return _read(manifest()["schemas"][name])


class PinnedLoader(FrozenDocumentLoader):
    """Serves the pinned contexts and refuses every other URL: no network at run time. The
    documents are tagged « static », so that pyld keeps the processed contexts in its shared
    cache instead of processing them again for every document (×3 faster)."""

    def __call__(self, url: str, options: dict):
        return {**super().__call__(url, options), "tag": "static"}


@functools.cache
def document_loader() -> FrozenDocumentLoader:
    return PinnedLoader(documents=contexts())
