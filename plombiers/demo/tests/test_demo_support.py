"""The support histories of the demo: Inès's story, the directory, plausible and consistent data."""

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership
from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.conftest import built_once
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.network import Builder
from plombiers.demo.support import SupportBuilder
from plombiers.network.models import School
from plombiers.support.enums import ActionStatus, BarrierLevel, ConsentScope, Visibility
from plombiers.support.models import Action, Barrier, BarrierCategory, Consent, JournalEntry, PartnerService
from plombiers.support.services import services_near


def _build(communes):
    """The demo network, with the intake and support histories of Chelles only (quicker)."""
    demo = Builder().build()
    intake = IntakeBuilder()
    intake.save(intake.plan(demo, intake.prescribers(demo), only={"chelles"}))
    SupportBuilder().build(demo, only={"chelles"})
    return demo


demo_built = built_once(_build)


@pytest.fixture
def demo(demo_built, db):
    return demo_built


def test_ines_housing_lifted_during_the_programme_mobility_still_open(demo):
    ines = demo.users["jeune@plombiers.example"]
    nadia = demo.users["accompagnement@plombiers.example"]
    enrolment = Enrolment.objects.select_related("cohort").get(learner__user=ines)
    assert enrolment.cohort.status == CohortStatus.ONGOING
    barriers = {b.category.code: b for b in Barrier.objects.filter(learner__user=ines)}
    housing, mobility = barriers["logement"], barriers["mobilite"]
    today = timezone.localdate()
    assert housing.is_lifted and housing.level == BarrierLevel.NONE
    assert enrolment.entry_date <= housing.raised_on < housing.lifted_on < today
    fjt = housing.actions.get(description__contains="foyer de jeunes travailleurs")
    assert fjt.status == ActionStatus.DONE and fjt.due_on <= housing.lifted_on
    assert fjt.partner.name.startswith("Foyer de jeunes travailleurs")
    assert not mobility.is_lifted and mobility.level in (BarrierLevel.BLOCKING, BarrierLevel.WATCH)
    ongoing = mobility.actions.get(status=ActionStatus.ONGOING)
    assert ongoing.partner.name.startswith("Plateforme mobilité") and ongoing.due_on > today
    entries = list(JournalEntry.objects.filter(learner__user=ines))
    assert len(entries) >= 4 and all(e.occurred_on <= today for e in entries)
    confidential = [e for e in entries if e.is_confidential]
    assert len(confidential) == 1 and confidential[0].author == nadia
    assert enrolment.cohort.social_worker == nadia
    consents = {c.scope: c for c in Consent.objects.filter(learner__user=ines)}
    assert set(consents) == {ConsentScope.DATA, ConsentScope.SHARE_PRESCRIBER}
    assert all(c.given and c.given_on == enrolment.entry_date for c in consents.values())


def test_every_category_has_a_service_within_30_km_of_every_school(demo):
    social = {
        s.organisation.name.split(" ")[0] for s in PartnerService.objects.select_related("organisation")
    }
    assert {"Foyer", "Plateforme", "Point", "Centre"} <= social
    for school in School.objects.select_related("commune"):
        directory = PartnerService.objects.of_network(school.network_id)
        for code in BarrierCategory.objects.of_network(school.network_id).values_list("code", flat=True):
            found = services_near(services=directory, category=code, near=school.commune, radius_km=30)
            assert found, (school.name, code)
    foyer = PartnerService.objects.filter(organisation__name__startswith="Foyer de jeunes").first()
    assert list(foyer.categories.values_list("code", flat=True)) == ["logement"]


def test_diagnoses_are_plausible_and_lifted_inside_their_cohort(demo):
    today = timezone.localdate()
    enrolments = {
        e.learner_id: e
        for e in Enrolment.objects.filter(cohort__status__in=[CohortStatus.FINISHED, CohortStatus.ONGOING])
        .exclude(learner__user__isnull=False)
        .select_related("cohort")
    }
    barriers = list(Barrier.objects.filter(learner__in=enrolments).select_related("category"))
    with_barrier = {b.learner_id for b in barriers}
    assert 0.55 <= len(with_barrier) / len(enrolments) <= 0.75
    frequent = [code for code, _ in Counter(b.category.code for b in barriers).most_common(2)]
    assert set(frequent) == {"mobilite", "logement"}
    lifted = [b for b in barriers if b.is_lifted]
    assert len(lifted) >= 10
    for barrier in lifted:
        enrolment = enrolments[barrier.learner_id]
        end = min(enrolment.end_date or enrolment.cohort.end_date, today - dt.timedelta(days=1))
        assert enrolment.entry_date <= barrier.raised_on < barrier.lifted_on <= end
        assert barrier.level == BarrierLevel.NONE
    levels = Counter(b.level for b in barriers if not b.is_lifted)
    assert levels[BarrierLevel.BLOCKING] and levels[BarrierLevel.WATCH]
    assert all(b.summary for b in barriers)


def test_action_statuses_follow_the_dates(demo):
    today = timezone.localdate()
    actions = list(Action.objects.select_related("barrier", "partner"))
    assert actions
    entries = {e.learner_id: e for e in Enrolment.objects.select_related("cohort")}
    for action in actions:
        barrier = action.barrier
        enrolment = entries[barrier.learner_id]
        assert action.due_on >= enrolment.entry_date
        if barrier.is_lifted:
            assert action.status == ActionStatus.DONE and action.due_on <= barrier.lifted_on
        if (
            enrolment.cohort.status == CohortStatus.FINISHED
            or enrolment.status == EnrolmentStatus.DROPPED_OUT
        ):
            assert action.status in (ActionStatus.DONE, ActionStatus.ABANDONED)
        if action.status == ActionStatus.PLANNED:
            assert action.due_on >= today
        if action.partner is not None:
            assert action.partner.kind == "social_service"
    assert {a.status for a in actions} == set(ActionStatus.values)
    assert sum(a.partner is not None for a in actions) > len(actions) / 3


def test_confidential_entries_are_encrypted_and_written_by_the_social_worker(demo):
    confidential = list(JournalEntry.objects.filter(visibility=Visibility.CONFIDENTIAL))
    team = JournalEntry.objects.filter(visibility=Visibility.TEAM).count()
    assert confidential and len(confidential) < team / 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, text FROM support_journalentry")
        raw = dict(cursor.fetchall())
    social_workers = set(Membership.objects.filter(role=Role.SOCIAL_WORKER).values_list("user", "school"))
    for entry in confidential:
        assert entry.text and entry.text not in raw[entry.pk] and raw[entry.pk].startswith("gAAAA")
        assert (entry.author_id, entry.school_id) in social_workers
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary FROM support_barrier LIMIT 20")
        assert all(row[0].startswith("gAAAA") for row in cursor.fetchall())


def test_consents_recorded_at_entry_and_a_second_run_writes_nothing(demo):
    enrolments = Enrolment.objects.filter(cohort__status__in=[CohortStatus.FINISHED, CohortStatus.ONGOING])
    data = set(Consent.objects.filter(scope=ConsentScope.DATA, given=True).values_list("learner", "given_on"))
    assert set(enrolments.values_list("learner", "entry_date")) <= data
    assert Consent.objects.filter(scope=ConsentScope.SHARE_PRESCRIBER, given=False).exists()
    before = [m.objects.count() for m in (PartnerService, Barrier, Action, JournalEntry, Consent)]
    assert SupportBuilder().build(demo, only={"chelles"}) is None
    assert [m.objects.count() for m in (PartnerService, Barrier, Action, JournalEntry, Consent)] == before
