import datetime as dt

import pytest

from plombiers.alerts.models import Alert
from plombiers.cohorts.enums import CohortStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.support.enums import default_categories_ensure
from plombiers.support.models import BarrierCategory

from .factories import alert_make


@pytest.fixture(autouse=True)
def _categories(db):
    # Transactional tests flush the tables, data migrations included: put the categories back.
    default_categories_ensure(BarrierCategory)


@pytest.fixture
def setting(cast):
    """School A: two cohorts, Inès (open alert, older) and Bilal (acknowledged alert); Chloé in the
    second cohort (open). School B: Yanis (open)."""
    autumn = CohortFactory(school=cast.school_a, name="Automne", status=CohortStatus.ONGOING)
    winter = CohortFactory(school=cast.school_a, name="Hiver", status=CohortStatus.ONGOING)
    other = CohortFactory(school=cast.school_b, name="Roubaix", status=CohortStatus.ONGOING)

    def enrol(cohort, first_name):
        return EnrolmentFactory(
            cohort=cohort, learner=LearnerFactory(first_name=first_name, last_name="Test")
        )

    ines, bilal, chloe, yanis = (
        enrol(autumn, "Inès"),
        enrol(autumn, "Bilal"),
        enrol(winter, "Chloé"),
        enrol(other, "Yanis"),
    )
    acknowledged = alert_make(bilal, rule="retards", reason="3 retards sur les 7 derniers jours")
    Alert.objects.filter(pk=acknowledged.pk).update(
        acknowledged_at=dt.datetime(2026, 10, 15, 9, tzinfo=dt.UTC),
        acknowledged_by=cast.trainer_a,
        note="Vu avec Bilal.",
    )
    return type(
        "Setting",
        (),
        {
            "autumn": autumn,
            "winter": winter,
            "ines": alert_make(ines, on=dt.date(2026, 10, 13)),
            "bilal": acknowledged,
            "chloe": alert_make(
                chloe, rule="frein_bloquant", reason="Frein bloquant « Logement » non levé depuis 23 jours"
            ),
            "yanis": alert_make(yanis),
        },
    )
