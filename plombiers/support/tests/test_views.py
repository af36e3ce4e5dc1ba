import datetime as dt
from html import unescape
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.support import services
from plombiers.support.enums import ActionStatus, BarrierLevel, ConsentScope, EntryKind, Visibility
from plombiers.support.models import Action, Barrier, BarrierCategory, JournalEntry, PartnerService

HEALTH_SECRET = "Suivi au CMP, traitement lourd"
HOUSING = "Hébergé chez un cousin jusqu'en décembre"
CONFIDENTIAL = "Violences intrafamiliales évoquées en entretien"
TEAM_NOTE = "Retards le lundi matin : bus supprimé"
OUTCOME = "Dossier FSL déposé, réponse attendue"


def enrol(school, communes, **learner):
    today = timezone.localdate()
    cohort = CohortFactory(
        school=school, start_date=today - dt.timedelta(days=40), end_date=today + dt.timedelta(days=60)
    )
    return EnrolmentFactory(
        cohort=cohort,
        learner=LearnerFactory(commune=communes["77108"], **learner),
        entry_date=cohort.start_date,
    ).learner


def partner(cast, communes, name, insee, *codes):
    organisation = OrganisationFactory(
        network=cast.network, kind=OrganisationKind.SOCIAL_SERVICE, name=name, commune=communes[insee]
    )
    service = PartnerService.objects.create(organisation=organisation)
    service.categories.set(BarrierCategory.objects.filter(code__in=codes))
    return organisation


@pytest.fixture
def support(cast, communes):
    return support_make(cast, communes)


def support_make(cast, communes):
    """One young person of school A with a health and a housing barrier, an action, two journal
    entries (one confidential); one young person of school B."""
    today = timezone.localdate()
    learner = enrol(cast.school_a, communes, first_name="Inès", last_name="Benali")
    by = cast.social_worker_a
    health = services.barrier_set(
        learner=learner,
        category="sante",
        level=BarrierLevel.BLOCKING,
        summary=HEALTH_SECRET,
        by=by,
        raised_on=today - dt.timedelta(days=20),
    )
    housing = services.barrier_set(
        learner=learner, category="logement", level=BarrierLevel.WATCH, summary=HOUSING, by=by
    )
    fjt = partner(cast, communes, "FJT de Chelles", "77108", "logement")
    partner(cast, communes, "Accueil logement Paris", "75056", "logement", "mobilite")
    action = services.action_create(
        barrier=housing, description="Demande FSL", due_on=today - dt.timedelta(days=2), partner=fjt, by=by
    )
    services.action_update(action=action, status=ActionStatus.ONGOING, outcome=OUTCOME, by=by)
    team = services.journal_add(learner=learner, by=by, kind=EntryKind.CALL, text=TEAM_NOTE)
    secret = services.journal_add(
        learner=learner,
        by=by,
        kind=EntryKind.INTERVIEW,
        text=CONFIDENTIAL,
        visibility=Visibility.CONFIDENTIAL,
    )
    other = enrol(cast.school_b, communes, first_name="Roubaisien")
    return SimpleNamespace(
        learner=learner,
        health=health,
        housing=housing,
        action=action,
        fjt=fjt,
        team=team,
        secret=secret,
        other=other,
    )


def url(name, learner, *args):
    return reverse(f"support:{name}", args=[learner.pk, *args])


def reads():
    return AuditEvent.objects.filter(action="support.journal.read_confidential")


# --- caseload ---------------------------------------------------------------


def test_caseload_puts_long_blocking_barriers_first_and_lists_actions_due(client, cast, support, communes):
    calm = enrol(cast.school_a, communes, first_name="Aaron", last_name="Calme")
    recent = enrol(cast.school_a, communes, first_name="Abel", last_name="Récent")
    services.barrier_set(
        learner=recent, category="mobilite", level=BarrierLevel.BLOCKING, by=cast.social_worker_a
    )
    client.force_login(cast.social_worker_a)
    response = client.get(reverse("support:caseload"))
    html = unescape(response.content.decode())
    assert [lr.first_name for lr in response.context["urgent"]] == ["Inès"]
    # A recent blocking barrier before nobody blocked, whatever the database's order of NULLs.
    assert [lr.first_name for lr in response.context["others"]] == ["Abel", "Aaron"]
    assert "Frein bloquant depuis 20 jours" in html
    assert "Frein bloquant depuis 0 jour" in html
    assert "En retard de 2 jours" in html and "Demande FSL" in html
    assert "Roubaisien" not in html
    assert calm.first_name in html


@pytest.mark.parametrize("learners", [2, 50])
def test_caseload_query_count_is_constant(client, cast, communes, django_assert_num_queries, learners):
    today = timezone.localdate()
    for i in range(learners):
        learner = enrol(cast.school_a, communes)
        barrier = services.barrier_set(
            learner=learner,
            category="logement",
            level=BarrierLevel.BLOCKING,
            by=cast.social_worker_a,
            raised_on=today - dt.timedelta(days=i),
        )
        services.action_create(barrier=barrier, description="RDV", due_on=today, by=cast.social_worker_a)
    client.force_login(cast.social_worker_a)
    # session, user, memberships, count of learners, the page of learners (annotated),
    # the actions due (with learner, category, partner)
    with django_assert_num_queries(6):
        response = client.get(reverse("support:caseload"))
    assert response.status_code == 200
    assert len(response.context["due"]) == learners


@pytest.mark.parametrize("role", ["staff", "trainer_a", "prescriber", "funder", "outsider", "learner_a"])
def test_caseload_is_for_social_workers_and_managers(client, cast, support, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("support:caseload")).status_code == 404


def test_manager_sees_the_caseload(client, cast, support):
    client.force_login(cast.manager_a)
    assert "Inès" in unescape(client.get(reverse("support:caseload")).content.decode())


# --- the support page -------------------------------------------------------


def test_social_worker_reads_everything_and_each_confidential_read_is_audited(client, cast, support):
    client.force_login(cast.social_worker_a)
    response = client.get(url("learner_support", support.learner))
    html = unescape(response.content.decode())
    for text in (
        HEALTH_SECRET,
        HOUSING,
        CONFIDENTIAL,
        TEAM_NOTE,
        OUTCOME,
        "FJT de Chelles",
        "Confidentiel (accompagnement",
    ):
        assert text in html, text
    assert reads().count() == 1
    event = reads().get()
    assert (event.actor, event.object_id) == (cast.social_worker_a, str(support.secret.pk))
    # The action form offers the partner services near home for the category, with the distance.
    assert "FJT de Chelles — à 0,0 km" in html
    assert "Accueil logement Paris — à 18,8 km" in html


def test_trainer_reads_levels_actions_and_team_notes_only(client, cast, support):
    client.force_login(cast.trainer_a)
    html = unescape(client.get(url("learner_support", support.learner)).content.decode())
    assert TEAM_NOTE in html and HOUSING in html and "Demande FSL" in html
    assert CONFIDENTIAL not in html and HEALTH_SECRET not in html
    assert "Résumé réservé à l'équipe d'accompagnement (santé)" in html
    assert "Enregistrer le diagnostic" not in html
    assert reads().count() == 0


def test_manager_does_not_read_confidential_notes_nor_may_write_them(client, cast, support):
    client.force_login(cast.manager_a)
    html = unescape(client.get(url("learner_support", support.learner)).content.decode())
    assert CONFIDENTIAL not in html and HEALTH_SECRET in html
    assert 'value="confidentiel"' not in html
    response = client.post(
        url("journal_add", support.learner),
        {"kind": "appel", "occurred_on": timezone.localdate(), "text": "x", "visibility": "confidentiel"},
    )
    assert response.status_code == 400
    assert JournalEntry.objects.count() == 2


def test_prescriber_sees_categories_and_lifted_only(client, cast, support):
    services.barrier_set(
        learner=support.learner, category="logement", level=BarrierLevel.NONE, by=cast.social_worker_a
    )
    support.learner.referrals.create(
        school=cast.school_a, prescriber=cast.prescriber, referred_on=timezone.localdate()
    )
    services.consent_record(
        learner=support.learner, scope=ConsentScope.SHARE_PRESCRIBER, given=True, by=cast.social_worker_a
    )
    client.force_login(cast.prescriber)
    response = client.get(url("learner_support", support.learner))
    html = unescape(response.content.decode())
    assert response.templates[0].name == "support/learner_support_prescriber.html"
    assert "Santé" in html and "Pas encore levé" in html and "Levé" in html
    for text in (HEALTH_SECRET, HOUSING, CONFIDENTIAL, TEAM_NOTE, OUTCOME, "Demande FSL", "Bloquant"):
        assert text not in html, text


@pytest.mark.parametrize("role", ["manager_b", "trainer_b", "funder", "outsider", "learner_a"])
def test_other_school_and_outsiders_get_404(client, cast, support, role):
    client.force_login(getattr(cast, role))
    assert client.get(url("learner_support", support.learner)).status_code == 404
    assert client.post(url("journal_add", support.learner), {"text": "x"}).status_code == 404


def test_support_page_query_count(client, cast, support, django_assert_num_queries):
    client.force_login(cast.social_worker_a)
    # session, user, memberships, the learner (commune, school), categories, barriers, their actions
    # (partner), directory near home, its categories, journal entries (author, school), the audit
    # chain's head (locked), the audit events of the confidential reads, the head moved, consents
    with django_assert_num_queries(14):
        response = client.get(url("learner_support", support.learner))
    assert response.status_code == 200


# --- writes -----------------------------------------------------------------


def test_diagnose_plan_and_write_a_confidential_note(client, cast, support):
    client.force_login(cast.social_worker_a)
    learner = support.learner
    response = client.post(
        url("barrier_set", learner), {"category": "mobilite", "level": "bloquant", "summary": "Pas de permis"}
    )
    assert response.status_code == 302
    mobility = Barrier.objects.get(learner=learner, category__code="mobilite")
    assert mobility.summary == "Pas de permis"
    due = timezone.localdate() + dt.timedelta(days=5)
    response = client.post(
        url("action_create", learner),
        {
            "barrier": support.housing.pk,
            "description": "Visite FJT",
            "partner": support.fjt.pk,
            "due_on": due,
        },
    )
    assert response.status_code == 302
    assert Action.objects.get(description="Visite FJT").partner == support.fjt
    response = client.post(
        url("action_update", learner, support.action.pk), {"status": "realisee", "outcome": "Accordé"}
    )
    assert response.status_code == 302
    support.action.refresh_from_db()
    assert (support.action.status, support.action.outcome) == ("realisee", "Accordé")
    response = client.post(
        url("journal_add", learner),
        {
            "kind": "entretien",
            "occurred_on": timezone.localdate(),
            "text": "Très secret",
            "visibility": "confidentiel",
        },
    )
    assert response.status_code == 302
    entry = JournalEntry.objects.filter(learner=learner).order_by("pk").last()
    assert (entry.text, entry.is_confidential) == ("Très secret", True)
    response = client.post(
        url("consent_record", learner),
        {"scope": "traitement", "given": "oui", "given_on": timezone.localdate()},
    )
    assert response.status_code == 302
    assert learner.consents.get().given


@pytest.mark.parametrize(
    ("endpoint", "data", "message"),
    [
        ("barrier_set", {"category": "astrologie", "level": "bloquant"}, "Catégorie de frein inconnue"),
        (
            "action_create",
            {"description": "Trop tôt", "due_on": "2020-01-01"},
            "ne peut pas précéder le début du parcours",
        ),
        ("journal_add", {"kind": "appel", "occurred_on": "2026-01-01", "text": "   "}, "La note est vide"),
        ("action_create", {"description": "", "due_on": "2030-01-01"}, "Ce champ est obligatoire"),
    ],
)
def test_bad_input_gets_a_french_error_and_writes_nothing(client, cast, support, endpoint, data, message):
    if endpoint == "action_create":
        data = {**data, "barrier": support.housing.pk}
    client.force_login(cast.social_worker_a)
    counts = (Barrier.objects.count(), Action.objects.count(), JournalEntry.objects.count())
    response = client.post(url(endpoint, support.learner), data)
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert (Barrier.objects.count(), Action.objects.count(), JournalEntry.objects.count()) == counts


@pytest.mark.parametrize("role", ["trainer_a", "staff"])
def test_readers_cannot_write(client, cast, support, role):
    client.force_login(getattr(cast, role))
    response = client.post(url("barrier_set", support.learner), {"category": "mobilite", "level": "bloquant"})
    assert response.status_code == 403
    assert not Barrier.objects.filter(category__code="mobilite").exists()


def test_an_action_of_another_learner_is_404(client, cast, support, communes):
    other = enrol(cast.school_a, communes)
    client.force_login(cast.social_worker_a)
    response = client.post(url("action_update", other, support.action.pk), {"status": "realisee"})
    assert response.status_code == 404


# --- audit list -------------------------------------------------------------


def test_audit_list_shows_who_read_which_confidential_note(client, cast, support):
    client.force_login(cast.social_worker_a)
    client.get(url("learner_support", support.learner))
    client.force_login(cast.manager_a)
    response = client.get(reverse("support:audit_list"), {"action": "support.journal.read_confidential"})
    html = unescape(response.content.decode())
    assert f"Note n° {support.secret.pk}" in html
    assert cast.social_worker_a.email in html or cast.social_worker_a.get_full_name() in html
    assert len(response.context["page"].object_list) == 1


@pytest.mark.parametrize("role", ["social_worker_a", "trainer_a", "prescriber", "funder", "outsider"])
def test_audit_list_is_for_managers_and_network_staff(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("support:audit_list")).status_code == 404


def test_audit_list_of_another_school_is_empty(client, cast, support):
    client.force_login(cast.social_worker_a)
    client.get(url("learner_support", support.learner))
    client.force_login(cast.manager_b)
    assert client.get(reverse("support:audit_list")).context["page"].paginator.count == 0


@pytest.mark.parametrize("events", [2, 50])
def test_audit_list_query_count(client, cast, support, django_assert_num_queries, events):
    client.force_login(cast.social_worker_a)
    for _ in range(events):
        services.journal_read(by=cast.social_worker_a, learner=support.learner)
    client.force_login(cast.manager_a)
    # session, user, memberships, count, the page of events (actor, school)
    with django_assert_num_queries(5):
        response = client.get(reverse("support:audit_list"))
    assert response.status_code == 200


def test_the_information_notice_is_printed_for_the_support_team_only(client, cast, support):
    import io

    from pypdf import PdfReader

    client.force_login(cast.social_worker_a)
    response = client.get(url("consent_notice", support.learner))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Inès Benali" in text and cast.school_a.name in text
    page = client.get(url("learner_support", support.learner)).content.decode()
    assert url("consent_notice", support.learner) in page
    for role, learner in [
        ("trainer_a", support.learner),
        ("prescriber", support.learner),
        ("social_worker_a", support.other),
    ]:
        client.force_login(getattr(cast, role))
        assert client.get(url("consent_notice", learner)).status_code == 404, role
