import copy
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plombiers.credentials import services, status
from plombiers.credentials.keys import key_rotate
from plombiers.credentials.models import Attestation, IssuerKey, StatusList
from plombiers.credentials.verification import schema_errors, verify
from plombiers.privacy.models import AuditEvent


@pytest.fixture
def issued(ended):
    return services.attestation_issue(ended.ines, by=ended.manager)


def test_issuing_freezes_the_acquired_gestures_by_block(issued, ended):
    snapshot = issued.snapshot
    assert snapshot["learner"]["name"] == "Inès ARNAUD"
    assert snapshot["learner"]["initials"] == "I. A."
    assert snapshot["hours"] == "13\u00a0h\u00a040"
    assert [(b["code"], [(s["code"], s["level"]) for s in b["skills"]]) for b in snapshot["blocks"]] == [
        ("B1", [("F1", "acquis")]),
        ("B2", [("S1", "maitrise")]),
    ]
    assert (snapshot["acquired"], snapshot["total"], snapshot["partial"]) == (2, 4, False)
    assert AuditEvent.objects.filter(action="attestation.issue", object_id=str(issued.pk)).exists()


def test_the_credential_is_an_open_badge_that_validates_and_verifies(issued, ended):
    document = issued.document
    assert schema_errors(document) == []
    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["issuer"]["id"] == "http://127.0.0.1:8000/credentials/issuers/" + ended.cohort.school.slug
    assert document["issuer"]["parentOrg"]["name"] == ended.cohort.school.network.name
    subject = document["credentialSubject"]
    identity = subject["identifier"][0]
    assert identity["identityType"] == "emailAddress"
    expected = hashlib.sha256(("ines.arnaud@example.org" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    text = issued.credential
    learner = ended.ines.learner  # no name, no birth date (a SIRET may hold any four digits)
    assert learner.last_name not in text and learner.first_name not in text
    assert learner.birth_date.isoformat() not in text and learner.birth_date.strftime("%d/%m/%Y") not in text
    assert [a["targetName"] for a in subject["achievement"]["alignment"]] == [
        "Réaliser une soudure par fusion",
        "Baliser la zone de travail",
    ]
    assert document["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    verdict = verify(document)
    assert verdict.status == "authentique", verdict.reasons


def test_the_achievement_is_described_for_an_employer(issued, ended):
    """Gestures and ROME job sheets as alignments, the levels, each gesture's level, the issuer's
    address and SIRET — all within the official schema."""
    from plombiers.frameworks.models import Framework

    Framework.objects.filter(pk=ended.cohort.framework_id).update(rome_codes=["F1605", "Z9999"])
    ended.skills[2].rome_codes = ["I1307"]
    ended.skills[2].save(update_fields=["rome_codes"])
    services.attestation_revoke(issued, by=ended.manager, reason="Codes ROME ajoutés")
    document = services.attestation_issue(ended.ines, by=ended.manager).document
    assert schema_errors(document) == []
    issuer = document["issuer"]
    assert issuer["address"]["streetAddress"] == "3 avenue de la Résistance"
    assert issuer["address"]["postalCode"] == "77500"
    siret = ended.holder.siret
    assert issuer["otherIdentifier"] == [
        {"type": "IdentifierEntry", "identifier": siret, "identifierType": "ext:SIRET"}
    ]
    assert "Association Fibre & Avenir" in issuer["description"]
    achievement = document["credentialSubject"]["achievement"]
    assert [
        (a["targetCode"], a["targetName"], a.get("targetFramework", "")[:8]) for a in achievement["alignment"]
    ] == [
        ("F1", "Réaliser une soudure par fusion", "Référent"),
        ("S1", "Baliser la zone de travail", "Référent"),
        ("F1605", "Montage de réseaux électriques et télécoms", "ROME 4.0"),  # F1: the framework's
        ("Z9999", "Fiche métier ROME Z9999", "ROME 4.0"),
        ("I1307", "Installation et maintenance télécoms et courants faibles", "ROME 4.0"),  # S1's own
    ]
    assert "observé au niveau « acquis »" in achievement["criteria"]["narrative"]
    (levels,) = achievement["resultDescription"]
    assert [(level["name"], level["description"][:30]) for level in levels["rubricCriterionLevel"]] == [
        ("Acquis", "Le geste est réalisé seul, dan"),
        ("Maîtrisé", "Le geste est réalisé seul, ave"),
    ]
    assert "Baliser la zone de travail : maîtrisé" in document["evidence"][1]["narrative"]
    assert verify(document).verified


def _paths(value, prefix=()):
    """Every leaf of a JSON document, as a path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))
    else:
        yield prefix


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    return str(value) + "x"


def test_changing_any_single_value_makes_verification_fail(issued):
    document = issued.document
    paths = [p for p in _paths(document) if p[0] != "proof" or p[-1] != "type"]
    assert len(paths) > 40
    for path in paths:
        tampered = copy.deepcopy(document)
        target = tampered
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = _changed(target[path[-1]])
        verdict = verify(tampered)
        assert not verdict.verified, path


def test_a_revoked_attestation_reports_revoked_at_once(issued, ended):
    services.attestation_revoke(issued, by=ended.manager, reason="Erreur de promotion")
    issued.refresh_from_db()
    verdict = verify(issued.document)
    assert verdict.status == "revoquee"
    listed = json.loads(StatusList.objects.get(school=issued.school).credential)
    assert status.is_set(status.decode(listed["credentialSubject"]["encodedList"]), issued.status_index)
    # and a new one can be issued, at the next position of the list
    again = services.attestation_issue(ended.ines, by=ended.manager)
    assert again.status_index == issued.status_index + 1
    assert verify(again.document).verified


def test_revoking_needs_a_reason_and_writes_nothing_without(issued, ended):
    with pytest.raises(ValidationError):
        services.attestation_revoke(issued, by=ended.manager, reason="  ")
    issued.refresh_from_db()
    assert issued.revoked_at is None
    assert verify(issued.document).verified


def test_old_keys_still_verify_after_rotation(issued, ended):
    key_rotate(ended.cohort.school, by=ended.manager)
    assert IssuerKey.objects.filter(school=ended.cohort.school).count() == 2
    assert verify(issued.document).verified
    services.attestation_revoke(issued, by=ended.manager, reason="Test")  # re-signed with the new key
    assert verify(Attestation.objects.get(pk=issued.pk).document).status == "revoquee"


def test_a_partial_attestation_for_an_early_leaver(ended):
    from plombiers.skills.enums import Level
    from plombiers.skills.models import Observation

    Observation.objects.create(
        enrolment=ended.bilal, skill=ended.skills[0], level=Level.ACQUIRED, observed_on=ended.bilal.end_date
    )
    attestation = services.attestation_issue(ended.bilal, by=ended.manager)
    assert attestation.partial
    assert "parcours partiel" in attestation.document["name"]
    assert verify(attestation.document).verified


@pytest.mark.parametrize(
    ("who", "error"),
    [("active", ValidationError), ("nothing_acquired", ValidationError), ("trainer", PermissionDenied)],
)
def test_refusals_write_nothing(ended, who, error):
    enrolment, by = ended.ines, ended.manager
    if who == "active":
        enrolment = ended.chloe
    elif who == "nothing_acquired":
        enrolment = ended.bilal
    else:
        by = ended.trainer
    with pytest.raises(error):
        services.attestation_issue(enrolment, by=by)
    assert not Attestation.objects.exists()


def test_twice_is_refused(issued, ended):
    with pytest.raises(ValidationError, match="déjà une attestation valide"):
        services.attestation_issue(ended.ines, by=ended.manager)
