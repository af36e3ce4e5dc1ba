"""The information notice: a real PDF, names filled in, the key sentences in plain French."""

import io
import re

import pytest
from pypdf import PdfReader

from plombiers.network.tests.factories import SchoolFactory
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.support.documents import consent_notice_pdf


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Line breaks and non-breaking spaces (U+00A0, U+202F) read as plain spaces.
    return reader, re.sub(r"[\s\u00a0\u202f]+", " ", text)


@pytest.fixture
def notice(communes):
    school = SchoolFactory(name="Plombiers Chelles", email="chelles@plombiers.example")
    learner = LearnerFactory(first_name="Inès", last_name="Benali-Dupré")
    return school, learner


def test_the_notice_names_the_young_person_and_the_school_and_says_the_essentials(notice):
    school, learner = notice
    pdf = consent_notice_pdf(learner=learner, school=school)
    assert pdf.startswith(b"%PDF-")
    reader, text = text_of(pdf)
    assert 1 <= len(reader.pages) <= 2
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    assert "Inès Benali-Dupré" in text
    assert "Vos données à Plombiers Chelles" in text
    assert school.network.name in text
    for sentence in [
        "Qui s'occupe de vos données ?",
        "vous accompagner",
        "vous remettre votre attestation",
        "avec des chiffres anonymes : personne ne peut vous y reconnaître",
        "seulement votre accompagnateur ou accompagnatrice socio-professionnel·le",
        "seulement si vous êtes d'accord",
        "Combien de temps ?",
        "voir les informations qui vous concernent",
        "faire corriger ce qui est faux",
        "demander l'effacement",
        "vous opposer",
        "chelles@plombiers.example",
        "J'accepte que l'école utilise mes données pour mon accompagnement",
        "J'accepte qu'un résumé de mon accompagnement soit partagé avec la personne qui m'a orienté·e",
        "Signature du ou de la jeune",
        "Date",
    ]:
        assert sentence.replace("'", "’") in text.replace("'", "’"), sentence


def test_french_typography_and_embedded_fonts(notice):
    school, learner = notice
    pdf = consent_notice_pdf(learner=learner, school=school)
    raw_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # A non-breaking space before the high punctuation, never a breakable one or none at all.
    assert re.search(r"données\u00a0\?", raw_text)
    assert not re.search(r"\w ?[?!;:](\s|$)", raw_text.replace("https:", "")), "espace insécable manquante"
    fonts = {
        font.get_object().get("/FontDescriptor", {}).get("/FontFile2") is not None
        or font.get_object().get("/DescendantFonts") is not None
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts == {True}


def test_the_names_are_text_not_markup(communes):
    school = SchoolFactory(name="École #set page(width: 1cm) *gras*")
    learner = LearnerFactory(first_name="Jean-#emph[Luc]", last_name="O'Brien $x$")
    _, text = text_of(consent_notice_pdf(learner=learner, school=school))
    assert "Jean-#emph[Luc] O'Brien $x$".replace("'", "’") in text.replace("'", "’")
    assert "École #set page(width: 1cm) *gras*" in text


def test_notices_rendered_one_after_another_each_name_their_own_young_person(notice):
    """Rendering again reuses the loaded fonts and Typst's memoized compilations: no notice may keep
    the previous person's name. (The rendering time is measured by `make bench`, not asserted.)"""
    school, first = notice
    second = LearnerFactory(first_name="Mathis", last_name="Lefèvre-Roux")
    texts = [
        text_of(consent_notice_pdf(learner=learner, school=school))[1] for learner in (first, second, first)
    ]
    assert "Inès Benali-Dupré" in texts[0] and "Mathis" not in texts[0]
    assert "Mathis Lefèvre-Roux" in texts[1] and "Inès" not in texts[1]
    assert texts[2] == texts[0]
