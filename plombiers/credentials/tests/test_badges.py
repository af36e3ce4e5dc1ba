"""Baked badges (Open Badges 3.0, « Baking »): bake, download, upload to /verifier/, authentic."""

import html
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from plombiers.credentials import badges, services
from plombiers.credentials.tests.factories import finished_enrolment
from plombiers.credentials.views import BADGE_TYPES
from plombiers.privacy.models import AuditEvent

NS = "https://purl.imsglobal.org/ob/v3p0"


@pytest.fixture
def attestation(cast):
    return services.attestation_issue(
        finished_enrolment(cast.school_a, learner_user=cast.learner_a), by=cast.manager_a
    )


def _upload(client, name, content, kind):
    return client.post(
        reverse("credentials:verify_upload"), {"file": SimpleUploadedFile(name, content, kind)}
    )


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_the_png_carries_the_credential_in_one_uncompressed_itxt_chunk(attestation):
    png = badges.attestation_badge(attestation, "png")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] > 400
    assert image.text["openbadgecredential"] == attestation.credential  # what any PNG reader sees
    chunks = [(kind, data) for _position, kind, data in badges._chunks(png)]
    baked = [data for kind, data in chunks if kind == b"iTXt" and data.startswith(b"openbadgecredential\0")]
    assert (
        len(baked) == 1
        and baked[0][len(b"openbadgecredential\0") : len(b"openbadgecredential\0") + 2] == b"\0\0"
    )
    assert chunks[-1][0] == b"IEND"
    again = badges.bake_png(png, attestation.credential)  # baking twice keeps one chunk
    assert sum(1 for _p, kind, data in badges._chunks(again) if data.startswith(b"openbadgecredential")) == 1
    assert badges.extract(png) == (attestation.credential, "PNG")


def test_the_svg_declares_the_namespace_and_carries_the_credential_first(attestation):
    svg = badges.attestation_badge(attestation, "svg")
    assert f'xmlns:openbadges="{NS}"' in svg.decode()[: svg.decode().index(">")]
    root = ET.fromstring(svg)  # noqa: S314 — our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    first = root[0]
    assert first.tag == f"{{{NS}}}credential" and "verify" not in first.attrib
    assert json.loads(first.text) == attestation.document
    assert badges.extract(svg) == (attestation.credential, "SVG")
    # a credential text holding the CDATA end marker survives too
    tricky = badges.bake_svg('<svg xmlns="http://www.w3.org/2000/svg"></svg>', '{"a": "]]>"}')
    assert ET.fromstring(tricky)[0].text  # noqa: S314 == '{"a": "]]>"}' == badges.extract(tricky.encode())[0]


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_bake_download_upload_authentic(client, attestation, cast, fmt):
    """Round trip: the school downloads the badge from the attestation page, the young person from
    their home page; anyone uploads it to /verifier/: « Attestation authentique »."""
    client.force_login(cast.manager_a)
    detail = client.get(attestation.get_absolute_url()).content.decode()
    url = reverse(f"credentials:attestation_badge_{fmt}", args=[attestation.public_id])
    assert url in detail
    from_school = client.get(url)
    assert from_school["Content-Type"] == BADGE_TYPES[fmt]
    assert f'filename="badge-{attestation.public_id}.{fmt}"' in from_school["Content-Disposition"]
    client.force_login(cast.learner_a)
    home = client.get(reverse("credentials:my_attestations")).content.decode()
    assert url in home and "Mes attestations de compétences" in home
    from_home = client.get(url)
    assert from_home.content == from_school.content
    assert (
        AuditEvent.objects.filter(action="attestation.download", details__format=f"badge {fmt}").count() == 2
    )
    client.logout()
    page = _text(_upload(client, f"badge.{fmt}", from_home.content, BADGE_TYPES[fmt]))
    assert "Attestation authentique" in page
    assert f"Attestation lue dans le badge {fmt.upper()} déposé" in page
    assert str(attestation.public_id) in page


def test_a_tampered_or_empty_badge_is_refused_in_french(client, attestation):
    png = badges.attestation_badge(attestation, "png")
    forged = attestation.document
    forged["credentialSubject"]["achievement"]["name"] += " (expert)"
    page = _text(_upload(client, "b.png", badges.bake_png(png, json.dumps(forged)), "image/png"))
    assert "Attestation modifiée ou falsifiée" in page
    bare = badges.image("png", school="É", trade="Fibre optique", network="R", partial=False)
    cases = [
        (bare, "ne contient pas d'attestation Open Badges 3.0 (aucun bloc « openbadgecredential »)"),
        (png[:1000], "Cette image PNG est tronquée."),
        (png[:60] + b"x" + png[61:], "abîmée"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>', "espace de noms"),
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="{NS}"><ob:credential verify="a.b.c"/></svg>'.encode(),
            "format JWT",
        ),
        (b"\xff\xd8\xff\xe0 a JPEG", "ni un JSON, ni une image PNG ou SVG"),
    ]
    for content, message in cases:
        response = _upload(client, "badge.bin", content, "application/octet-stream")
        assert response.status_code == 400 and message in html.unescape(response.content.decode()), message


def test_only_those_who_see_the_attestation_download_its_badge(client, attestation, cast):
    url = reverse("credentials:attestation_badge_png", args=[attestation.public_id])
    for user, code in [
        (cast.trainer_b, 404),
        (cast.outsider, 404),
        (cast.learner_a, 200),
        (cast.manager_a, 200),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == code, user
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_young_person_s_block_query_count(client, cast, django_assert_num_queries):
    first = finished_enrolment(cast.school_a, learner_user=cast.learner_a)
    for enrolment in (first, finished_enrolment(cast.school_a, learner=first.learner)):
        services.attestation_issue(enrolment, by=cast.manager_a)
    services.attestation_issue(finished_enrolment(cast.school_b, learner=first.learner), by=cast.manager_b)
    client.force_login(cast.learner_a)
    url = reverse("credentials:my_attestations")
    client.get(url)
    # session, user, memberships (visible_to), the attestations with their school
    with django_assert_num_queries(4):
        assert client.get(url).content.decode().count("Badge (PNG)") == 3
    client.force_login(cast.manager_a)
    assert "Mes attestations" not in client.get(url).content.decode()
