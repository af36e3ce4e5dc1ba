"""The migration that gives each school its own record of a young person (0002–0004): a record
used by two schools is split, and each school's rows follow its copy."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("referrals", "0002_learner_school")]


def _migrate(targets):
    """Migrate, then the models as the database now is (every app at its applied migrations)."""
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


@pytest.mark.django_db(transaction=True)
def test_a_record_shared_by_two_schools_is_split_and_each_school_keeps_its_rows(cast):
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    apps = _migrate(BEFORE)
    Learner = apps.get_model("referrals", "Learner")
    Referral = apps.get_model("referrals", "Referral")
    Cohort = apps.get_model("cohorts", "Cohort")
    Enrolment = apps.get_model("cohorts", "Enrolment")
    Barrier = apps.get_model("support", "Barrier")
    BarrierCategory = apps.get_model("support", "BarrierCategory")
    Consent = apps.get_model("support", "Consent")
    JournalEntry = apps.get_model("support", "JournalEntry")
    Membership = apps.get_model("accounts", "Membership")
    User = apps.get_model("accounts", "User")

    shared = Learner.objects.create(
        first_name="Alexis",
        last_name="Albert",
        birth_date=dt.date(2000, 4, 21),
        highest_diploma="aucun",
        phone="0611223344",
        identity_key="albert|alexis|2000-04-21",
        user_id=cast.learner_a.pk,
    )
    alone = Learner.objects.create(
        first_name="Léa",
        last_name="Seule",
        birth_date=dt.date(2004, 1, 1),
        highest_diploma="aucun",
        identity_key="k2",
    )
    orphan = Learner.objects.create(
        first_name="Nul",
        last_name="Part",
        birth_date=dt.date(2004, 1, 1),
        highest_diploma="aucun",
        identity_key="k3",
    )
    school_a, school_b = cast.school_a.pk, cast.school_b.pk
    roubaix = Referral.objects.create(learner=shared, school_id=school_b, referred_on=dt.date(2019, 6, 1))
    chelles = Referral.objects.create(learner=shared, school_id=school_a, referred_on=dt.date(2026, 1, 5))
    Referral.objects.create(learner=alone, school_id=school_a, referred_on=dt.date(2026, 2, 1))
    cohort_b = Cohort.objects.create(
        school_id=school_b,
        trade_id=cast.school_b.trade_id,
        name="Roubaix 2019",
        start_date=dt.date(2019, 9, 2),
        end_date=dt.date(2019, 12, 20),
        capacity=12,
    )
    cohort_a = Cohort.objects.create(
        school_id=school_a,
        trade_id=cast.school_a.trade_id,
        name="Chelles 2026",
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 6, 30),
        capacity=8,
    )
    enrolment_b = Enrolment.objects.create(
        learner=shared, cohort=cohort_b, referral=roubaix, entry_date=dt.date(2019, 9, 2), status="terminee"
    )
    enrolment_a = Enrolment.objects.create(
        learner=shared, cohort=cohort_a, referral=chelles, entry_date=dt.date(2026, 3, 2)
    )
    worker_b = User.objects.create(email="cip.b@test.example")
    Membership.objects.create(user=worker_b, role="social_worker", school_id=school_b)
    worker_a = User.objects.get(pk=cast.social_worker_a.pk)
    # (A transactional test before this one may have flushed the categories of the data migration.)
    health, _ = BarrierCategory.objects.get_or_create(code="sante", defaults={"name": "Santé"})
    housing, _ = BarrierCategory.objects.get_or_create(code="logement", defaults={"name": "Logement"})
    barrier_b = Barrier.objects.create(learner=shared, category=health, level="bloquant", created_by=worker_b)
    barrier_a = Barrier.objects.create(
        learner=shared, category=housing, level="a_surveiller", created_by=worker_a
    )
    consent_b = Consent.objects.create(
        learner=shared, scope="partage_prescripteur", given=True, recorded_by=worker_b
    )
    consent_a = Consent.objects.create(
        learner=shared, scope="partage_prescripteur", given=False, recorded_by=worker_a
    )
    note_b = JournalEntry.objects.create(
        learner=shared, school_id=school_b, kind="appel", text="b", author=worker_b
    )
    note_a = JournalEntry.objects.create(
        learner=shared, school_id=school_a, kind="appel", text="a", author=worker_a
    )

    apps = _migrate(leaves)

    Learner = apps.get_model("referrals", "Learner")
    first = Learner.objects.get(pk=shared.pk)
    copy = Learner.objects.get(identity_key=shared.identity_key, school_id=school_a)
    # The earliest school (Roubaix, 2019) keeps the row; Chelles gets a copy with the same identity.
    assert first.school_id == school_b and copy.pk != first.pk
    assert (copy.first_name, copy.phone, copy.user_id) == ("Alexis", "0611223344", None)
    assert first.user_id == cast.learner_a.pk
    for model, pk, owner in [
        ("referrals.Referral", roubaix.pk, first),
        ("referrals.Referral", chelles.pk, copy),
        ("cohorts.Enrolment", enrolment_b.pk, first),
        ("cohorts.Enrolment", enrolment_a.pk, copy),
        ("support.Barrier", barrier_b.pk, first),
        ("support.Barrier", barrier_a.pk, copy),
        ("support.Consent", consent_b.pk, first),
        ("support.Consent", consent_a.pk, copy),
        ("support.JournalEntry", note_b.pk, first),
        ("support.JournalEntry", note_a.pk, copy),
    ]:
        assert apps.get_model(model).objects.get(pk=pk).learner_id == owner.pk, model
    assert Learner.objects.get(pk=alone.pk).school_id == school_a
    assert not Learner.objects.filter(pk=orphan.pk).exists()
