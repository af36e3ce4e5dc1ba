import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from plombiers.cohorts import services
from plombiers.cohorts.enums import DropOutReason, EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment, WaitlistEntry
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory, running_cohort
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.models import Referral
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory


@pytest.fixture
def cohort(cast):
    return running_cohort(school=cast.school_a, capacity=2)


def test_admission_takes_a_seat_then_the_waiting_list(cast, cohort):
    first, second, third = (ReferralFactory(school=cast.school_a) for _ in range(3))
    assert services.referral_admit(referral=first, cohort=cohort, by=cast.manager_a).enrolment
    assert services.referral_admit(referral=second, cohort=cohort, by=cast.manager_a).enrolment
    admission = services.referral_admit(referral=third, cohort=cohort, by=cast.manager_a)
    assert admission.waitlisted and admission.waitlist_entry.position == 1
    third.refresh_from_db()
    assert third.status == ReferralStatus.WAITLIST
    assert cohort.enrolments.count() == 2
    assert cohort.seats_left == 0


def test_a_drop_out_frees_a_seat_for_the_next_on_the_waiting_list(cast, cohort):
    referrals = [ReferralFactory(school=cast.school_a) for _ in range(4)]
    for referral in referrals:
        services.referral_admit(referral=referral, cohort=cohort, by=cast.manager_a)
    enrolment = Enrolment.objects.get(referral=referrals[0])
    proposed = services.enrolment_drop_out(
        enrolment=enrolment, by=cast.manager_a, reason=DropOutReason.HEALTH
    )
    assert proposed.referral == referrals[2], "the first in line is proposed"
    admission = services.referral_admit(referral=proposed.referral, cohort=cohort, by=cast.manager_a)
    assert admission.enrolment is not None
    assert not WaitlistEntry.objects.filter(referral=referrals[2]).exists()
    assert list(cohort.waitlist.values_list("referral", flat=True)) == [referrals[3].pk]


def test_drop_out_needs_a_reason_and_writes_nothing_without_it(cast, cohort):
    enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
    with pytest.raises(ValidationError):
        services.enrolment_drop_out(enrolment=enrolment, by=cast.manager_a, reason="")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE


def test_only_the_manager_admits(cast, cohort):
    referral = ReferralFactory(school=cast.school_a)
    for user in (cast.trainer_a, cast.prescriber, cast.manager_b):
        with pytest.raises(PermissionDenied):
            services.referral_admit(referral=referral, cohort=cohort, by=user)
    assert not Enrolment.objects.exists()


def test_a_referral_cannot_enter_a_cohort_of_another_school(cast, cohort):
    referral = ReferralFactory(school=cast.school_b)
    with pytest.raises(ValidationError, match="pas dans l'école"):
        services.referral_admit(referral=referral, cohort=cohort, by=cast.staff)


def test_ineligible_admission_without_justification_writes_nothing(cast, cohort):
    referral = ReferralFactory(school=cast.school_a, eligibility={"eligible": False, "reasons": ["Âge"]})
    with pytest.raises(ValidationError, match="justification"):
        services.referral_admit(referral=referral, cohort=cohort, by=cast.manager_a)
    assert not Enrolment.objects.exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW


def test_one_active_enrolment_per_learner(cast, cohort):
    learner = LearnerFactory()
    other = CohortFactory(school=cast.school_a)
    services.enrolment_create(learner=learner, cohort=cohort, by=cast.manager_a)
    with pytest.raises(ValidationError, match="déjà en formation"):
        services.enrolment_create(learner=learner, cohort=other, by=cast.manager_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(learner=learner, cohort=other, entry_date=other.start_date)


def test_the_database_keeps_the_end_after_the_start(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        Cohort.objects.create(
            school=cast.school_a,
            trade=cast.school_a.trade,
            name="X",
            capacity=8,
            start_date=dt.date(2026, 9, 1),
            end_date=dt.date(2026, 9, 1),
        )


def test_a_full_cohort_refuses_a_direct_enrolment(cast):
    cohort = running_cohort(school=cast.school_a, capacity=1)
    services.enrolment_create(learner=LearnerFactory(), cohort=cohort, by=cast.manager_a)
    with pytest.raises(ValidationError, match="complète"):
        services.enrolment_create(learner=LearnerFactory(), cohort=cohort, by=cast.manager_a)


def test_finishing_a_cohort_completes_the_paths(cast, cohort):
    enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
    assert services.cohort_finish(cohort=cohort, by=cast.manager_a) == 1
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_date) == (EnrolmentStatus.COMPLETED, cohort.end_date)


# Concurrency tests run on PostgreSQL (CI runs the suite there too): SQLite runs transactions one
# at a time, the race cannot happen there (conftest leaves them out of a run on SQLite).


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_admissions_for_the_last_seat(cast):
    """Twenty managers' clicks at once for one seat: one enrolment, nineteen on the waiting list.
    Catches the admission's cohort lock removed (`referral_admit`): without it, several
    admissions see the seat free and all but one then fail in `enrolment_create`."""
    cohort = CohortFactory(school=cast.school_a, capacity=1)
    referrals = [ReferralFactory(school=cast.school_a) for _ in range(20)]
    barrier = threading.Barrier(len(referrals))
    errors = []

    def admit(referral):
        try:
            barrier.wait()
            services.referral_admit(referral=referral, cohort=cohort, by=cast.manager_a)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=admit, args=(r,)) for r in referrals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Enrolment.objects.filter(cohort=cohort).count() == 1
    assert WaitlistEntry.objects.filter(cohort=cohort).count() == 19
    assert sorted(WaitlistEntry.objects.values_list("position", flat=True)) == list(range(1, 20))
    assert Referral.objects.filter(status=ReferralStatus.ADMITTED).count() == 1
    assert Referral.objects.filter(status=ReferralStatus.WAITLIST).count() == 19


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_direct_enrolments_for_the_last_seat(cast):
    """Twenty direct enrolments (`enrolment_create`, as the API's and the page's « inscrire ») at
    once for one seat: one enrolment, nineteen refused « complète ». Catches the direct-enrolment
    lock removed (17 enrolments took one seat on PostgreSQL)."""
    cohort = CohortFactory(school=cast.school_a, capacity=1)
    learners = [LearnerFactory(school=cast.school_a) for _ in range(20)]
    barrier = threading.Barrier(len(learners))
    refused, errors = [], []

    def enrol(learner):
        try:
            barrier.wait()
            services.enrolment_create(learner=learner, cohort=cohort, by=cast.manager_a)
        except ValidationError as error:
            refused.append(error.code)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(learner,)) for learner in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Enrolment.objects.filter(cohort=cohort).count() == 1
    assert refused == ["cohort_full"] * 19


def test_a_waitlisted_candidate_refused_meanwhile_leaves_the_line(cast, cohort):
    from plombiers.referrals.enums import DecisionReason
    from plombiers.referrals.services import referral_transition

    referrals = [ReferralFactory(school=cast.school_a) for _ in range(4)]
    for referral in referrals:
        services.referral_admit(referral=referral, cohort=cohort, by=cast.manager_a)
    referral_transition(
        referral=referrals[2], to=ReferralStatus.REFUSED, by=cast.manager_a, reason=DecisionReason.NO_SHOW
    )
    assert list(cohort.waitlist.waiting().values_list("referral", flat=True)) == [referrals[3].pk]
    proposed = services.enrolment_drop_out(
        enrolment=Enrolment.objects.get(referral=referrals[0]), by=cast.manager_a, reason=DropOutReason.MOVED
    )
    assert proposed.referral == referrals[3]
    assert Cohort.objects.with_list_related_data().get(pk=cohort.pk).waitlist_count == 1
