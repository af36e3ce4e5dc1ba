"""Every kind of document the credentials app signs, checked by an implementation we did not
write: Digital Bazaar's `@digitalbazaar/vc` stack, in its default mode (JSON-LD safe mode on),
run by Node.js (`verifier/`), with the issuer profiles and status lists exactly as this site
serves them. Each case has its exact expected outcome, and our own verifier must agree with it.

Before issue 17 no credential and no status list verified there: the credentials had a type no
context defines (`1EdTechJsonSchemaValidator2019`), the issuer profile had no definition of
`verificationMethod` and `assertionMethod`."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.credentials import proof, services, status
from plombiers.credentials.keys import key_rotate
from plombiers.credentials.models import IssuerKey, StatusList
from plombiers.credentials.public import ISSUER_CONTEXT
from plombiers.credentials.reference import documents_for
from plombiers.credentials.tests.factories import finished_enrolment
from plombiers.credentials.tests.tampering import leaf_paths, tamper
from plombiers.credentials.urls_public import issuer_url, status_list_url
from plombiers.credentials.verification import (
    AUTHENTIC,
    INVALID,
    REVOKED,
    TAMPERED,
    UNKNOWN_ISSUER,
    verify,
    verify_status_list,
)
from plombiers.skills.enums import Level

# How our verdicts read against the reference's outcomes.
OURS = {AUTHENTIC: "verified", REVOKED: "revoked", TAMPERED: "rejected", INVALID: "rejected"}
OURS[UNKNOWN_ISSUER] = "rejected"

INVALID_SIGNATURE = "Invalid signature."
NO_MATCHING_PROOF = "Did not verify any proofs; insufficient proofs matched the acceptable suite(s)"


def expected_rejection(path: tuple) -> str:
    """What the reference says of a document whose value at `path` was changed: for every value
    but a few structural ones, that the signature does not match — the value is signed."""
    if path[0] == "@context":
        return (
            "needs to be first in the list"
            if path[1] == 0
            else "Dereferencing a URL did not result in a valid JSON-LD object"
        )
    if path == ("type", 0):
        return '"type" must include `VerifiableCredential`.'
    if path[0] == "proof":
        if path[-1] in ("type", "cryptosuite", "proofPurpose"):
            return NO_MATCHING_PROOF
        if path[-1] == "verificationMethod":
            return "is not a verification method of"
        return INVALID_SIGNATURE
    if path == ("validFrom",):
        return 'is before "validFrom"'
    if "type" in path[-2:]:
        return "Safe mode validation error."  # a type that no context defines
    return INVALID_SIGNATURE


@pytest.fixture
def fetch(client):
    """What a verifier fetches, through this site's HTTP stack."""

    def get(url):
        response = client.get(url.removeprefix("http://127.0.0.1:8000"))
        return response.json() if response.status_code == 200 else None

    return get


@pytest.fixture
def issued(cast):
    """Every kind of credential: signed with a key since rotated, complete, partial (identified by
    name), revoked; another school's."""
    a, b = cast.school_a, cast.school_b
    old_key = services.attestation_issue(finished_enrolment(a), by=cast.manager_a)
    key_rotate(a, by=cast.manager_a)
    full = services.attestation_issue(
        finished_enrolment(a, levels=(Level.ACQUIRED, Level.MASTERED, Level.MASTERED)), by=cast.manager_a
    )
    left = finished_enrolment(a, email="")
    left.status, left.drop_out_reason = EnrolmentStatus.DROPPED_OUT, "emploi"
    left.save(update_fields=["status", "drop_out_reason"])
    partial = services.attestation_issue(left, by=cast.manager_a)
    revoked = services.attestation_issue(finished_enrolment(a), by=cast.manager_a)
    services.attestation_revoke(revoked, by=cast.manager_a, reason="Erreur de promotion")
    revoked.refresh_from_db()
    other = services.attestation_issue(finished_enrolment(b), by=cast.manager_b)
    assert (
        partial.partial and partial.document["credentialSubject"]["identifier"][0]["identityType"] == "name"
    )
    return {"old_key": old_key, "full": full, "partial": partial, "revoked": revoked, "other": other}


def _outcomes(reference, fetch, document, *, now=None):
    theirs = reference.check(document, documents=documents_for(document, fetch), now=now)
    ours = verify(document, now=now)
    return theirs, ours


def test_the_pinned_contexts_are_the_reference_s(reference):
    """Our pinned copies of the W3C and Multikey contexts are the very documents Digital Bazaar
    ships; the Open Badges ones (no package has them) match their SHA-256."""
    assert reference.contexts == {
        "https://www.w3.org/ns/credentials/v2": "same",
        "https://www.w3.org/ns/did/v1": "same",
        "https://w3id.org/security/multikey/v1": "same",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "pinned",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "pinned",
    }
    assert reference.versions["@digitalbazaar/vc"].startswith("7.")
    assert reference.versions["@digitalbazaar/eddsa-rdfc-2022-cryptosuite"].startswith("1.")
    assert reference.versions["@digitalbazaar/vc-bitstring-status-list"].startswith("2.")


def test_every_kind_of_credential_verifies_with_the_reference(reference, fetch, issued):
    expected = {"old_key": "verified", "full": "verified", "partial": "verified", "revoked": "revoked"}
    expected["other"] = "verified"
    found = {}
    for kind, attestation in issued.items():
        theirs, ours = _outcomes(reference, fetch, attestation.document)
        found[kind] = (theirs.outcome, OURS[ours.status], theirs.errors)
    assert found == {kind: (outcome, outcome, []) for kind, outcome in expected.items()}


def test_every_status_list_and_issuer_profile_verifies_with_the_reference(reference, fetch, issued, cast):
    for school in (cast.school_a, cast.school_b):
        status_list = fetch(status_list_url(school.slug))
        theirs = reference.check(status_list, kind="status-list", documents=documents_for(status_list, fetch))
        assert (theirs.outcome, theirs.errors) == ("verified", [])
        assert verify_status_list(status_list).status == AUTHENTIC
        profile = fetch(issuer_url(school.slug))
        theirs = reference.check(profile, kind="profile", documents={})
        keys = IssuerKey.objects.filter(school=school).order_by("created_at", "pk")
        published = [f"{issuer_url(school.slug)}#{key.public_key_multibase}" for key in keys]
        assert (theirs.outcome, theirs.extra["assertionMethod"]) == ("verified", published)
        assert len(published) == (2 if school == cast.school_a else 1)
        proof.expand_strictly(profile)  # our own check: complete too


@pytest.mark.parametrize("kind", ["full", "partial", "revoked"])
def test_every_signed_value_of_a_credential_is_checked_by_both(reference, fetch, issued, kind):
    document = issued[kind].document
    documents = documents_for(document, fetch)
    paths = list(leaf_paths(document))
    assert len(paths) > 80
    disagreements = []
    for path in paths:
        tampered = tamper(document, path)
        theirs = reference.check(tampered, documents=documents)
        ours = verify(tampered)
        expected = expected_rejection(path)
        if (
            theirs.outcome != "rejected"
            or not any(expected in error for error in theirs.errors)
            or OURS[ours.status] != "rejected"
        ):
            disagreements.append((path, theirs.outcome, theirs.errors, ours.status))
    assert disagreements == []


def test_every_signed_value_of_a_status_list_is_checked_by_both(reference, fetch, issued, cast):
    document = fetch(status_list_url(cast.school_a.slug))
    documents = documents_for(document, fetch)
    disagreements = []
    for path in leaf_paths(document):
        tampered = tamper(document, path)
        theirs = reference.check(tampered, kind="status-list", documents=documents)
        ours = verify_status_list(tampered)
        expected = expected_rejection(path)
        if (
            theirs.outcome != "rejected"
            or not any(expected in error for error in theirs.errors)
            or OURS[ours.status] != "rejected"
        ):
            disagreements.append((path, theirs.outcome, theirs.errors, ours.status))
    assert disagreements == []


def test_attacks_on_revocation_dates_and_keys_are_refused_by_both(reference, fetch, issued, cast):
    revoked, full = issued["revoked"], issued["full"]

    def outcome(document, message, now=None):
        theirs, ours = _outcomes(reference, fetch, document, now=now)
        assert message is None or any(message in error for error in theirs.errors), theirs.errors
        return theirs.outcome, OURS[ours.status]

    # « un-revoke »: the published list replaced by one where nothing is revoked
    status_list = StatusList.objects.get(school=cast.school_a)
    forged = json.loads(status_list.credential)
    forged["credentialSubject"]["encodedList"] = status.encode(set())
    StatusList.objects.filter(pk=status_list.pk).update(credential=status.dumps(forged))
    assert outcome(revoked.document, '"BitstringStatusListCredential" not verified') == (
        "rejected",
        "rejected",
    )
    StatusList.objects.filter(pk=status_list.pk).update(credential=status_list.credential)
    assert outcome(revoked.document, None) == ("revoked", "revoked")

    # the school signs a credential that points to another school's status list
    elsewhere = {k: v for k, v in full.document.items() if k != "proof"}
    elsewhere["credentialStatus"] = {
        **elsewhere["credentialStatus"],
        "statusListCredential": status_list_url(cast.school_b.slug),
        "id": status_list_url(cast.school_b.slug) + "#0",
        "statusListIndex": "0",
    }
    elsewhere = services.sign_for_school(elsewhere, cast.school_a, full.issued_at)
    assert outcome(elsewhere, "Issuers of the status list credential") == ("rejected", "rejected")

    # checked before its validity starts
    before = full.issued_at - dt.timedelta(days=1)
    assert outcome(full.document, 'is before "validFrom"', now=before) == ("rejected", "rejected")

    # a key the school no longer publishes signs nothing valid
    IssuerKey.objects.filter(school=cast.school_a, retired_at__isnull=False).delete()
    assert outcome(issued["old_key"].document, "is not a verification method of") == ("rejected", "rejected")
    assert verify(issued["old_key"].document).status == UNKNOWN_ISSUER


def test_the_issuer_profile_must_define_its_key_terms(reference, fetch, issued, cast):
    """The profile as served before issue 17 (no context defining `assertionMethod`): the
    reference refuses it, and every credential with it; ours finds the same undefined terms."""
    profile = fetch(issuer_url(cast.school_a.slug))
    assert profile["@context"] == ISSUER_CONTEXT
    before = {**profile, "@context": [c for c in ISSUER_CONTEXT if c != "https://www.w3.org/ns/did/v1"]}
    theirs = reference.check(before, kind="profile", documents={})
    assert theirs.outcome == "rejected"
    assert theirs.errors == ['Safe mode validation error. (invalid property: "assertionMethod")']
    with pytest.raises(proof.IncompleteDocument, match="assertionMethod"):
        proof.expand_strictly(before)
    document = issued["full"].document
    documents = documents_for(document, fetch)
    documents[issuer_url(cast.school_a.slug)] = before
    theirs = reference.check(document, documents=documents)
    assert theirs.outcome == "rejected"
    # and a key the profile does not authorise for assertions is refused
    documents[issuer_url(cast.school_a.slug)] = {**profile, "assertionMethod": []}
    theirs = reference.check(document, documents=documents)
    assert theirs.outcome == "rejected"
    assert any("not authorized by controller" in error for error in theirs.errors)


def test_the_served_documents_are_the_ones_checked(client, issued, cast, fetch):
    """The profile and the status list the reference gets are the site's public answers."""
    documents = documents_for(issued["full"].document, fetch)
    assert set(documents) == {issuer_url(cast.school_a.slug), status_list_url(cast.school_a.slug)}
    served = client.get(reverse("credentials:status_list", args=[cast.school_a.slug]))
    assert documents[status_list_url(cast.school_a.slug)] == json.loads(served.content)
