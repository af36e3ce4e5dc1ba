import html
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from plombiers.credentials import services
from plombiers.credentials.pdf import full_verification_url
from plombiers.credentials.tests.factories import finished_enrolment


@pytest.fixture
def attestation(cast):
    enrolment = finished_enrolment(cast.school_a)
    enrolment.learner.first_name, enrolment.learner.last_name = "Inès", "Arnaud"
    enrolment.learner.save(update_fields=["first_name", "last_name"])
    return services.attestation_issue(enrolment, by=cast.manager_a)


def test_the_public_page_shows_initials_and_the_holder_s_link_the_full_name(client, attestation):
    page = client.get(reverse("credentials:verify_page", args=[attestation.public_id])).content.decode()
    assert "Attestation authentique" in page
    assert "I. A." in page
    assert "ARNAUD" not in page and "Arnaud" not in page
    assert "Réaliser une soudure par fusion" in page
    full = client.get(
        full_verification_url(attestation).removeprefix("http://127.0.0.1:8000")
    ).content.decode()
    assert "Inès ARNAUD" in full
    forged = client.get(
        reverse("credentials:verify_page", args=[attestation.public_id]) + "?cle=abc"
    ).content.decode()
    assert "ARNAUD" not in forged


def test_the_public_page_reports_a_revoked_attestation(client, attestation, cast):
    services.attestation_revoke(attestation, by=cast.manager_a, reason="Erreur de saisie")
    page = client.get(reverse("credentials:verify_page", args=[attestation.public_id])).content.decode()
    assert "Attestation révoquée" in page


def test_the_json_is_served_exactly_as_signed(client, attestation):
    response = client.get(reverse("credentials:credential_json", args=[attestation.public_id]))
    assert response["Content-Type"].startswith("application/ld+json")
    assert response.content.decode() == attestation.credential


def test_the_issuer_publishes_every_key_and_the_status_list(client, attestation, cast):
    from plombiers.credentials.keys import key_rotate

    key_rotate(cast.school_a)
    issuer = client.get(reverse("credentials:issuer", args=[cast.school_a.slug])).json()
    assert issuer["type"] == ["Profile"] and len(issuer["verificationMethod"]) == 2
    method = attestation.document["proof"][0]["verificationMethod"]
    assert method in issuer["assertionMethod"]
    assert all(
        m["type"] == "Multikey" and m["publicKeyMultibase"].startswith("z6Mk")
        for m in issuer["verificationMethod"]
    )
    listed = client.get(reverse("credentials:status_list", args=[cast.school_a.slug])).json()
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert client.get(reverse("credentials:issuer", args=[cast.school_b.slug])).status_code == 404


def test_upload_a_file_someone_received(client, attestation):
    url = reverse("credentials:verify_upload")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("attestation.json", attestation.credential.encode(), "application/json")
    page = client.post(url, {"file": upload}).content.decode()
    assert "Attestation authentique" in page
    tampered = attestation.document
    tampered["credentialSubject"]["achievement"]["name"] += " (expert)"
    page = client.post(url, {"text": json.dumps(tampered)}).content.decode()
    assert "Attestation modifiée ou falsifiée" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choisissez un fichier ou collez le contenu"),
        ({"text": "{pas du json"}, "pas du JSON valide"),
        ({"text": "[1, 2]"}, "Document invalide"),
        ({"text": json.dumps({"@context": [], "type": "x"})}, "ne respecte pas le schéma"),
    ],
)
def test_bad_uploads_get_a_french_answer(client, data, message):
    response = client.post(reverse("credentials:verify_upload"), data)
    assert response.status_code in (200, 400)
    assert message in response.content.decode()


def test_the_pdf(client, attestation, cast):
    client.force_login(cast.manager_a)
    response = client.get(reverse("credentials:attestation_pdf", args=[attestation.public_id]))
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Inès ARNAUD" in text
    assert "Réaliser une soudure par fusion" in text
    assert str(attestation.public_id) in text
    assert "Mesurer l'atténuation au réflectomètre" in text and "maîtrisé" in text


def test_issue_page_then_detail_and_revoke(client, cast):
    enrolment = finished_enrolment(cast.school_a)
    client.force_login(cast.manager_a)
    url = reverse("credentials:attestation_issue", args=[enrolment.pk])
    page = client.get(url).content.decode()
    assert "Délivrer et signer" in page
    response = client.post(url)
    attestation = enrolment.attestations.get()
    assert response.url == attestation.get_absolute_url()
    assert client.get(url).url == attestation.get_absolute_url()  # never twice
    revoke = reverse("credentials:attestation_revoke", args=[attestation.public_id])
    response = client.post(revoke, {"reason": ""})
    assert response.status_code == 400 and "obligatoire" in response.content.decode()
    response = client.post(revoke, {"reason": "Mauvaise promotion"})
    attestation.refresh_from_db()
    assert attestation.is_revoked and attestation.revocation_reason == "Mauvaise promotion"


def test_list_and_public_page_query_counts(client, cast, django_assert_num_queries):
    for _ in range(2):
        services.attestation_issue(finished_enrolment(cast.school_a), by=cast.manager_a)
    client.force_login(cast.manager_a)
    url = reverse("credentials:attestation_list")
    client.get(url)
    with django_assert_num_queries(6):
        client.get(url)
    for _ in range(5):
        services.attestation_issue(finished_enrolment(cast.school_a), by=cast.manager_a)
    with django_assert_num_queries(6):
        client.get(url)


def _text(response) -> str:
    """The page's text, as read: tags out, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_the_page_and_the_api_say_which_checks_were_made(client, attestation, cast):
    page = _text(client.get(reverse("credentials:verify_page", args=[attestation.public_id])))
    assert "Contrôles effectués" in page
    for line in (
        "Format Open Badges 3.0 réussi",
        "Clé de l'émetteur réussi",
        "Signature réussi",
        "Révocation réussi",
        "Dates de validité réussi",
        "Non révoquée : la liste de révocation signée de l'école a été consultée.",
        "sans date de fin",
    ):
        assert line in page, line
    verdict = client.post("/api/v1/verify", attestation.document, content_type="application/json").json()
    assert [(c["code"], c["label"], c["made"], c["passed"]) for c in verdict["controls"]] == [
        ("schema", "Format Open Badges 3.0", True, True),
        ("issuer", "Clé de l'émetteur", True, True),
        ("signature", "Signature", True, True),
        ("status", "Révocation", True, True),
        ("period", "Dates de validité", True, True),
    ]
    tampered = attestation.document
    tampered["credentialSubject"]["achievement"]["name"] += " (expert)"
    verdict = client.post("/api/v1/verify", tampered, content_type="application/json").json()
    assert [(c["code"], c["made"], c["passed"]) for c in verdict["controls"]] == [
        ("schema", True, True),
        ("issuer", True, True),
        ("signature", True, False),
        ("status", False, None),
        ("period", False, None),
    ]
    assert verdict["controls"][3]["detail"].startswith("Non vérifié : sans signature valide")
    services.attestation_revoke(attestation, by=cast.manager_a, reason="Erreur")
    page = _text(client.get(reverse("credentials:verify_page", args=[attestation.public_id])))
    assert "Révocation échec" in page


def test_the_page_tells_gestures_from_job_sheets_and_shows_the_issuer(client, cast):
    from plombiers.network.enums import OrganisationKind
    from plombiers.network.tests.factories import OrganisationFactory

    holder = OrganisationFactory(
        network=cast.network, kind=OrganisationKind.PROJECT_HOLDER, siret="73282932000074"
    )
    cast.school_a.project_holder, cast.school_a.address = holder, "3 avenue de la Résistance"
    cast.school_a.save(update_fields=["project_holder", "address"])
    enrolment = finished_enrolment(cast.school_a)
    enrolment.cohort.framework.rome_codes = ["F1605"]
    enrolment.cohort.framework.save(update_fields=["rome_codes"])
    attestation = services.attestation_issue(enrolment, by=cast.manager_a)
    page = _text(client.get(reverse("credentials:verify_page", args=[attestation.public_id])))
    gestures = page[page.index("Gestes attestés") : page.index("Métiers (ROME 4.0)")]
    assert "Réaliser une soudure par fusion" in gestures and "F1605" not in gestures
    assert "Métiers (ROME 4.0) F1605 — Montage de réseaux électriques et télécoms" in page
    assert "Acquis : Le geste est réalisé seul" in page and "Maîtrisé : Le geste est réalisé seul" in page
    assert "3 avenue de la Résistance" in page and "SIRET 73282932000074" in page
