"""Each rule on a hand-made case, at its threshold; a rule switched off; idempotence; what raises an
acknowledged alert again; past dates; a bounded number of queries."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from plombiers.alerts import rules
from plombiers.alerts.enums import Rule
from plombiers.alerts.models import Alert
from plombiers.alerts.services import alert_acknowledge, alerts_compute
from plombiers.cohorts.enums import AttendanceStatus, DropOutReason, EnrolmentStatus
from plombiers.cohorts.services import enrolment_drop_out
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.support.enums import BarrierLevel
from plombiers.support.models import Barrier, BarrierCategory

from .factories import AFTERNOON, MORNING, history

D = dt.date
MON, TUE, WED, THU, FRI = (D(2026, 10, d) for d in (12, 13, 14, 15, 16))


@pytest.fixture
def cohort(cast):
    return CohortFactory(school=cast.school_a, start_date=D(2026, 9, 7), end_date=D(2026, 12, 18))


@pytest.fixture
def enrol(cohort):
    def make(first_name="Inès", last_name="Arnaud", **kwargs):
        learner = LearnerFactory(first_name=first_name, last_name=last_name)
        return EnrolmentFactory(cohort=cohort, learner=learner, **kwargs)

    return make


def by_enrolment(rule=None):
    alerts = Alert.objects.all() if rule is None else Alert.objects.filter(rule=rule)
    return {alert.enrolment_id: alert for alert in alerts}


# --- absences ----------------------------------------------------------------------------------


def test_two_unexcused_absences_in_the_last_five_half_days_raise_an_alert(cast, cohort, enrol):
    ines, bilal, chloe = enrol(), enrol("Bilal", "Benali"), enrol("Chloé", "Caron")
    # Inès: exactly two absences among her last five half-days.
    history(
        cohort,
        cast.trainer_a,
        ines,
        [
            (MON, MORNING, AttendanceStatus.PRESENT),
            (MON, AFTERNOON, AttendanceStatus.ABSENT),
            (TUE, MORNING, AttendanceStatus.PRESENT),
            (TUE, AFTERNOON, AttendanceStatus.ABSENT),
            (WED, MORNING, AttendanceStatus.PRESENT),
        ],
    )
    # Bilal: one absence and one excused absence: no alert.
    history(
        cohort,
        cast.trainer_a,
        bilal,
        [
            (MON, MORNING, AttendanceStatus.ABSENT),
            (MON, AFTERNOON, AttendanceStatus.EXCUSED),
            (TUE, MORNING, AttendanceStatus.PRESENT),
        ],
    )
    # Chloé: two absences, but the first is six half-days ago.
    history(
        cohort,
        cast.trainer_a,
        chloe,
        [
            (D(2026, 10, 9), MORNING, AttendanceStatus.ABSENT),
            (MON, MORNING, AttendanceStatus.PRESENT),
            (MON, AFTERNOON, AttendanceStatus.PRESENT),
            (TUE, MORNING, AttendanceStatus.PRESENT),
            (TUE, AFTERNOON, AttendanceStatus.ABSENT),
            (WED, MORNING, AttendanceStatus.PRESENT),
        ],
    )
    assert alerts_compute(on=WED) == 1
    alert = Alert.objects.get()
    assert (alert.enrolment, alert.rule, alert.raised_on, alert.school) == (
        ines,
        Rule.ABSENCES,
        WED,
        cast.school_a,
    )
    assert alert.reason == (
        "2 absences non justifiées sur les 5 dernières demi-journées (12/10 après-midi, 13/10 après-midi)"
    )
    assert alert.facts["absences"] == [
        {"date": "2026-10-12", "period": "apres_midi"},
        {"date": "2026-10-13", "period": "apres_midi"},
    ]
    assert alert.is_open


def test_absences_on_half_days_to_come_and_of_learners_no_longer_in_training_do_not_count(
    cast, cohort, enrol
):
    ines, bilal = enrol(), enrol("Bilal", "Benali")
    history(
        cohort,
        cast.trainer_a,
        ines,
        [(MON, MORNING, AttendanceStatus.ABSENT), (WED, MORNING, AttendanceStatus.ABSENT)],
    )
    history(
        cohort,
        cast.trainer_a,
        bilal,
        [(MON, MORNING, AttendanceStatus.ABSENT), (MON, AFTERNOON, AttendanceStatus.ABSENT)],
    )
    enrolment_drop_out(enrolment=bilal, by=cast.manager_a, reason=DropOutReason.NO_NEWS, on=TUE)
    # On Tuesday, Wednesday has not happened yet.
    assert alerts_compute(on=TUE) == 0
    assert alerts_compute(on=WED) == 1
    assert set(by_enrolment()) == {ines.pk}


def test_the_thresholds_are_settings(cast, cohort, enrol, settings):
    ines = enrol()
    history(
        cohort,
        cast.trainer_a,
        ines,
        [(MON, MORNING, AttendanceStatus.ABSENT), (TUE, MORNING, AttendanceStatus.PRESENT)],
    )
    assert alerts_compute(on=TUE) == 0
    settings.PLOMBIERS_ALERT_RULES = {"absences": {"count": 1, "half_days": 2}}
    assert alerts_compute(on=TUE) == 1
    assert Alert.objects.get().reason == (
        "1 absence non justifiée sur les 2 dernières demi-journées (12/10 matin)"
    )


def test_a_rule_switched_off_raises_nothing_and_says_so(cast, cohort, enrol, settings):
    ines = enrol()
    history(
        cohort,
        cast.trainer_a,
        ines,
        [(MON, MORNING, AttendanceStatus.ABSENT), (TUE, MORNING, AttendanceStatus.ABSENT)],
    )
    settings.PLOMBIERS_ALERT_RULES = {"absences": {"enabled": False}}
    assert alerts_compute(on=TUE) == 0
    described = {d["rule"]: d["enabled"] for d in rules.rule_descriptions()}
    assert described == {Rule.ABSENCES: False, Rule.LATENESS: True, Rule.BLOCKING_BARRIER: True}
    settings.PLOMBIERS_ALERT_RULES = {"absences": {"enabled": True}}
    assert alerts_compute(on=TUE) == 1


@pytest.mark.parametrize(
    "configured",
    [{"inconnue": {}}, {"absences": {"count": 0}}, {"retards": {"days": "7"}}],
)
def test_a_wrong_rule_setting_is_refused_plainly(settings, configured):
    settings.PLOMBIERS_ALERT_RULES = configured
    with pytest.raises(ImproperlyConfigured):
        rules.rule_settings()


# --- late arrivals -----------------------------------------------------------------------------


def test_three_late_arrivals_in_seven_days_raise_an_alert(cast, cohort, enrol):
    ines, bilal = enrol(), enrol("Bilal", "Benali")
    monday = D(2026, 10, 19)
    # Window of Monday 19/10: 13/10 to 19/10.
    history(
        cohort,
        cast.trainer_a,
        ines,
        [
            (TUE, MORNING, AttendanceStatus.LATE),
            (THU, AFTERNOON, AttendanceStatus.LATE),
            (monday, MORNING, AttendanceStatus.LATE),
        ],
    )
    history(
        cohort,
        cast.trainer_a,
        bilal,
        [
            (MON, MORNING, AttendanceStatus.LATE),
            (WED, MORNING, AttendanceStatus.LATE),
            (FRI, MORNING, AttendanceStatus.LATE),
        ],
    )
    assert alerts_compute(on=monday) == 1
    alert = Alert.objects.get()
    assert (alert.enrolment, alert.rule) == (ines, Rule.LATENESS)
    assert alert.reason == "3 retards sur les 7 derniers jours (13/10 matin, 15/10 après-midi, 19/10 matin)"
    # On the Friday before, Bilal's Monday was still in the window.
    assert alerts_compute(on=FRI) == 1
    assert set(by_enrolment(Rule.LATENESS)) == {ines.pk, bilal.pk}


# --- blocking barriers -------------------------------------------------------------------------


def barrier(learner, code, level=BarrierLevel.BLOCKING, **kwargs):
    category = BarrierCategory.objects.get(code=code)
    return Barrier.objects.create(
        learner=learner, category=category, level=level, summary="Hébergée chez une amie", **kwargs
    )


def test_a_blocking_barrier_unresolved_for_21_days_raises_an_alert(cast, cohort, enrol):
    ines, bilal, chloe, david = (
        enrol(),
        enrol("Bilal", "Benali"),
        enrol("Chloé", "Caron"),
        enrol("David", "Dia"),
    )
    on = FRI
    barrier(ines.learner, "logement", raised_on=on - dt.timedelta(days=23))
    barrier(bilal.learner, "logement", raised_on=on - dt.timedelta(days=20))
    barrier(chloe.learner, "mobilite", raised_on=on - dt.timedelta(days=30), lifted_on=on)
    barrier(david.learner, "sante", level=BarrierLevel.WATCH, raised_on=on - dt.timedelta(days=60))
    assert alerts_compute(on=on) == 1
    alert = Alert.objects.get()
    assert (alert.enrolment, alert.rule) == (ines, Rule.BLOCKING_BARRIER)
    assert alert.reason == "Frein bloquant « Logement » non levé depuis 23 jours"
    assert "amie" not in alert.reason and "amie" not in str(alert.facts), "never the confidential texts"
    # One day later Bilal's barrier is 21 days old.
    assert alerts_compute(on=on + dt.timedelta(days=1)) == 1
    assert by_enrolment()[bilal.pk].reason == "Frein bloquant « Logement » non levé depuis 21 jours"


def test_two_blocking_barriers_make_one_alert(cast, cohort, enrol):
    ines = enrol()
    barrier(ines.learner, "logement", raised_on=FRI - dt.timedelta(days=23))
    barrier(ines.learner, "mobilite", raised_on=FRI - dt.timedelta(days=40))
    assert alerts_compute(on=FRI) == 1
    assert Alert.objects.get().reason == (
        "Freins bloquants non levés : « Mobilité » depuis 40 jours, « Logement » depuis 23 jours"
    )


# --- idempotence, acknowledgement, past dates ---------------------------------------------------


def test_computing_twice_raises_nothing_new(cast, cohort, enrol):
    ines = enrol()
    history(
        cohort,
        cast.trainer_a,
        ines,
        [(MON, MORNING, AttendanceStatus.ABSENT), (TUE, MORNING, AttendanceStatus.ABSENT)],
    )
    barrier(ines.learner, "logement", raised_on=TUE - dt.timedelta(days=30))
    assert alerts_compute(on=TUE) == 2
    assert alerts_compute(on=TUE) == 0
    # The next day the open alerts are still the only ones.
    assert alerts_compute(on=WED) == 0
    assert Alert.objects.count() == 2


def test_an_acknowledged_alert_comes_back_only_with_new_facts(cast, cohort, enrol):
    ines = enrol()
    history(
        cohort,
        cast.trainer_a,
        ines,
        [(MON, MORNING, AttendanceStatus.ABSENT), (MON, AFTERNOON, AttendanceStatus.ABSENT)],
    )
    assert alerts_compute(on=MON) == 1
    first = Alert.objects.get()
    alert_acknowledge(alert=first, by=cast.social_worker_a, note="Appelée : panne de réveil, revient demain.")
    # Same absences, still among the last five half-days: nothing new.
    history(cohort, cast.trainer_a, ines, [(TUE, MORNING, AttendanceStatus.PRESENT)])
    assert alerts_compute(on=TUE) == 0
    # A new absence: a new alert, with all the absences of the window.
    history(cohort, cast.trainer_a, ines, [(WED, MORNING, AttendanceStatus.ABSENT)])
    assert alerts_compute(on=WED) == 1
    second = Alert.objects.open().get()
    assert second.pk != first.pk
    assert second.reason == (
        "3 absences non justifiées sur les 5 dernières demi-journées (12/10 matin, 12/10 après-midi, 14/10 matin)"
    )


def test_an_acknowledged_barrier_alert_comes_back_for_another_barrier_only(cast, cohort, enrol):
    ines = enrol()
    barrier(ines.learner, "logement", raised_on=MON - dt.timedelta(days=21))
    assert alerts_compute(on=MON) == 1
    alert_acknowledge(alert=Alert.objects.get(), by=cast.trainer_a, note="Orientée vers le FJT.")
    assert alerts_compute(on=FRI) == 0
    barrier(ines.learner, "mobilite", raised_on=MON - dt.timedelta(days=30))
    assert alerts_compute(on=FRI) == 1


def test_the_demo_raises_alerts_at_past_dates_for_chosen_enrolments(cast, cohort, enrol):
    ines, bilal = enrol(), enrol("Bilal", "Benali")
    for enrolment in (ines, bilal):
        history(
            cohort,
            cast.trainer_a,
            enrolment,
            [(MON, MORNING, AttendanceStatus.ABSENT), (TUE, MORNING, AttendanceStatus.ABSENT)],
        )
    # Inès drops out on Friday: on Tuesday she was still in training.
    enrolment_drop_out(enrolment=ines, by=cast.manager_a, reason=DropOutReason.NO_NEWS, on=FRI)
    assert alerts_compute(on=TUE, enrolments=[ines]) == 1
    alert = Alert.objects.get()
    assert (alert.enrolment, alert.raised_on) == (ines, TUE)
    assert alerts_compute(on=TUE, enrolments=type(ines).objects.filter(pk=bilal.pk)) == 1
    ines.refresh_from_db()
    assert ines.status == EnrolmentStatus.DROPPED_OUT
    # Today she is no longer in training.
    assert alerts_compute(on=D(2026, 10, 20), enrolments=[ines]) == 0


def test_computing_reads_a_bounded_number_of_queries(cast, cohort, enrol, django_assert_num_queries):
    """The same number of queries for 2 and for 8 young people raising every rule."""

    def make(n, offset):
        made = []
        for i in range(n):
            enrolment = enrol(f"Jeune{offset + i}", "Test")
            history(
                cohort,
                cast.trainer_a,
                enrolment,
                [
                    (MON, MORNING, AttendanceStatus.ABSENT),
                    (MON, AFTERNOON, AttendanceStatus.LATE),
                    (TUE, MORNING, AttendanceStatus.LATE),
                    (TUE, AFTERNOON, AttendanceStatus.LATE),
                    (WED, MORNING, AttendanceStatus.ABSENT),
                ],
            )
            barrier(enrolment.learner, "logement", raised_on=MON - dt.timedelta(days=30))
            made.append(enrolment)
        return made

    few = make(2, 0)
    # savepoint; per rule: the findings, the open alerts, the acknowledged ones, one insert; release
    with django_assert_num_queries(1 + 3 * 4 + 1):
        assert alerts_compute(on=WED, enrolments=few) == 2 * 3
    many = make(8, 2)
    with django_assert_num_queries(1 + 3 * 4 + 1):
        assert alerts_compute(on=WED, enrolments=many) == 8 * 3
    # Nothing found: one query per rule.
    with django_assert_num_queries(1 + 3 + 1):
        assert alerts_compute(on=D(2026, 9, 1)) == 0
