import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.internships.enums import InternshipStatus
from plombiers.internships.tests.factories import CompanySiteFactory, ContactFactory, InternshipFactory
from plombiers.lib.dates import add_months
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory
from plombiers.outcomes import services
from plombiers.outcomes.enums import ExitCategory, ExitType, FollowUpSource, FollowUpStatus
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.privacy.models import AuditEvent

from .conftest import END, ended


def record(enrolment, by, **fields):
    fields.setdefault("exit_type", ExitType.CDI)
    return services.exit_record(enrolment, by=by, **fields)


def nothing_written():
    assert not Exit.objects.exists()
    assert not FollowUp.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="exit.").exists()


# --- month arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2027, 1, 31), 1, dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),  # a leap year
        (dt.date(2026, 8, 31), 1, dt.date(2026, 9, 30)),
        (dt.date(2026, 12, 18), 1, dt.date(2027, 1, 18)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 31), 6, dt.date(2027, 6, 30)),
        (dt.date(2026, 2, 28), 12, dt.date(2027, 2, 28)),
        (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


# --- exits ----------------------------------------------------------------------------------


def test_an_exit_is_recorded_with_its_four_follow_ups(cast, world):
    exit = record(
        world.enrolment,
        cast.social_worker_a,
        employer=cast.company_a,
        rome_code="i1307",
        weekly_hours="35",
        comment="  Embauché·e à la sortie.  ",
    )
    assert exit.category == ExitCategory.DURABLE_JOB
    assert exit.exit_date == END  # the enrolment's end by default
    assert exit.employer_name == "Fibre A"
    assert exit.rome_code == "I1307"
    assert exit.weekly_hours == Decimal("35.0")
    assert exit.comment == "Embauché·e à la sortie."
    assert exit.recorded_by == cast.social_worker_a
    assert not exit.hired_by_internship_host  # no internship at that company
    due = list(exit.follow_ups.order_by("horizon").values_list("horizon", "due_on", "status"))
    assert due == [
        (1, dt.date(2027, 1, 18), FollowUpStatus.DUE),
        (3, dt.date(2027, 3, 18), FollowUpStatus.DUE),
        (6, dt.date(2027, 6, 18), FollowUpStatus.DUE),
        (12, dt.date(2027, 12, 18), FollowUpStatus.DUE),
    ]
    event = AuditEvent.objects.get(action="exit.record")
    assert event.actor == cast.social_worker_a
    assert event.school == cast.school_a
    assert event.details == {"type": "cdi", "category": "emploi_durable"}


def test_hired_by_the_internship_host_is_computed_from_the_internships(cast, world):
    InternshipFactory(
        enrolment=world.enrolment, site=world.site, tutor=world.tutor, status=InternshipStatus.FINISHED
    )
    exit = record(world.enrolment, cast.manager_a, employer=cast.company_a)
    assert exit.hired_by_internship_host


def test_an_internship_that_never_took_place_does_not_count(cast, world):
    InternshipFactory(
        enrolment=world.enrolment, site=world.site, tutor=world.tutor, status=InternshipStatus.DRAFT
    )
    other = OrganisationFactory(network=cast.network, kind=OrganisationKind.COMPANY, name="Autre")
    site = CompanySiteFactory(company=other, commune=cast.school_a.commune)
    InternshipFactory(
        enrolment=world.enrolment,
        site=site,
        tutor=ContactFactory(organisation=other),
        status=InternshipStatus.FINISHED,
        start_date=dt.date(2026, 11, 30),
        end_date=dt.date(2026, 12, 4),
    )
    assert not record(world.enrolment, cast.manager_a, employer=cast.company_a).hired_by_internship_host


def test_the_school_may_say_it_explicitly(cast, world):
    exit = record(world.enrolment, cast.manager_a, employer_name="Fibre Sud", hired_by_internship_host=True)
    assert exit.hired_by_internship_host and exit.employer is None


def test_a_dropped_out_enrolment_has_an_exit_too(cast):
    enrolment = ended(cast.school_a, status=EnrolmentStatus.DROPPED_OUT)
    exit = record(enrolment, cast.social_worker_a, exit_type=ExitType.MOVED)
    assert exit.category == ExitCategory.NEUTRALISED


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"exit_type": ExitType.JOB_SEEKING, "employer": "company"},
            "employer",
            "Un employeur ne s'indique que",
        ),
        ({"exit_type": ExitType.QUALIFYING_TRAINING, "rome_code": "I1307"}, "rome_code", "Un code ROME"),
        ({"rome_code": "Z9999"}, "rome_code", "Un code ROME s'écrit d'une lettre et quatre chiffres"),
        ({"rome_code": "I13"}, "rome_code", "Un code ROME s'écrit"),
        ({"weekly_hours": "0"}, "weekly_hours", "entre 1 et 60 heures"),
        ({"weekly_hours": "61"}, "weekly_hours", "entre 1 et 60 heures"),
        ({"weekly_hours": "beaucoup"}, "weekly_hours", "Indiquez un nombre d'heures"),
        ({"weekly_hours": "35.3"}, "weekly_hours", "à la demi-heure près"),
        ({"exit_type": ExitType.INACTIVE, "weekly_hours": "20"}, "weekly_hours", "Le nombre d'heures ne"),
        ({"exit_type": "stage"}, "exit_type", "Situation inconnue « stage »"),
        (
            {"exit_date": dt.date(2026, 9, 1)},
            "exit_date",
            "ne peut précéder l'entrée en formation (07/09/2026)",
        ),
        ({"exit_date": dt.date(2027, 2, 1)}, "exit_date", "ne peut pas être dans le futur"),
        ({"employer": "funder"}, "employer", "n'est pas une entreprise du réseau"),
        (
            {"exit_type": ExitType.JOB_SEEKING, "hired_by_internship_host": True},
            "hired_by_internship_host",
            "Une embauche par l'entreprise de stage ne s'indique que",
        ),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_written(cast, world, fields, field, message):
    fields = {
        k: {"company": cast.company_a, "funder": cast.funder_org}.get(v, v) if k == "employer" else v
        for k, v in fields.items()
    }
    with pytest.raises(ValidationError) as error:
        record(world.enrolment, cast.social_worker_a, **fields)
    assert message in " ".join(error.value.message_dict[field])
    nothing_written()


def test_no_exit_while_the_enrolment_is_under_way(cast):
    enrolment = ended(cast.school_a, status=EnrolmentStatus.ACTIVE)
    with pytest.raises(ValidationError, match="Ce parcours n'est pas terminé"):
        record(enrolment, cast.social_worker_a)
    nothing_written()


def test_one_exit_per_enrolment(cast, world):
    record(world.enrolment, cast.social_worker_a)
    with pytest.raises(ValidationError, match="La sortie de ce parcours est déjà renseignée"):
        record(world.enrolment, cast.manager_a, exit_type=ExitType.JOB_SEEKING)
    assert Exit.objects.get().exit_type == ExitType.CDI
    assert FollowUp.objects.count() == 4


@pytest.mark.parametrize("role", ["trainer_a", "manager_b", "prescriber", "learner_a", "funder"])
def test_only_the_manager_and_social_workers_record(cast, world, role):
    with pytest.raises(PermissionDenied):
        record(world.enrolment, getattr(cast, role))
    nothing_written()


def test_the_network_staff_may_record(cast, world):
    assert (
        record(world.enrolment_b, cast.staff, exit_type=ExitType.APPRENTICESHIP).category == "sortie_positive"
    )


def test_recording_is_atomic(cast, world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(FollowUp.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        record(world.enrolment, cast.social_worker_a)
    nothing_written()


# --- corrections ----------------------------------------------------------------------------


def test_a_correction_needs_a_reason_and_is_audited(cast, world):
    exit = record(world.enrolment, cast.social_worker_a, exit_type=ExitType.JOB_SEEKING)
    with pytest.raises(ValidationError, match="motif"):
        services.exit_update(exit, by=cast.manager_a, reason=" ", data={"exit_type": ExitType.CDD_SHORT})
    exit = services.exit_update(
        exit,
        by=cast.manager_a,
        reason="Le contrat était signé avant la fin.",
        data={"exit_type": ExitType.CDD_SHORT, "employer": cast.company_a, "weekly_hours": Decimal(35)},
    )
    exit.refresh_from_db()
    assert exit.category == ExitCategory.TRANSITION_JOB
    assert exit.employer == cast.company_a
    event = AuditEvent.objects.get(action="exit.update")
    assert event.details["reason"] == "Le contrat était signé avant la fin."
    assert event.details["changes"]["exit_type"] == ["recherche_emploi", "cdd_moins_6_mois"]
    assert event.details["changes"]["employer"] == [None, cast.company_a.pk]


def test_a_new_exit_date_moves_the_follow_ups_still_to_do(cast, world):
    exit = record(world.enrolment, cast.social_worker_a)
    one = exit.follow_ups.get(horizon=1)
    services.follow_up_record(one, by=None, source=FollowUpSource.LEARNER, situation_type=ExitType.CDI)
    services.exit_update(
        exit, by=cast.social_worker_a, reason="Date de fin réelle.", data={"exit_date": dt.date(2026, 12, 31)}
    )
    dates = dict(exit.follow_ups.values_list("horizon", "due_on"))
    assert dates[1] == dt.date(2027, 1, 18)  # answered: it stays
    assert dates[3] == dt.date(2027, 3, 31)
    assert dates[6] == dt.date(2027, 6, 30)


def test_a_job_corrected_into_job_seeking_drops_its_employer(cast, world):
    exit = record(world.enrolment, cast.social_worker_a, employer=cast.company_a, weekly_hours=35)
    services.exit_update(
        exit,
        by=cast.social_worker_a,
        reason="Période d'essai rompue.",
        data={"exit_type": ExitType.JOB_SEEKING},
    )
    exit.refresh_from_db()
    assert (exit.employer, exit.weekly_hours, exit.category) == (None, None, ExitCategory.OTHER)


def test_a_correction_by_a_trainer_is_refused(cast, world):
    exit = record(world.enrolment, cast.social_worker_a)
    with pytest.raises(PermissionDenied):
        services.exit_update(exit, by=cast.trainer_a, reason="Erreur", data={"exit_type": ExitType.INACTIVE})
    assert Exit.objects.get().exit_type == ExitType.CDI


def test_a_correction_that_changes_nothing_is_refused(cast, world):
    exit = record(world.enrolment, cast.social_worker_a)
    with pytest.raises(ValidationError, match="Rien n'a changé"):
        services.exit_update(exit, by=cast.social_worker_a, reason="Rien", data={"exit_type": ExitType.CDI})


# --- follow-ups -----------------------------------------------------------------------------


@pytest.fixture
def exit(cast, world):
    return record(
        world.enrolment, cast.social_worker_a, exit_type=ExitType.CDD_SHORT, employer=cast.company_a
    )


def test_the_young_person_answers_once(cast, exit):
    one = exit.follow_ups.get(horizon=1)
    services.follow_up_record(
        one, by=None, source=FollowUpSource.LEARNER, situation_type=ExitType.CDI, employer_name="Fibre A"
    )
    one.refresh_from_db()
    assert (one.status, one.category, one.source) == (FollowUpStatus.DONE, ExitCategory.DURABLE_JOB, "jeune")
    assert one.answered_at is not None and one.answered_by is None
    with pytest.raises(ValidationError, match="une seule réponse"):
        services.follow_up_record(
            one, by=None, source=FollowUpSource.LEARNER, situation_type=ExitType.INACTIVE
        )
    one.refresh_from_db()
    assert one.situation_type == ExitType.CDI
    assert AuditEvent.objects.filter(action="follow_up.record").count() == 1


def test_a_follow_up_is_not_answered_months_ahead(cast, exit):
    six = exit.follow_ups.get(horizon=6)
    with pytest.raises(ValidationError, match="à partir du 03/06/2027"):
        services.follow_up_record(six, by=cast.social_worker_a, source="accompagnement", situation_type="cdi")


def test_the_prescriber_reports_for_the_young_people_they_referred(cast, exit, world):
    one = exit.follow_ups.get(horizon=1)
    services.follow_up_record(
        one, by=cast.prescriber, source=FollowUpSource.PRESCRIBER, situation_type=ExitType.QUALIFYING_TRAINING
    )
    one.refresh_from_db()
    assert (one.source, one.answered_by, one.category) == ("prescripteur", cast.prescriber, "sortie_positive")
    other = record(world.enrolment_b, cast.manager_b).follow_ups.get(horizon=1)
    with pytest.raises(PermissionDenied):
        services.follow_up_record(other, by=cast.prescriber, source="prescripteur", situation_type="cdi")


@pytest.mark.parametrize(
    ("role", "source"),
    [
        ("trainer_a", "accompagnement"),
        ("manager_b", "accompagnement"),
        ("funder", "prescripteur"),
        ("manager_a", "prescripteur"),
        ("manager_a", "jeune"),
        ("manager_a", "automatique"),
    ],
)
def test_who_may_not_report(cast, exit, role, source):
    one = exit.follow_ups.get(horizon=1)
    with pytest.raises((PermissionDenied, ValidationError)):
        services.follow_up_record(one, by=getattr(cast, role), source=source, situation_type="cdi")
    one.refresh_from_db()
    assert one.status == FollowUpStatus.DUE


def test_the_school_gives_late_news_after_sans_nouvelles(cast, exit, today):
    one = exit.follow_ups.get(horizon=1)
    FollowUp.objects.filter(pk=one.pk).update(due_on=today - dt.timedelta(days=40))
    assert services.follow_ups_expire(today) == 1
    with pytest.raises(ValidationError, match="sans nouvelles"):
        services.follow_up_record(one, by=None, source="jeune", situation_type="cdi")
    services.follow_up_record(one, by=cast.social_worker_a, source="accompagnement", situation_type="cdi")
    one.refresh_from_db()
    assert (one.status, one.source) == (FollowUpStatus.DONE, "accompagnement")
    event = AuditEvent.objects.get(action="follow_up.correct")
    assert event.details["previous"] == {"status": "sans_nouvelles", "situation_type": "sans_nouvelles"}


@pytest.mark.parametrize("source", ["jeune", "prescripteur"])
@pytest.mark.parametrize(
    ("days_past_due", "accepted"),
    [(-16, False), (-15, True), (0, True), (30, True), (31, False), (45, False)],
)
def test_the_young_person_and_the_prescriber_answer_only_in_the_window(
    cast, exit, today, source, days_past_due, accepted
):
    """From 15 days before the due date to 30 days after it, both for the young person's link and
    for the prescriber. Catches the planted bug that let the prescriber answer after the deadline
    (the late check applied to the young person's link only): the day after the last day is
    refused to both, and nothing is written."""
    one = exit.follow_ups.get(horizon=1)
    FollowUp.objects.filter(pk=one.pk).update(due_on=today - dt.timedelta(days=days_past_due))
    by = cast.prescriber if source == "prescripteur" else None
    if accepted:
        services.follow_up_record(one, by=by, source=source, situation_type="cdi")
        one.refresh_from_db()
        assert (one.status, one.source) == (FollowUpStatus.DONE, source)
    else:
        with pytest.raises(ValidationError, match=r"délai pour répondre|se renseigne à partir du"):
            services.follow_up_record(one, by=by, source=source, situation_type="cdi")
        one.refresh_from_db()
        assert (one.status, one.answered_at) == (FollowUpStatus.DUE, None)


@pytest.mark.parametrize(("days_past_due", "expired"), [(29, False), (30, False), (31, True)])
def test_sans_nouvelles_the_day_after_due_date_plus_30_days(cast, exit, today, days_past_due, expired):
    one = exit.follow_ups.get(horizon=1)
    FollowUp.objects.filter(pk=one.pk).update(due_on=today - dt.timedelta(days=days_past_due))
    assert services.follow_ups_expire(today) == int(expired)
    one.refresh_from_db()
    if expired:
        assert one.status == FollowUpStatus.NO_NEWS
        assert (one.situation_type, one.category, one.source) == (
            "sans_nouvelles",
            "autre_sortie",
            "automatique",
        )
        assert AuditEvent.objects.get(action="follow_up.expire").details["count"] == 1
        assert services.follow_ups_expire(today) == 0  # once
    else:
        assert one.status == FollowUpStatus.DUE
        # …and the young person can still answer on that last day.
        services.follow_up_record(one, by=None, source="jeune", situation_type="recherche_emploi")


def test_an_answered_follow_up_never_expires(cast, exit, today):
    one = exit.follow_ups.get(horizon=1)
    services.follow_up_record(one, by=None, source="jeune", situation_type="cdi")
    FollowUp.objects.filter(pk=one.pk).update(due_on=today - dt.timedelta(days=90))
    assert services.follow_ups_expire(today) == 0


# --- the link -------------------------------------------------------------------------------


def test_the_link_names_its_follow_up_and_cannot_be_forged(exit):
    one = exit.follow_ups.get(horizon=1)
    token = services.follow_up_token(one)
    assert services.follow_up_for_token(token) == one
    value, signature = token.split(":", 1)
    pk, nonce = value.split(".")
    assert services.follow_up_for_token(f"{int(pk) + 1}.{nonce}:{signature}") is None
    assert services.follow_up_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert services.follow_up_for_token("n'importe quoi") is None


def test_link_states(exit, today):
    one = exit.follow_ups.get(horizon=1)  # due 18/01/2027
    assert services.link_state(one, today) == "open"
    assert services.link_state(one, dt.date(2027, 2, 17)) == "open"  # the last day
    assert services.link_state(one, dt.date(2027, 2, 18)) == "expired"
    assert services.link_state(one, dt.date(2027, 1, 2)) == "early"
