"""An attestation de compétences in a real browser: the school's manager reviews and issues it on
a tablet and downloads the PDF; an employer, with no account, opens the verification page from the
QR code's URL on a phone and sees « Attestation authentique »; another checks a file they received,
and a tampered copy is caught; once revoked, the same QR code says so. axe-core on every page."""

import json

from playwright.sync_api import expect

from plombiers.conftest import assert_accessible, login
from plombiers.credentials.models import Attestation
from plombiers.credentials.pdf import full_verification_url
from plombiers.credentials.tests.factories import finished_enrolment

TABLET = {"width": 820, "height": 1180, "has_touch": True}
PHONE = {"width": 390, "height": 844, "has_touch": True, "is_mobile": True}


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_issue_then_verify_from_the_qr_code_then_revoke(new_page, cast, tmp_path):
    enrolment = finished_enrolment(cast.school_a)
    enrolment.learner.first_name, enrolment.learner.last_name = "Inès", "Arnaud"
    enrolment.learner.save(update_fields=["first_name", "last_name"])

    manager = new_page(**TABLET)
    login(manager, cast.manager_a.email)
    manager.goto(f"/attestations/?inscription={enrolment.pk}")
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Attestations de compétences d")
    assert_accessible(manager, "attestation-liste-tablette")
    manager.get_by_role("link", name="Délivrer l'attestation").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Délivrer l'attestation de compétences")
    expect(manager.get_by_role("main")).to_contain_text("Réaliser une soudure par fusion")
    fits(manager, 820)
    assert_accessible(manager, "attestation-relecture-tablette")
    manager.get_by_role("button", name="Délivrer et signer l'attestation").click()
    expect(manager.get_by_role("status").first).to_contain_text("L'attestation est délivrée et signée.")
    assert_accessible(manager, "attestation-fiche-tablette")
    with manager.expect_download() as download:
        manager.get_by_role("link", name="Télécharger le PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    attestation = Attestation.objects.get()

    # The QR code carries the holder's full link: an employer opens it on a phone, no account.
    employer = new_page(**PHONE)
    employer.goto(full_verification_url(attestation).removeprefix("http://127.0.0.1:8000"))
    expect(employer.get_by_role("heading", level=1)).to_have_text("Attestation authentique")
    expect(employer.get_by_role("main")).to_contain_text("Inès ARNAUD")
    expect(employer.get_by_role("main")).to_contain_text("Réaliser une soudure par fusion")
    fits(employer, 390)
    assert_accessible(employer, "verification-telephone")

    # Without the holder's key, initials only.
    employer.goto(attestation.get_verification_url())
    expect(employer.get_by_role("main")).to_contain_text("I. A.")
    expect(employer.get_by_role("main")).not_to_contain_text("Arnaud")

    # A file someone received, then a tampered copy of it.
    path = tmp_path / "attestation.json"
    path.write_text(attestation.credential)
    employer.goto("/verifier/")
    assert_accessible(employer, "verification-depot")
    employer.get_by_label("Fichier de l'attestation (.json)").set_input_files(str(path))
    employer.get_by_role("button", name="Vérifier").click()
    expect(employer.get_by_role("heading", level=1)).to_have_text("Attestation authentique")
    tampered = json.loads(attestation.credential)
    tampered["credentialSubject"]["achievement"]["name"] += " — niveau expert"
    employer.goto("/verifier/")
    employer.get_by_label("Ou collez son contenu").fill(json.dumps(tampered))
    employer.get_by_role("button", name="Vérifier").click()
    expect(employer.get_by_role("heading", level=1)).to_have_text("Attestation modifiée ou falsifiée")
    assert_accessible(employer, "verification-falsifiee")

    # Revoked on the tablet: the same QR code now says so.
    manager.get_by_label("Motif de la révocation").fill("Délivrée sur la mauvaise promotion")
    manager.get_by_role("button", name="Révoquer l'attestation").click()
    expect(manager.get_by_role("main")).to_contain_text("Révoquée le")
    employer.goto(full_verification_url(attestation).removeprefix("http://127.0.0.1:8000"))
    expect(employer.get_by_role("heading", level=1)).to_have_text("Attestation révoquée")
    assert_accessible(employer, "verification-revoquee")
