"""A small network whose every indicator was computed by hand (see the figures in `EXPECTED`).

School A (Chelles, fibre, Seine-et-Marne, Île-de-France; funded by `cast.funder_org`):
- cohort A1 (2025): ten learners, every one exited on 18/04/2025 or on their drop-out date;
- cohort A2 (2026): eight learners, seven exited, one still in training.
School B (Roubaix, data centre, Nord, Hauts-de-France): cohort B1 (2025), four learners.

The 21 detailed situations at exit appear once each: 13 positive, 4 other, 4 neutralised.
"""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from plombiers.cohorts.enums import AttendanceStatus, CohortStatus, DropOutReason, EnrolmentStatus, Period
from plombiers.cohorts.models import Attendance, Signature, TrainingSession
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.frameworks.loader import frameworks_load
from plombiers.frameworks.models import Framework
from plombiers.outcomes.enums import ExitType as T
from plombiers.outcomes.enums import FollowUpStatus
from plombiers.outcomes.tests.factories import ExitFactory, FollowUpFactory
from plombiers.referrals.enums import Diploma, Gender, ReferralStatus
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory
from plombiers.skills.models import Observation
from plombiers.support.enums import BarrierLevel, default_categories_ensure
from plombiers.support.models import Barrier, BarrierCategory

A1_END = dt.date(2025, 4, 18)
A2_END = dt.date(2026, 4, 17)
DONE, NO_NEWS, DUE = FollowUpStatus.DONE, FollowUpStatus.NO_NEWS, FollowUpStatus.DUE

# (situation at exit, dropped out on)
A1 = [
    (T.CDI, None),
    (T.CDD_LONG, None),
    (T.CDD_SHORT, None),
    (T.SUBSIDISED, None),
    (T.APPRENTICESHIP, None),
    (T.SIAE, None),
    (T.JOB_SEEKING, None),
    (T.NO_NEWS, dt.date(2025, 2, 10)),
    (T.MOVED, dt.date(2025, 3, 1)),
    (T.CIVIC_SERVICE, None),
]
B1 = [
    (T.CIVIL_SERVICE, None),
    (T.ILLNESS, dt.date(2025, 2, 20)),
    (T.INACTIVE, None),
    (T.QUALIFYING_TRAINING, None),
]
A2 = [
    (T.TEMPING_LONG, None),
    (T.TEMPING_SHORT, None),
    (T.BUSINESS_CREATION, None),
    (T.PROFESSIONALISATION, None),
    (T.PRE_QUALIFYING_TRAINING, None),
    (T.INCARCERATION, dt.date(2026, 2, 2)),
    (T.DEATH, dt.date(2026, 3, 3)),
]
# Follow-ups of A1's exits: (index in A1, horizon, status, situation).
FOLLOW_UPS = [
    (0, 1, DONE, T.CDI),
    (1, 1, DONE, T.MOVED),  # neutralised: out of the denominator at 1 month
    (2, 1, NO_NEWS, T.NO_NEWS),  # « sans nouvelles »: in the denominator, never positive
    (3, 1, DONE, T.JOB_SEEKING),
    (4, 1, DUE, ""),  # not yet known: not counted
    (0, 3, DONE, T.CDD_SHORT),
    (2, 3, DONE, T.QUALIFYING_TRAINING),
    (5, 6, DONE, T.CDI),  # SIAE at exit, a job at 6 months: 180 days to a first job
    (6, 6, DONE, T.CDI),  # job-seeking at exit, a job at 6 months: 180 days
    (0, 12, NO_NEWS, T.NO_NEWS),
]


def _cohort(school, name, start, end, framework=None):
    return CohortFactory(
        school=school,
        name=name,
        start_date=start,
        end_date=end,
        status=CohortStatus.FINISHED,
        framework=framework,
    )


def _enrol(cohort, situation, dropped_on, end):
    enrolment = EnrolmentFactory(
        cohort=cohort,
        learner=LearnerFactory(),
        status=EnrolmentStatus.DROPPED_OUT if dropped_on else EnrolmentStatus.COMPLETED,
        end_date=dropped_on or end,
        drop_out_reason=DropOutReason.OTHER if dropped_on else "",
    )
    ExitFactory(enrolment=enrolment, exit_type=situation)
    return enrolment


def build(cast) -> SimpleNamespace:
    frameworks_load()
    default_categories_ensure(BarrierCategory)
    framework = Framework.objects.get(trade=cast.school_a.trade)
    a1 = _cohort(cast.school_a, "A1", dt.date(2025, 1, 6), A1_END, framework)
    a2 = _cohort(cast.school_a, "A2", dt.date(2026, 1, 5), A2_END)
    b1 = _cohort(cast.school_b, "B1", dt.date(2025, 1, 6), dt.date(2025, 4, 18))

    a1_enrolments = []
    for i, (situation, dropped_on) in enumerate(A1):
        learner = LearnerFactory(
            gender=Gender.FEMALE if i < 4 else Gender.MALE,
            lives_in_qpv=i < 3,
            has_rqth=i == 4,
            highest_diploma=Diploma.LEVEL_3 if i >= 7 else Diploma.NONE,
        )
        referral = ReferralFactory(
            learner=learner,
            school=cast.school_a,
            prescriber=cast.prescriber,
            prescriber_organisation=cast.prescriber_org,
            referred_on=dt.date(2024, 12, 2),
            status=ReferralStatus.ADMITTED,
        )
        enrolment = EnrolmentFactory(
            cohort=a1,
            learner=learner,
            referral=referral,
            status=EnrolmentStatus.DROPPED_OUT if dropped_on else EnrolmentStatus.COMPLETED,
            end_date=dropped_on or A1_END,
            drop_out_reason=DropOutReason.OTHER if dropped_on else "",
        )
        ExitFactory(enrolment=enrolment, exit_type=situation, hired_by_internship_host=i == 0)
        a1_enrolments.append(enrolment)
    # Referrals that did not lead to an entry: three refused in 2024, one new in 2025.
    for _ in range(3):
        ReferralFactory(
            school=cast.school_a,
            prescriber_organisation=cast.prescriber_org,
            referred_on=dt.date(2024, 12, 9),
            status=ReferralStatus.REFUSED,
            reason="age",
        )
    ReferralFactory(school=cast.school_a, referred_on=dt.date(2025, 3, 3), status=ReferralStatus.NEW)

    b1_enrolments = [_enrol(b1, s, d, b1.end_date) for s, d in B1]
    a2_enrolments = [_enrol(a2, s, d, A2_END) for s, d in A2]
    active = EnrolmentFactory(cohort=a2, learner=LearnerFactory(), status=EnrolmentStatus.ACTIVE)

    exits = [e.exit for e in a1_enrolments]
    for index, horizon, status, situation in FOLLOW_UPS:
        FollowUpFactory(exit=exits[index], horizon=horizon, status=status, situation_type=situation)

    # Attendance in A1: two signed half-days and one not yet signed (not counted).
    trainer_signature = Signature.objects.create(
        svg="<svg/>", signer_name="Formatrice", method="tablette", signed_at=timezone.now()
    )
    first, second = a1_enrolments[:2]
    for day, locked, marks in [
        (
            dt.date(2025, 1, 6),
            True,
            [(first, AttendanceStatus.PRESENT, 0), (second, AttendanceStatus.ABSENT, 0)],
        ),
        (
            dt.date(2025, 1, 7),
            True,
            [(first, AttendanceStatus.LATE, 30), (second, AttendanceStatus.EXCUSED, 0)],
        ),
        (
            dt.date(2025, 1, 8),
            False,
            [(first, AttendanceStatus.PRESENT, 0), (second, AttendanceStatus.PRESENT, 0)],
        ),
    ]:
        session = TrainingSession.objects.create(
            cohort=a1,
            date=day,
            period=Period.MORNING,
            start_time=dt.time(9),
            end_time=dt.time(12, 30),
            duration_minutes=210,
            locked_at=timezone.now() if locked else None,
            trainer_signature=trainer_signature if locked else None,
        )
        for enrolment, status, late in marks:
            Attendance.objects.create(session=session, enrolment=enrolment, status=status, late_minutes=late)

    # Skills in A1: the latest observation of each skill counts.
    s1, s2 = framework.skills.order_by("pk")[:2]
    for enrolment, skill, level in [
        (first, s1, "en_cours"),
        (first, s1, "acquis"),
        (first, s2, "maitrise"),
        (second, s1, "acquis"),
        (second, s1, "en_cours"),
    ]:
        Observation.objects.create(
            enrolment=enrolment, skill=skill, level=level, observed_on=dt.date(2025, 2, 3)
        )

    # Barriers: one lifted, one still blocking, one category without a barrier.
    categories = {c.code: c for c in BarrierCategory.objects.all()}
    Barrier.objects.create(
        learner=first.learner,
        category=categories["logement"],
        level=BarrierLevel.NONE,
        raised_on=dt.date(2025, 1, 6),
        lifted_on=dt.date(2025, 3, 1),
    )
    Barrier.objects.create(
        learner=first.learner, category=categories["mobilite"], level=BarrierLevel.BLOCKING
    )
    Barrier.objects.create(learner=second.learner, category=categories["sante"], level=BarrierLevel.NONE)

    return SimpleNamespace(
        a1=a1,
        a2=a2,
        b1=b1,
        a1_enrolments=a1_enrolments,
        a2_enrolments=a2_enrolments,
        b1_enrolments=b1_enrolments,
        active=active,
    )
