"""The reference verifier: Digital Bazaar's libraries (`@digitalbazaar/vc` and its suites, in
their default mode) run by Node.js from the `verifier/` folder of the repository, to check that
what this site signs verifies with an implementation we did not write — in the tests, and on a
live database with `plombiers credentials check --reference`.

One Node process is started and fed documents one JSON line at a time (`verifier/verify.mjs`
describes the protocol). The documents a verifier would fetch — the issuer's profile and its
status list — are read from this site's own views, exactly as they are served."""

import json
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.test import RequestFactory
from django.urls import Resolver404, resolve

VERIFIER_DIR = Path(__file__).resolve().parents[2] / "verifier"
SCRIPT = VERIFIER_DIR / "verify.mjs"


class ReferenceUnavailable(RuntimeError):
    pass


@dataclass
class ReferenceResult:
    outcome: str  # verified, revoked or rejected
    errors: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def served(url: str) -> dict | None:
    """The JSON document this site serves at `url` (one of its own public views), or None."""
    if not isinstance(url, str) or not url.startswith(settings.SITE_URL + "/"):
        return None
    path = urlsplit(url).path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    response = match.func(RequestFactory().get(path), *match.args, **match.kwargs)
    if response.status_code != 200:
        return None
    return json.loads(response.content)


def _issuer(document: dict) -> str | None:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer if isinstance(issuer, str) else None


def _controllers(document: dict) -> set[str]:
    proofs = document.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    return {
        p["verificationMethod"].split("#", 1)[0]
        for p in proofs
        if isinstance(p, dict) and isinstance(p.get("verificationMethod"), str)
    }


def documents_for(document: dict, fetch=served) -> dict[str, dict]:
    """What a verifier of `document` fetches: the controller documents of its proof's keys, its
    status list credential and, in turn, what that one needs."""
    found: dict[str, dict] = {}
    pending = [document]
    while pending:
        current = pending.pop()
        if not isinstance(current, dict):
            continue
        urls = set(_controllers(current))
        issuer = _issuer(current)
        if issuer:
            urls.add(issuer)
        status = current.get("credentialStatus")
        for entry in status if isinstance(status, list) else [status]:
            if isinstance(entry, dict) and isinstance(entry.get("statusListCredential"), str):
                urls.add(entry["statusListCredential"])
        for url in urls - found.keys():
            fetched = fetch(url)
            if fetched is not None:
                found[url] = fetched
                pending.append(fetched)
    return found


class ReferenceVerifier:
    """A running Node verifier. Use as a context manager, or call `close()`."""

    def __init__(self):
        node = shutil.which("node")
        if node is None:
            raise ReferenceUnavailable("Node.js est introuvable (il faut Node 20 ou plus).")
        if not (VERIFIER_DIR / "node_modules").is_dir():
            raise ReferenceUnavailable(
                f"Les bibliothèques du vérificateur de référence ne sont pas installées : "
                f"lancez « npm ci --prefix {VERIFIER_DIR} » (ou « make verifier »)."
            )
        self.process = subprocess.Popen(  # noqa: S603 — a fixed script of the repository
            [node, str(SCRIPT)],
            cwd=VERIFIER_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        hello = self._read()
        if not hello.get("ready"):
            self.close()
            raise ReferenceUnavailable(f"Le vérificateur de référence n'a pas démarré : {hello}")
        self.versions: dict[str, str] = hello["versions"]
        self.contexts: dict[str, str] = hello["contexts"]
        self._next = 0

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise ReferenceUnavailable("Le vérificateur de référence s'est arrêté.")
        return json.loads(line)

    def check(self, document, *, kind: str = "credential", documents=None, now=None) -> ReferenceResult:
        """Verify one document; `documents` are the issuer profiles and status lists to serve
        (by default, read from this site's views)."""
        if documents is None:
            documents = documents_for(document) if isinstance(document, dict) else {}
        self._next += 1
        request = {"id": self._next, "kind": kind, "document": document, "documents": documents}
        if now is not None:
            request["now"] = now.isoformat() if hasattr(now, "isoformat") else now
        self.process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        answer = self._read()
        if answer.get("id") != self._next:
            raise ReferenceUnavailable(f"Réponse inattendue du vérificateur de référence : {answer}")
        outcome, errors = answer.pop("outcome"), answer.pop("errors")
        answer.pop("id")
        return ReferenceResult(outcome, errors, answer)

    def close(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class StoredCheck:
    """What `check_stored` found: outcomes (verified, revoked, rejected) by kind of document,
    for the reference and for our own verifier, the cases where they differ, and the first
    valid documents the reference refuses."""

    credentials: dict[str, Counter] = field(
        default_factory=lambda: {"reference": Counter(), "ours": Counter()}
    )
    status_lists: dict[str, Counter] = field(
        default_factory=lambda: {"reference": Counter(), "ours": Counter()}
    )
    profiles: Counter = field(default_factory=Counter)
    replaced: int = 0
    disagreements: list[tuple[str, str, str]] = field(default_factory=list)
    rejections: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.disagreements and not self.rejections


OUR_OUTCOMES = {"authentique": "verified", "revoquee": "revoked"}


def check_stored(reference: "ReferenceVerifier | None" = None) -> StoredCheck:
    """Verify every stored attestation (but the old versions of re-issued ones), every status
    list and issuer profile, with our verifier and, given one, the reference."""
    from .models import Attestation, StatusList
    from .urls_public import issuer_url, status_list_url
    from .verification import verify, verify_status_list

    cache: dict[str, dict | None] = {}

    def fetch(url):
        if url not in cache:
            cache[url] = served(url)
        return cache[url]

    report = StoredCheck(replaced=Attestation.objects.filter(replaced_by__isnull=False).count())
    attestations = (
        Attestation.objects.filter(replaced_by__isnull=True)
        .order_by("pk")
        .only("public_id", "credential", "revoked_at")
    )
    for attestation in attestations.iterator(chunk_size=500):
        document = json.loads(attestation.credential)
        ours = OUR_OUTCOMES.get(verify(document).status, "rejected")
        report.credentials["ours"][ours] += 1
        if reference is None:
            continue
        theirs = reference.check(document, documents=documents_for(document, fetch))
        report.credentials["reference"][theirs.outcome] += 1
        if theirs.outcome != ours:
            report.disagreements.append((str(attestation.public_id), theirs.outcome, ours))
        # a revoked one may be refused (signed before issue 17): it is not valid either way
        if theirs.outcome == "rejected" and attestation.revoked_at is None and len(report.rejections) < 10:
            report.rejections.append((str(attestation.public_id), theirs.errors))
    for status_list in StatusList.objects.exclude(credential="").select_related("school").order_by("pk"):
        document = fetch(status_list_url(status_list.school.slug))
        ours = OUR_OUTCOMES.get(verify_status_list(document).status, "rejected")
        report.status_lists["ours"][ours] += 1
        if reference is None:
            continue
        theirs = reference.check(document, kind="status-list", documents=documents_for(document, fetch))
        report.status_lists["reference"][theirs.outcome] += 1
        if theirs.outcome != ours:
            report.disagreements.append((status_list_url(status_list.school.slug), theirs.outcome, ours))
        if theirs.outcome == "rejected" and len(report.rejections) < 10:
            report.rejections.append((status_list_url(status_list.school.slug), theirs.errors))
        profile = fetch(issuer_url(status_list.school.slug))
        result = reference.check(profile, kind="profile", documents={})
        report.profiles[result.outcome] += 1
        if result.outcome == "rejected" and len(report.rejections) < 10:
            report.rejections.append((issuer_url(status_list.school.slug), result.errors))
    return report
