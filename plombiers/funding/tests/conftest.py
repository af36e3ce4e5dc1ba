import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine

from plombiers.cohorts.enums import AttendanceStatus, Period
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.documents.tests.conftest import half_day
from plombiers.network.enums import OrganisationCategory, OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory
from plombiers.referrals.tests.factories import LearnerFactory

WEEK_1 = dt.date(2026, 9, 28)
WEEK_2 = dt.date(2026, 10, 5)
WEEK_3 = dt.date(2026, 10, 12)


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield dt.date(2026, 11, 10)


@pytest.fixture
def orgs(cast):
    """The cast's funder (a foundation), a local authority, a corporate fund and an OPCO."""
    funder = cast.funder_org
    funder.category = OrganisationCategory.FOUNDATION
    funder.save(update_fields=["category"])
    return SimpleNamespace(
        foundation=funder,
        region=OrganisationFactory(
            network=cast.network,
            kind=OrganisationKind.FUNDER,
            name="Région Île-de-France (test)",
            category=OrganisationCategory.LOCAL_AUTHORITY,
        ),
        fund=OrganisationFactory(
            network=cast.network,
            kind=OrganisationKind.FUNDER,
            name="Fonds Fibre (test)",
            category=OrganisationCategory.ENDOWMENT_FUND,
        ),
        opco=OrganisationFactory(
            network=cast.network, kind=OrganisationKind.OPCO, name="OPCO Réseaux (test)"
        ),
        company=cast.company_a,
    )


@pytest.fixture
def course(cast, orgs):
    """A cohort of school A with a hand-computed attendance history (3 h 30 half-days):

    | half-day              | Inès        | Bilal        | Chloé    |
    | Mon 28/09 morning     | present     | present      | present  |
    | Mon 28/09 afternoon   | late 20 min | excused      | absent   |
    | Tue 29/09 morning     | present     | present      | present  |
    | Mon 05/10 morning     | present     | late 45 min  | excused  |
    | Mon 12/10 morning     | present — the trainer has not signed the sheet: it does not count |

    Attended: Inès 210 + 190 + 210 + 210 = 820 min, Bilal 210 + 210 + 165 = 585, Chloé 210 + 210 = 420;
    1 825 min in all. Week 1: 610 + 420 + 420 = 1 450 min; week 2: 210 + 165 + 0 = 375 min.
    """
    trainer = cast.trainer_a
    cohort = CohortFactory(
        school=cast.school_a,
        name="Fibre automne 2026",
        start_date=dt.date(2026, 9, 7),
        end_date=dt.date(2026, 12, 18),
        status="en_cours",
    )
    ines = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Inès", last_name="Arnaud"))
    bilal = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Bilal", last_name="Benali"))
    chloe = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Chloé", last_name="Caron"))
    M, PM = Period.MORNING, Period.AFTERNOON
    everyone = {
        ines: (AttendanceStatus.PRESENT, 0),
        bilal: (AttendanceStatus.PRESENT, 0),
        chloe: (AttendanceStatus.PRESENT, 0),
    }
    half_day(cohort, trainer, WEEK_1, M, everyone)
    half_day(
        cohort,
        trainer,
        WEEK_1,
        PM,
        {
            ines: (AttendanceStatus.LATE, 20),
            bilal: (AttendanceStatus.EXCUSED, 0),
            chloe: (AttendanceStatus.ABSENT, 0),
        },
    )
    half_day(cohort, trainer, WEEK_1 + dt.timedelta(days=1), M, everyone)
    half_day(
        cohort,
        trainer,
        WEEK_2,
        M,
        {
            ines: (AttendanceStatus.PRESENT, 0),
            bilal: (AttendanceStatus.LATE, 45),
            chloe: (AttendanceStatus.EXCUSED, 0),
        },
    )
    half_day(cohort, trainer, WEEK_3, M, everyone, lock=False)
    return SimpleNamespace(cohort=cohort, ines=ines, bilal=bilal, chloe=chloe, opco=orgs.opco)


RATE = Decimal("12.50")
