"""Every document is checked by reading the text back from the PDF (pypdf): names, dates, hours,
accents, euro sign and French spaces."""

import datetime as dt
import io
import zipfile

import pytest

from plombiers.cohorts.attendance import enrolment_hours
from plombiers.cohorts.tests.factories import CohortFactory
from plombiers.documents import services
from plombiers.lib.formats import amount_fr, duration_fr, time_fr

from .conftest import EXCUSE, WEEK_1, WEEK_2, pdf_pages, pdf_text

NB, NN = "\u00a0", "\u202f"


def test_french_formats():
    assert duration_fr(585) == f"9{NB}h{NB}45"
    assert duration_fr(420) == f"7{NB}h"
    assert duration_fr(45) == f"45{NB}min"
    assert duration_fr(6300) == f"105{NB}h"
    assert time_fr(dt.time(9, 45)) == f"9{NB}h{NB}45"
    assert time_fr(dt.time(13, 0)) == f"13{NB}h"
    assert amount_fr(1234.5) == f"1{NN}234,50{NN}€"
    assert amount_fr(1234567) == f"1{NN}234{NN}567,00{NN}€"
    assert amount_fr(12) == f"12,00{NN}€"


def test_certificat_hours_equal_the_signed_sheets(course, frozen):
    """The hand-computed case of the fixture: a late arrival (20 min) and an excused absence; an
    unsigned half-day never counts."""
    assert enrolment_hours(course.ines).attended == 210 + 190 + 210 + 210 == 820
    assert enrolment_hours(course.bilal).attended == 210 + 210 + 165 == 585
    expected = {course.ines: f"13{NB}h{NB}40", course.bilal: f"9{NB}h{NB}45", course.chloe: f"7{NB}h"}
    for enrolment, hours in expected.items():
        text = pdf_text(services.completion_certificate_pdf(enrolment=enrolment))
        assert f"pour une durée de {hours}" in text
        assert services.learner_name(enrolment.learner) in text
    text = pdf_text(services.completion_certificate_pdf(enrolment=course.ines))
    assert "Certificat de réalisation" in text
    assert "Inès ARNAUD" in text
    assert "du 07/09/2026 au 18/12/2026" in text
    assert "Association Fibre & Avenir" in text
    assert f"11{NB}77{NB}01234{NB}77" in text, "the numéro de déclaration d'activité"
    assert "action de formation" in text and "bilan de compétences" in text
    assert "Fait à Chelles, le 18/12/2026" in text
    assert "Karim Lefèvre" in text, "the provider's representative signs"


def test_convention(course, frozen):
    content = services.convention_pdf(enrolment=course.ines)
    text = pdf_text(content)
    assert pdf_pages(content) == 2, "the convention, then the programme attached"
    assert "Convention de formation professionnelle" in text
    assert "Articles L6353-1 et suivants du Code du travail" in text
    assert "OPCO Énergie & Réseaux" in text and "Pour le financeur" in text
    assert "Inès ARNAUD (né·e le 14/03/2005)" in text
    assert "du 07/09/2026 au 18/12/2026" in text
    assert f"durée de 17{NB}h{NB}30" in text, "the sum of the scheduled half-days"
    assert f"2{NN}450,50{NN}€ — prix net de taxe" in text
    assert "article L6313-1" in text
    assert "3 avenue de la Résistance, 77500 Chelles" in text
    assert "Annexe — Programme de la formation" in text
    for skill in course.skills:
        assert skill.title in text
    assert "B2 — Sécurité du chantier" in text


def test_convention_without_funder_is_signed_by_the_learner(course, frozen):
    course.cohort.opco = None
    course.cohort.price_per_learner = None
    course.cohort.save(update_fields=["opco", "price_per_learner"])
    text = pdf_text(services.convention_pdf(enrolment=course.bilal))
    assert "Bilal BENALI, né·e le" in text and "Le ou la stagiaire" in text
    assert "financeur" not in text.lower()
    assert f"Prix de l’action{NB}: à préciser" in text


def test_attendance_sheet(course, frozen):
    content = services.attendance_sheet_pdf(cohort=course.cohort, week=WEEK_1 + dt.timedelta(days=2))
    text = pdf_text(content)
    assert "Semaine du 28/09/2026 au 02/10/2026" in text
    for day in ("lundi 28/09/2026", "mardi 29/09/2026"):
        assert day in text
    assert "Matin" in text and "Après-midi" in text
    assert f"9{NB}h – 12{NB}h{NB}30 (3{NB}h{NB}30)" in text
    assert f"Retard 20{NB}min" in text
    assert "Absence justifiée" in text and "Absent·e" in text
    assert text.count("non signée") == 2, "the unsigned afternoon, and the explanation below"
    # Hours of the week, from the signed half-days only: Inès 210 + 190 + 210, the others 420.
    assert f"Inès ARNAUD\nRetard 20{NB}min\n10{NB}h{NB}10" in text or f"10{NB}h{NB}10" in text
    assert text.count(f"7{NB}h") >= 2
    assert "Sophie Durand" in text, "the trainer who signed"
    assert "05/10/2026" not in text, "only that week"
    assert EXCUSE not in text, "the reason of an absence stays out of the sheet"


def test_attendance_sheet_embeds_the_signatures(course, frozen):
    """Each signature is drawn as vector strokes in the PDF: the learners' on the four half-days
    (3 + 1 late + 3 + 3 on the unsigned afternoon) and the trainer's on the three signed ones."""
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(services.attendance_sheet_pdf(cohort=course.cohort, week=WEEK_1))).pages[0]
    stroke = b"10 10 m 50 40 l 90 20 l 140 60 l"  # the path of conftest.STROKES
    assert page.get_contents().get_data().count(stroke) == 3 + 1 + 3 + 3 + 3


def test_a_week_without_half_days_is_refused_in_french(course, frozen):
    with pytest.raises(
        services.NothingToPrint, match="Aucune demi-journée n'est prévue la semaine du 12/10/2026"
    ):
        services.attendance_sheet_pdf(cohort=course.cohort, week=dt.date(2026, 10, 12))
    with pytest.raises(services.NothingToPrint, match="hors des dates"):
        services.attendance_sheet_pdf(cohort=course.cohort, week=dt.date(9999, 12, 31))


def test_attestation_lists_skills_acquired_without_grades(course, frozen):
    text = pdf_text(services.training_certificate_pdf(enrolment=course.ines))
    assert "Attestation de fin de formation" in text and "Inès ARNAUD" in text
    assert "du 07/09/2026 au 18/12/2026" in text
    assert f"13{NB}h{NB}40 de présence" in text
    assert "Réaliser une soudure par fusion acquis" in text
    assert "Baliser la zone de travail acquis" in text, "maîtrisé, the latest observation, is acquired"
    assert "Mesurer l'atténuation au réflectomètre en cours d'acquisition" in text
    assert "Travailler en hauteur" not in text, "never observed"
    assert "2 compétence(s) acquise(s) sur les 4" in text
    for grade in ("Maîtrisé", "Non observé", "sur 20", "note :"):
        assert grade not in text
    text = pdf_text(services.training_certificate_pdf(enrolment=course.chloe))
    assert "Aucune compétence n’a encore été observée" in text


def test_cohort_pdfs_have_one_part_per_learner(course, frozen):
    for kind, title, pages in [
        (services.COMPLETION, "Certificat de réalisation", 3),
        (services.TRAINING, "Attestation de fin de formation", 3),
        (services.CONVENTIONS, "Convention de formation professionnelle", 6),
    ]:
        name, content = services.cohort_document(cohort=course.cohort, kind=kind)
        assert name == f"{kind}-fibre-automne-2026.pdf"
        text = pdf_text(content)
        assert pdf_pages(content) == pages
        assert text.count(f"{title}\n") >= 3 or text.count(title) >= 3
        for learner in ("Inès ARNAUD", "Bilal BENALI", "Chloé CARON"):
            assert learner in text
    name, content = services.cohort_document(cohort=course.cohort, kind=services.ATTENDANCE)
    text = pdf_text(content)
    assert "Semaine du 28/09/2026" in text and "Semaine du 05/10/2026" in text
    assert pdf_pages(content) == 2


def test_the_zip_holds_the_full_set(course, frozen):
    archive = zipfile.ZipFile(io.BytesIO(services.cohort_documents_zip(cohort=course.cohort)))
    learners = ["arnaud-ines", "benali-bilal", "caron-chloe"]
    assert sorted(archive.namelist()) == sorted(
        [f"conventions/{n}.pdf" for n in learners]
        + ["emargement/2026-09-28.pdf", "emargement/2026-10-05.pdf"]
        + [f"certificats-realisation/{n}.pdf" for n in learners]
        + [f"attestations-fin-formation/{n}.pdf" for n in learners]
    )
    text = pdf_text(archive.read("certificats-realisation/benali-bilal.pdf"))
    assert "Bilal BENALI" in text and f"9{NB}h{NB}45" in text
    text = pdf_text(archive.read("emargement/2026-10-05.pdf"))
    assert "Semaine du 05/10/2026" in text and f"Retard 45{NB}min" in text


@pytest.mark.parametrize("extra", [0, 4])
def test_the_cohort_set_reads_a_bounded_number_of_queries(course, frozen, django_assert_num_queries, extra):
    from plombiers.cohorts.tests.factories import EnrolmentFactory
    from plombiers.referrals.tests.factories import LearnerFactory

    for _ in range(extra):
        EnrolmentFactory(cohort=course.cohort, learner=LearnerFactory())
    # cohort with school, holder, OPCO, trade and framework; the school's manager; the enrolments
    # with their hours; the sessions with trainers and signatures; the marks with signatures;
    # the skills with blocks; the current observations.
    with django_assert_num_queries(7):
        files = services.cohort_documents_files(cohort=course.cohort)
    assert len(files) == 3 * (3 + extra) + 2


def test_one_document_reads_a_few_queries(course, frozen, django_assert_num_queries):
    # cohort; enrolment with hours; manager; scheduled minutes.
    with django_assert_num_queries(4):
        services.completion_certificate_pdf(enrolment=course.ines)


def test_an_empty_cohort_says_so(cast, frozen):
    cohort = CohortFactory(school=cast.school_a)
    for kind in (services.CONVENTIONS, services.COMPLETION, services.TRAINING):
        with pytest.raises(services.NothingToPrint, match="Aucun·e jeune"):
            services.cohort_document(cohort=cohort, kind=kind)
    with pytest.raises(services.NothingToPrint, match="aucune demi-journée"):
        services.cohort_document(cohort=cohort, kind=services.ATTENDANCE)
    with pytest.raises(KeyError):
        services.cohort_document(cohort=cohort, kind="bulletins")


def test_data_never_becomes_markup(course, frozen):
    """A name typed with Typst markup is printed as it is."""
    learner = course.chloe.learner
    learner.first_name = '#panic("x") *gras* $x$ ]['
    learner.save(update_fields=["first_name"])
    text = pdf_text(services.completion_certificate_pdf(enrolment=course.chloe))
    assert '#panic("x") *gras* $x$ ][ CARON' in text


def test_week_of_dates(course, frozen):
    assert services.monday_of(WEEK_2 + dt.timedelta(days=6)) == WEEK_2
