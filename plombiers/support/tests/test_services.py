import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import TEST_FERNET_KEY
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.support import services
from plombiers.support.enums import BarrierLevel, EntryKind, Visibility
from plombiers.support.models import Action, Barrier, BarrierCategory, JournalEntry, PartnerService

SECRET = "Suivi psychiatrique au CMP, traitement en cours."


@pytest.fixture
def learner(cast):
    cohort = CohortFactory(
        school=cast.school_a, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18)
    )
    enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(), entry_date=dt.date(2026, 9, 7))
    return enrolment.learner


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 — test-only names
        return cursor.fetchone()[0]


def test_a_confidential_note_is_encrypted_at_rest_and_survives_a_key_rotation(cast, learner, monkeypatch):
    entry = services.journal_add(
        learner=learner,
        by=cast.social_worker_a,
        kind=EntryKind.INTERVIEW,
        text=SECRET,
        visibility=Visibility.CONFIDENTIAL,
    )
    stored = raw("support_journalentry", "text", entry.pk)
    assert SECRET not in stored and "CMP" not in stored
    assert Fernet(TEST_FERNET_KEY.encode()).decrypt(stored.encode()).decode() == SECRET

    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("FERNET_KEYS", f"{new_key},{TEST_FERNET_KEY}")
    call_command("rotate_keys", verbosity=0)
    rotated = raw("support_journalentry", "text", entry.pk)
    assert rotated != stored
    assert Fernet(new_key.encode()).decrypt(rotated.encode()).decode() == SECRET
    monkeypatch.setenv("FERNET_KEYS", new_key)  # the old key retired
    assert JournalEntry.objects.get(pk=entry.pk).text == SECRET


def test_barrier_summaries_are_encrypted_too(cast, learner):
    barrier = services.barrier_set(
        learner=learner,
        category="sante",
        level=BarrierLevel.BLOCKING,
        by=cast.social_worker_a,
        summary=SECRET,
    )
    assert SECRET not in raw("support_barrier", "summary", barrier.pk)
    assert Barrier.objects.get(pk=barrier.pk).summary == SECRET


def test_a_barrier_is_lifted_and_reopened(cast, learner):
    barrier = services.barrier_set(
        learner=learner, category="logement", level=BarrierLevel.BLOCKING, by=cast.social_worker_a
    )
    assert barrier.lifted_on is None
    barrier = services.barrier_set(
        learner=learner, category="logement", level=BarrierLevel.NONE, by=cast.social_worker_a
    )
    assert barrier.is_lifted
    barrier = services.barrier_set(
        learner=learner, category="logement", level=BarrierLevel.WATCH, by=cast.social_worker_a
    )
    assert not barrier.is_lifted
    assert Barrier.objects.count() == 1
    assert AuditEvent.objects.filter(action="support.barrier.set").count() == 3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c, young: services.barrier_set(
                learner=young, category="voyance", level="bloquant", by=c.social_worker_a
            ),
            "Catégorie de frein inconnue",
        ),
        (
            lambda c, young: services.journal_add(
                learner=young, by=c.social_worker_a, kind="entretien", text="   "
            ),
            "vide",
        ),
        (
            lambda c, young: services.action_create(
                barrier=services.barrier_set(
                    learner=young, category="mobilite", level="bloquant", by=c.social_worker_a
                ),
                description="Inscription au permis",
                due_on=dt.date(2026, 8, 1),
                by=c.social_worker_a,
            ),
            "précéder le début du parcours",
        ),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(cast, learner, call, message):
    with pytest.raises(ValidationError, match=message):
        call(cast, learner)
    assert not JournalEntry.objects.exists() and not Action.objects.exists()


def test_only_the_social_worker_writes_confidential_notes(cast, learner):
    with pytest.raises(PermissionDenied):
        services.journal_add(
            learner=learner,
            by=cast.trainer_a,
            kind="entretien",
            text=SECRET,
            visibility=Visibility.CONFIDENTIAL,
        )
    with pytest.raises(PermissionDenied):
        services.barrier_set(learner=learner, category="sante", level="bloquant", by=cast.trainer_a)
    with pytest.raises(PermissionDenied):
        services.journal_add(learner=learner, by=cast.trainer_b, kind="appel", text="Appel")
    entry = services.journal_add(learner=learner, by=cast.trainer_a, kind="appel", text="Retard signalé")
    assert entry.visibility == Visibility.TEAM


def test_who_reads_the_journal_and_every_confidential_read_is_audited(cast, learner):
    services.journal_add(
        learner=learner,
        by=cast.social_worker_a,
        kind="entretien",
        text=SECRET,
        visibility=Visibility.CONFIDENTIAL,
    )
    services.journal_add(learner=learner, by=cast.trainer_a, kind="appel", text="Retard signalé")
    assert [e.text for e in services.journal_read(by=cast.trainer_a, learner=learner)] == ["Retard signalé"]
    assert services.journal_read(by=cast.staff, learner=learner)[0].text == "Retard signalé"
    assert len(services.journal_read(by=cast.staff, learner=learner)) == 1, "network staff: team entries only"
    for user in (cast.prescriber, cast.trainer_b, cast.funder, cast.outsider):
        assert services.journal_read(by=user, learner=learner) == []
    assert not AuditEvent.objects.filter(action="support.journal.read_confidential").exists()
    read = services.journal_read(by=cast.social_worker_a, learner=learner)
    assert {e.text for e in read} == {SECRET, "Retard signalé"}
    events = AuditEvent.objects.filter(action="support.journal.read_confidential")
    assert events.count() == 1
    assert (events.get().actor, events.get().school) == (cast.social_worker_a, cast.school_a)


def test_partner_services_by_category_and_distance(cast, communes):
    def service(name, insee, *codes, network=cast.network):
        organisation = OrganisationFactory(
            network=network, kind=OrganisationKind.SOCIAL_SERVICE, name=name, commune=communes[insee]
        )
        partner = PartnerService.objects.create(organisation=organisation)
        partner.categories.set(BarrierCategory.objects.filter(code__in=codes))
        return partner

    service("FJT de Chelles", "77108", "logement")
    service("Plateforme mobilité de Paris", "75056", "mobilite", "logement")
    service("Foyer de Roubaix", "59512", "logement")
    # Another network's service, in Chelles too: its directory, never this network's.
    service("Foyer voisin de Chelles", "77108", "logement", "mobilite", network=cast.other_network)
    directory = PartnerService.objects.of_network(cast.network.pk)
    found = services.services_near(
        services=directory, category="logement", near=communes["77108"], radius_km=30
    )
    assert [f.service.organisation.name for f in found] == ["FJT de Chelles", "Plateforme mobilité de Paris"]
    assert found[0].distance_km == pytest.approx(0, abs=0.01)
    # Chelles → Paris, centroid to centroid: about 19 km (checked on a map).
    assert found[1].distance_km == pytest.approx(19.2, abs=1.0)
    assert [
        f.service.organisation.name for f in services.services_near(services=directory, category="mobilite")
    ] == ["Plateforme mobilité de Paris"]
    other = PartnerService.objects.of_network(cast.other_network.pk)
    assert [f.service.organisation.name for f in services.services_near(services=other)] == [
        "Foyer voisin de Chelles"
    ]
