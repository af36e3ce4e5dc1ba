import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from pypdf import PdfReader

from plombiers.cohorts import attendance as svc
from plombiers.cohorts.enums import AttendanceStatus, Period
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.frameworks.models import Block, Framework, Skill
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.skills.enums import Level
from plombiers.skills.models import Observation

STROKES = [[[10, 10], [50, 40], [90, 20], [140, 60]]]
WEEK_1 = dt.date(2026, 9, 28)
WEEK_2 = dt.date(2026, 10, 5)
EXCUSE = "Rendez-vous à la préfecture"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def build_framework(trade) -> tuple[Framework, list[Skill]]:
    framework = Framework.objects.create(trade=trade, version="t1", title="Référentiel fibre", checksum="-")
    fusion = Block.objects.create(framework=framework, code="B1", title="Raccordement et soudure", position=0)
    safety = Block.objects.create(framework=framework, code="B2", title="Sécurité du chantier", position=1)
    skills = [
        Skill.objects.create(
            framework=framework, block=fusion, code="F1", title="Réaliser une soudure par fusion", position=0
        ),
        Skill.objects.create(
            framework=framework,
            block=fusion,
            code="F2",
            title="Mesurer l'atténuation au réflectomètre",
            position=1,
        ),
        Skill.objects.create(
            framework=framework, block=safety, code="S1", title="Baliser la zone de travail", position=0
        ),
        Skill.objects.create(
            framework=framework,
            block=safety,
            code="S2",
            title="Travailler en hauteur en sécurité",
            position=1,
        ),
    ]
    return framework, skills


def half_day(cohort, by, day, period, marks, *, lock=True):
    """Create, mark, sign (and lock) one half-day on its own day, with the attendance services."""
    session = svc.session_create(cohort=cohort, by=by, date=day, period=period)
    # 16:00 UTC: the afternoon has started (signing is refused before a half-day starts).
    with time_machine.travel(dt.datetime.combine(day, dt.time(16), tzinfo=dt.UTC), tick=False):
        rows = []
        for enrolment, (status, late) in marks.items():
            rows.append(
                svc.Mark(
                    enrolment.pk,
                    status,
                    late,
                    excuse_reason=EXCUSE if status == AttendanceStatus.EXCUSED else "",
                )
            )
        svc.attendance_mark(session=session, by=by, marks=rows)
        for enrolment, (status, _late) in marks.items():
            if status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
                svc.attendance_sign(session=session, enrolment=enrolment, strokes=STROKES, by=by)
        if lock:
            svc.sheet_lock(session=session, by=by, strokes=STROKES)
    return session


@pytest.fixture
def course(cast):
    """A fibre cohort of school A run by a project holder, funded by an OPCO, with a hand-computed
    attendance history over two weeks (3 h 30 half-days):

    | half-day           | Inès          | Bilal              | Chloé              |
    | Mon 28/09 morning  | present       | present            | present            |
    | Mon 28/09 afternoon| late 20 min   | excused            | absent             |
    | Tue 29/09 morning  | present       | present            | present            |
    | Tue 29/09 afternoon| present — sheet never signed by the trainer (does not count)  |
    | Mon 05/10 morning  | present       | late 45 min        | excused            |

    Hours attended: Inès 210 + 190 + 210 + 210 = 820 min (13 h 40), Bilal 210 + 210 + 165 = 585 (9 h 45),
    Chloé 210 + 210 = 420 (7 h). Scheduled: 5 × 210 = 1 050 min (17 h 30).
    """
    manager = cast.manager_a
    manager.first_name, manager.last_name = "Karim", "Lefèvre"
    manager.save(update_fields=["first_name", "last_name"])
    trainer = cast.trainer_a
    trainer.first_name, trainer.last_name = "Sophie", "Durand"
    trainer.save(update_fields=["first_name", "last_name"])
    holder = OrganisationFactory(
        network=cast.network,
        kind=OrganisationKind.PROJECT_HOLDER,
        name="Association Fibre & Avenir",
        nda="11770123477",
        address="12 rue de l'Église",
        commune=cast.school_a.commune,
    )
    school = cast.school_a
    school.project_holder = holder
    school.address = "3 avenue de la Résistance"
    school.save(update_fields=["project_holder", "address"])
    opco = OrganisationFactory(
        network=cast.network, kind=OrganisationKind.OPCO, name="OPCO Énergie & Réseaux"
    )
    framework, skills = build_framework(school.trade)
    cohort = CohortFactory(
        school=school,
        name="Fibre automne 2026",
        framework=framework,
        start_date=dt.date(2026, 9, 7),
        end_date=dt.date(2026, 12, 18),
        price_per_learner=Decimal("2450.50"),
        opco=opco,
        status="en_cours",
    )
    cohort.trainers.set([trainer])
    ines = EnrolmentFactory(
        cohort=cohort,
        learner=LearnerFactory(
            first_name="Inès", last_name="Arnaud", user=cast.learner_a, birth_date=dt.date(2005, 3, 14)
        ),
    )
    bilal = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Bilal", last_name="Benali"))
    chloe = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Chloé", last_name="Caron"))
    P, M = Period.MORNING, Period.AFTERNOON
    tuesday = WEEK_1 + dt.timedelta(days=1)
    everyone = {
        ines: (AttendanceStatus.PRESENT, 0),
        bilal: (AttendanceStatus.PRESENT, 0),
        chloe: (AttendanceStatus.PRESENT, 0),
    }
    half_day(cohort, trainer, WEEK_1, P, everyone)
    half_day(
        cohort,
        trainer,
        WEEK_1,
        M,
        {
            ines: (AttendanceStatus.LATE, 20),
            bilal: (AttendanceStatus.EXCUSED, 0),
            chloe: (AttendanceStatus.ABSENT, 0),
        },
    )
    half_day(cohort, trainer, tuesday, P, everyone)
    half_day(cohort, trainer, tuesday, M, everyone, lock=False)
    half_day(
        cohort,
        trainer,
        WEEK_2,
        P,
        {
            ines: (AttendanceStatus.PRESENT, 0),
            bilal: (AttendanceStatus.LATE, 45),
            chloe: (AttendanceStatus.EXCUSED, 0),
        },
    )

    f1, f2, s1, _s2 = skills
    for enrolment, skill, level in [
        (ines, f1, Level.ACQUIRED),
        (ines, f2, Level.IN_PROGRESS),
        (ines, s1, Level.IN_PROGRESS),
        (ines, s1, Level.MASTERED),  # the latest wins
        (bilal, f1, Level.IN_PROGRESS),
        (bilal, s1, Level.NOT_OBSERVED),
    ]:
        Observation.objects.create(
            enrolment=enrolment, skill=skill, level=level, observed_on=WEEK_1, observer=trainer
        )
    return SimpleNamespace(
        cohort=cohort,
        holder=holder,
        opco=opco,
        ines=ines,
        bilal=bilal,
        chloe=chloe,
        skills=skills,
        trainer=trainer,
        manager=manager,
    )


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 12, 18, 15, 0, tzinfo=dt.UTC), tick=False):
        yield dt.date(2026, 12, 18)
