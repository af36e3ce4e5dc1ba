"""`plombiers credentials reissue --all-affected`: what a network that issued before issue 17
runs, and `plombiers credentials check --reference`, which says whether it worked."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from pyld import jsonld

from plombiers.credentials import credential as ob3
from plombiers.credentials import proof, services, status
from plombiers.credentials.models import Attestation, StatusList
from plombiers.credentials.pdf import full_verification_url
from plombiers.credentials.reference import documents_for, served
from plombiers.credentials.standards import OB_V3_CONTEXT, VC_V2_CONTEXT, document_loader
from plombiers.credentials.tests.factories import finished_enrolment
from plombiers.credentials.verification import verify
from plombiers.privacy.models import AuditEvent


@pytest.fixture
def legacy(cast, monkeypatch):
    """Attestations signed as before issue 17 (an undefined type in every credential, which pyld
    signed anyway), one of them since revoked for another reason; and one signed today."""
    with monkeypatch.context() as patch:
        patch.setattr(ob3, "CONTEXT", [VC_V2_CONTEXT, OB_V3_CONTEXT])
        patch.setattr(
            proof, "expand_strictly", lambda d: jsonld.expand(d, {"documentLoader": document_loader()})
        )
        full = services.attestation_issue(finished_enrolment(cast.school_a), by=cast.manager_a)
        other = services.attestation_issue(finished_enrolment(cast.school_b), by=cast.manager_b)
        revoked = services.attestation_issue(finished_enrolment(cast.school_a), by=cast.manager_a)
        services.attestation_revoke(revoked, by=cast.manager_a, reason="Mauvaise promotion")
        revoked.refresh_from_db()
    current = services.attestation_issue(finished_enrolment(cast.school_a), by=cast.manager_a)
    return {"full": full, "other": other, "revoked": revoked, "current": current}


def _run(*args) -> str:
    out = io.StringIO()
    call_command("credentials", *args, stdout=out, skip_checks=False)  # as `plombiers credentials` runs
    return out.getvalue()


def test_reissue_all_affected_makes_them_verify_everywhere(legacy, cast, reference):
    full = legacy["full"]
    before = {key: (a.public_id, a.document, full_verification_url(a)) for key, a in legacy.items()}
    assert reference.check(full.document).errors == [
        "Verification error(s).",
        'Safe mode validation error. (relative @type reference: "1EdTechJsonSchemaValidator2019")',
    ]
    assert verify(full.document).status == "alteree"  # ours refuses it too now
    assert [services.needs_reissue(a) for a in legacy.values()] == [True, True, False, False]

    output = _run("reissue", "--all-affected")
    assert f"{cast.school_a.name} : 1 attestation(s) remise(s) en conformité" in output
    assert f"{cast.school_b.name} : 1 attestation(s) remise(s) en conformité" in output
    assert "2 attestation(s) remise(s) en conformité : même identifiant public" in output
    assert (
        "1 attestation(s) valide(s) déjà conforme(s) ; 1 révoquée(s) laissée(s) telle(s) quelle(s)." in output
    )

    for key in ("full", "other"):
        public_id, old_document, old_link = before[key]
        new = Attestation.objects.get(public_id=public_id)
        old = Attestation.objects.get(replaced_by=new)
        assert (new.revoked_at, old.revocation_reason, old.credential) == (
            None,
            "mise en conformité",
            json.dumps(old_document, ensure_ascii=False, indent=2),
        )
        assert old.public_id != public_id and old.status_index != new.status_index
        assert new.snapshot["learner"] == old.snapshot["learner"] and new.issued_at == old.issued_at
        document = new.document
        assert document["validFrom"] == old_document["validFrom"]
        assert document["credentialSubject"]["identifier"] == old_document["credentialSubject"]["identifier"]
        assert full_verification_url(new) == old_link  # the holder's link and QR code still work
        theirs = reference.check(document)
        assert (theirs.outcome, theirs.errors, verify(document).status) == ("verified", [], "authentique")
        listed = json.loads(StatusList.objects.get(school=new.school).credential)
        bits = status.decode(listed["credentialSubject"]["encodedList"])
        assert status.is_set(bits, old.status_index) and not status.is_set(bits, new.status_index)
        assert AuditEvent.objects.filter(action="attestation.reissue", object_id=str(new.pk)).exists()
        assert AuditEvent.objects.filter(
            action="attestation.revoke", object_id=str(old.pk), details__reason="mise en conformité"
        ).exists()
    assert AuditEvent.objects.filter(action="credentials.reissue_all_affected").count() == 1
    # the one revoked for another reason stays as it was
    revoked = Attestation.objects.get(public_id=before["revoked"][0])
    assert (revoked.revocation_reason, revoked.replaced_by) == ("Mauvaise promotion", None)

    count = Attestation.objects.count()
    output = _run("reissue", "--all-affected")  # a second run changes nothing
    assert "Aucune attestation à remettre en conformité." in output
    assert "3 attestation(s) valide(s) déjà conforme(s) ; 3 révoquée(s)" in output
    assert Attestation.objects.count() == count
    assert AuditEvent.objects.filter(action="credentials.reissue_all_affected").count() == 1


def test_a_dry_run_changes_nothing_and_the_flag_is_required(legacy):
    count = Attestation.objects.count()
    assert "2 attestation(s) à remettre en conformité." in _run("reissue", "--all-affected", "--dry-run")
    assert Attestation.objects.count() == count and not AuditEvent.objects.filter(
        action="attestation.reissue"
    )
    with pytest.raises(CommandError, match="Précisez --all-affected"):
        _run("reissue")


def test_check_with_the_reference_before_and_after(legacy, reference):
    with pytest.raises(CommandError, match="désaccord"):
        _run("check", "--reference")
    _run("reissue", "--all-affected")
    output = _run("check", "--reference")
    # full, other and current valid; the one revoked before the fix is refused (its form), but revoked
    assert "attestations : 3 authentique(s), 0 révoquée(s), 1 refusée(s) ;" in output
    assert "listes de statut : 2 authentique(s), 0 révoquée(s), 0 refusée(s) ;" in output
    assert "profils des émetteurs : 2 accepté(s), 0 refusé(s)." in output
    assert "(2 ancienne(s) version(s) remplacée(s) lors d'une mise en conformité.)" in output
    assert "La référence et notre vérificateur sont d'accord sur chaque document." in output


def test_served_reads_the_site_s_own_documents(legacy, cast):
    document = legacy["current"].document
    documents = documents_for(document)
    assert documents == {url: served(url) for url in documents}
    assert served("https://example.org/credentials/issuers/x") is None
