"""The daily command enqueues the alert computation; a worker runs it."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from plombiers.alerts.models import Alert
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.support.enums import BarrierLevel
from plombiers.support.models import Barrier, BarrierCategory

NOW = dt.datetime(2026, 10, 16, 2, 0, tzinfo=dt.UTC)


def blocked_for_a_month(cast):
    cohort = CohortFactory(school=cast.school_a)
    enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
    Barrier.objects.create(
        learner=enrolment.learner,
        category=BarrierCategory.objects.get(code="logement"),
        level=BarrierLevel.BLOCKING,
        raised_on=dt.date(2026, 9, 14),
    )
    return enrolment


def test_the_daily_command_raises_the_alerts(cast, capsys):
    enrolment = blocked_for_a_month(cast)
    with time_machine.travel(NOW, tick=False):
        call_command("daily")
        assert "1 alerte(s) de décrochage levée(s)." in capsys.readouterr().out
        call_command("daily")
        assert "0 alerte(s) de décrochage levée(s)." in capsys.readouterr().out
    alert = Alert.objects.get()
    assert (alert.enrolment, alert.raised_on) == (enrolment, dt.date(2026, 10, 16))


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_a_worker_computes_them(cast, settings, capsys):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    blocked_for_a_month(cast)
    with time_machine.travel(NOW, tick=True):
        call_command("daily")
        assert "Calcul des alertes de décrochage confié à la file des tâches." in capsys.readouterr().out
        assert not Alert.objects.exists()
        call_command("db_worker", "--batch", verbosity=0)
    assert Alert.objects.count() == 1
    # `daily` also queues the funders' report reminders: the alerts' task is the one to read.
    result = DBTaskResult.objects.get(task_path__endswith="compute_alerts")
    assert (result.status, result.return_value) == ("SUCCESSFUL", 1)
