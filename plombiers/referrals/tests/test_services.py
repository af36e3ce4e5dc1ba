import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from plombiers.referrals import services
from plombiers.referrals.enums import DecisionReason, Diploma, ReferralStatus
from plombiers.referrals.models import Learner, Referral, ReferralEvent


def count_rows(*models):
    return [m.objects.count() for m in models]


def learner_data(**overrides):
    data = {
        "first_name": "Inès",
        "last_name": "Lefèvre-Durand",
        "birth_date": dt.date(2007, 3, 14),
        "highest_diploma": Diploma.NONE,
        "lives_in_qpv": True,
    }
    data.update(overrides)
    return data


def refer(cast, by=None, **overrides):
    return services.referral_create(
        by=by or cast.prescriber,
        school=cast.school_a,
        learner_data=learner_data(**overrides),
        motivation="Motivée",
    )


def test_a_prescriber_refers_a_young_person(cast):
    result = refer(cast)
    referral = result.referral
    assert result.created and not result.learner_matched
    assert referral.status == ReferralStatus.NEW
    assert referral.prescriber == cast.prescriber
    assert referral.prescriber_organisation == cast.prescriber_org
    assert referral.eligibility["eligible"] is True
    assert "QPV" in " ".join(referral.eligibility["priorities"])
    assert list(referral.events.values_list("to_status", flat=True)) == [ReferralStatus.NEW]


@pytest.mark.parametrize(
    ("last_name", "first_name"),
    [("LEFEVRE DURAND", "ines"), ("lefèvre–durand", "INÈS"), ("Lefevre Durand", "Ines")],
)
def test_the_same_person_is_found_whatever_the_spelling(cast, last_name, first_name):
    first = refer(cast).referral
    services.referral_transition(referral=first, to=ReferralStatus.CANCELLED, by=cast.prescriber)
    second = refer(cast, last_name=last_name, first_name=first_name, phone="0612345678")
    assert second.learner_matched
    assert second.referral.learner == first.learner
    assert Learner.objects.count() == 1
    first.learner.refresh_from_db()
    assert first.learner.phone == "0612345678", "a known person's empty fields are filled"
    assert first.learner.last_name == "Lefèvre-Durand", "and never overwritten"


def test_a_second_open_referral_to_the_same_school_is_refused_and_writes_nothing(cast):
    refer(cast)
    before = count_rows(Learner, Referral, ReferralEvent)
    with pytest.raises(ValidationError, match="déjà en cours"):
        refer(cast, by=cast.manager_a, phone="0700000000")
    assert count_rows(Learner, Referral, ReferralEvent) == before
    assert Learner.objects.get().phone == ""


def test_a_retried_submission_returns_the_first_referral(cast):
    kwargs = {
        "by": cast.prescriber,
        "school": cast.school_a,
        "learner_data": learner_data(),
        "idempotency_key": "k1",
    }
    first = services.referral_create(**kwargs)
    again = services.referral_create(**kwargs)
    assert again.referral == first.referral and not again.created
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "eligible", "reason"),
    [
        ({"birth_date": dt.date(1995, 1, 1)}, False, "au-delà de 25 ans"),
        ({"birth_date": dt.date(1998, 6, 1), "has_rqth": True}, True, None),
        ({"birth_date": dt.date(1990, 1, 1), "has_rqth": True}, False, "au-delà de 29 ans avec la RQTH"),
        ({"birth_date": dt.date(2013, 1, 1)}, False, "moins de 16 ans"),
        ({"highest_diploma": Diploma.LEVEL_4}, False, "au-dessus du niveau 3"),
        ({"highest_diploma": Diploma.LEVEL_3}, True, None),
        ({"is_neet": False}, False, "en emploi, en études ou en formation"),
    ],
)
def test_eligibility_is_explained(cast, overrides, eligible, reason):
    result = refer(cast, **overrides).referral.eligibility
    assert result["eligible"] is eligible
    if reason:
        assert any(reason in r for r in result["reasons"]), result["reasons"]


def test_eligibility_age_is_taken_at_the_start_of_the_next_cohort(cast):
    from plombiers.cohorts.tests.factories import CohortFactory

    today = timezone.localdate()
    CohortFactory(
        school=cast.school_a,
        start_date=today + dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=160),
    )
    born = today.replace(year=today.year - 26) + dt.timedelta(days=30)  # 25 today, 26 when the cohort starts
    result = refer(cast, birth_date=born).referral.eligibility
    assert result["eligible"] is False
    assert "26 ans" in result["reasons"][0]


def test_illegal_transition_is_refused_and_changes_nothing(cast):
    referral = refer(cast).referral
    services.referral_transition(
        referral=referral, to=ReferralStatus.REFUSED, by=cast.manager_a, reason=DecisionReason.PROJECT
    )
    with pytest.raises(ValidationError, match="Passage impossible"):
        services.referral_transition(referral=referral, to=ReferralStatus.ADMITTED, by=cast.manager_a)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFUSED
    assert referral.events.count() == 2


def test_refusal_and_redirection_need_a_reason(cast):
    referral = refer(cast).referral
    for status in (ReferralStatus.REFUSED, ReferralStatus.REDIRECTED):
        with pytest.raises(ValidationError, match="motif est obligatoire"):
            services.referral_transition(referral=referral, to=status, by=cast.manager_a)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW


def test_who_may_move_a_referral(cast):
    referral = refer(cast).referral
    assert services.referral_allowed_statuses(referral, cast.prescriber) == [ReferralStatus.CANCELLED]
    assert set(services.referral_allowed_statuses(referral, cast.trainer_a)) == {
        ReferralStatus.REVIEW,
        ReferralStatus.INFO_SESSION,
        ReferralStatus.INTERVIEW,
    }
    assert ReferralStatus.ADMITTED in services.referral_allowed_statuses(referral, cast.manager_a)
    assert services.referral_allowed_statuses(referral, cast.trainer_b) == []
    with pytest.raises(PermissionDenied):
        services.referral_transition(referral=referral, to=ReferralStatus.ADMITTED, by=cast.trainer_a)
    with pytest.raises(PermissionDenied):
        services.referral_transition(referral=referral, to=ReferralStatus.REVIEW, by=cast.manager_b)


def test_an_ineligible_candidate_is_admitted_only_with_a_written_justification(cast):
    referral = refer(cast, highest_diploma=Diploma.LEVEL_5).referral
    with pytest.raises(ValidationError, match="justification écrite"):
        services.referral_transition(referral=referral, to=ReferralStatus.ADMITTED, by=cast.manager_a)
    services.referral_transition(
        referral=referral,
        to=ReferralStatus.ADMITTED,
        by=cast.manager_a,
        justification="Décrocheur de licence, projet solide",
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ADMITTED
    assert referral.eligibility_override == "Décrocheur de licence, projet solide"


def test_each_decision_is_emailed_to_the_prescriber(cast, mailoutbox, django_capture_on_commit_callbacks):
    referral = refer(cast).referral
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_transition(referral=referral, to=ReferralStatus.REVIEW, by=cast.trainer_a)
    assert mailoutbox == [], "a study step is not a decision"
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_transition(
            referral=referral,
            to=ReferralStatus.REDIRECTED,
            by=cast.manager_a,
            reason=DecisionReason.OTHER_PROGRAMME,
            reason_detail="La Garantie jeunes convient mieux",
            reason_shared=True,
        )
    [mail] = mailoutbox
    assert mail.to == [cast.prescriber.email]
    assert "Réorientée" in mail.body and "La Garantie jeunes convient mieux" in mail.body
    assert referral.get_absolute_url() in mail.body


def test_an_unshared_reason_stays_out_of_the_email(cast, mailoutbox, django_capture_on_commit_callbacks):
    referral = refer(cast).referral
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_transition(
            referral=referral,
            to=ReferralStatus.REFUSED,
            by=cast.manager_a,
            reason=DecisionReason.BARRIERS,
            reason_detail="Problème de santé à traiter",
        )
    assert "santé" not in mailoutbox[0].body


def test_referrals_untouched_for_60_days_expire(cast):
    stale = refer(cast).referral
    fresh = refer(cast, first_name="Yanis").referral
    decided = refer(cast, first_name="Léa").referral
    services.referral_transition(referral=decided, to=ReferralStatus.WAITLIST, by=cast.manager_a)
    long_ago = timezone.now() - dt.timedelta(days=61)
    Referral.objects.filter(pk__in=[stale.pk, decided.pk]).update(status_changed_at=long_ago)
    Referral.objects.filter(pk=fresh.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=59))
    assert services.referrals_expire() == 1
    stale.refresh_from_db(), fresh.refresh_from_db(), decided.refresh_from_db()
    assert (stale.status, fresh.status, decided.status) == (
        ReferralStatus.EXPIRED,
        ReferralStatus.NEW,
        ReferralStatus.WAITLIST,
    )
    assert stale.events.last().by is None


def test_information_session_invitations_and_attendance(cast):
    session = services.session_create(
        school=cast.school_a,
        by=cast.manager_a,
        starts_at=timezone.now() + dt.timedelta(days=7),
        place="Plateau technique",
        capacity=2,
    )
    a, b, c = (refer(cast, first_name=name).referral for name in ("Ana", "Bilal", "Chloé"))
    assert services.session_invite(session=session, referrals=[a, b], by=cast.trainer_a) == 2
    a.refresh_from_db()
    assert a.status == ReferralStatus.INFO_SESSION
    with pytest.raises(ValidationError, match="Plus assez de places"):
        services.session_invite(session=session, referrals=[c], by=cast.trainer_a)
    c.refresh_from_db()
    assert c.status == ReferralStatus.NEW
    services.session_record_attendance(session=session, present_ids={a.pk}, by=cast.trainer_a)
    assert dict(session.invitations.values_list("referral_id", "attended")) == {a.pk: True, b.pk: False}


def test_network_staff_decide_only_in_their_own_network(cast):
    from plombiers.accounts.enums import Role
    from plombiers.accounts.tests.factories import MembershipFactory, UserFactory
    from plombiers.network.tests.factories import NetworkFactory

    other_network = NetworkFactory(slug="autre", name="Autre réseau")
    stranger = UserFactory(email="reseau@autre.example")
    MembershipFactory(user=stranger, role=Role.NETWORK_STAFF, network=other_network)
    referral = refer(cast).referral
    assert services.referral_allowed_statuses(referral, stranger) == []
    assert ReferralStatus.ADMITTED in services.referral_allowed_statuses(referral, cast.staff)
    with pytest.raises(PermissionDenied):
        services.referral_transition(referral=referral, to=ReferralStatus.REVIEW, by=stranger)


@pytest.mark.parametrize("role", ["trainer_a", "trainer_b", "manager_b", "funder", "outsider", "learner_a"])
def test_only_prescribers_managers_and_network_staff_refer_to_a_school(cast, role):
    with pytest.raises(PermissionDenied):
        refer(cast, by=getattr(cast, role))
    assert count_rows(Learner, Referral, ReferralEvent) == [0, 0, 0]


@pytest.mark.parametrize("role", ["trainer_b", "prescriber", "funder", "outsider"])
def test_only_the_school_team_organises_its_information_sessions(cast, role):
    from plombiers.referrals.models import InformationSession

    with pytest.raises(PermissionDenied):
        services.session_create(
            school=cast.school_a,
            by=getattr(cast, role),
            starts_at=timezone.now(),
            place="Plateau",
            capacity=5,
        )
    assert not InformationSession.objects.exists()
