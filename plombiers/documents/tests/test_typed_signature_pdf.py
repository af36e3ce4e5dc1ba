"""The attendance sheet PDF states a signature without drawing in words where the drawing would be
(issue 21), read back from the real PDF."""

import datetime as dt
import io

import time_machine
from pypdf import PdfReader

from plombiers.cohorts import attendance as svc
from plombiers.cohorts.enums import AttendanceStatus, Period, SignatureMode
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.documents import services
from plombiers.referrals.tests.factories import LearnerFactory

from .conftest import STROKES, pdf_text

TUESDAY = dt.date(2026, 10, 6)


def test_the_sheet_pdf_states_each_typed_signature(cast):
    trainer = cast.trainer_a
    trainer.first_name, trainer.last_name = "Sophie", "Durand"
    trainer.save(update_fields=["first_name", "last_name"])
    cohort = CohortFactory(
        school=cast.school_a, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18)
    )
    ines = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Inès", last_name="Arnaud"))
    bilal = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Bilal", last_name="Benali"))
    session = svc.session_create(cohort=cohort, by=trainer, date=TUESDAY, period=Period.MORNING)
    # 08:15 UTC: 10:15 in Paris, the morning has started.
    with time_machine.travel(dt.datetime(2026, 10, 6, 8, 15, tzinfo=dt.UTC), tick=False):
        svc.attendance_mark(
            session=session,
            by=trainer,
            marks=[
                svc.Mark(ines.pk, AttendanceStatus.PRESENT),
                svc.Mark(bilal.pk, AttendanceStatus.LATE, 10),
            ],
        )
        typed = svc.Signing(mode=SignatureMode.TYPED, typed_name="ines arnaud", confirmed=True)
        svc.attendance_sign(session=session, enrolment=ines, by=trainer, signing=typed)
        svc.attendance_sign(session=session, enrolment=bilal, by=trainer, strokes=STROKES)
        svc.sheet_lock(
            session=session,
            by=trainer,
            signing=svc.Signing(mode=SignatureMode.TYPED, typed_name="Sophie DURAND", confirmed=True),
        )

    content = services.attendance_sheet_pdf(cohort=cohort, week=TUESDAY)
    words = " ".join(pdf_text(content).split())
    assert 'Signé sans tracé : nom saisi "ines arnaud" le 06/10/2026 à 10:15' in words
    assert 'Signé sans tracé : nom saisi "Sophie DURAND" le 06/10/2026 à 10:15' in words, "the trainer's"
    assert words.count("Signé sans tracé") == 2, "Bilal drew his signature"
    page = PdfReader(io.BytesIO(content)).pages[0]
    assert page.get_contents().get_data().count(b"10 10 m 50 40 l 90 20 l 140 60 l") == 1, (
        "only Bilal's drawing"
    )
