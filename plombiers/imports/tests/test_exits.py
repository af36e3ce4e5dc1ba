"""Imports of exits and follow-ups: a school's history moved in. Each line finds a young person the
school knows and their enrolment that ended; the rules of `outcomes` apply; a second import creates
nothing, another exit already recorded is a problem (never overwritten); undo while nothing changed."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from plombiers.accounts.services import api_token_create
from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.imports.enums import ImportStatus
from plombiers.imports.models import ImportJob
from plombiers.imports.services import import_file, import_undo
from plombiers.lib import events
from plombiers.lib.dates import add_months
from plombiers.outcomes.enums import ExitCategory, ExitType, FollowUpSource, FollowUpStatus
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.outcomes.services import exit_record, exit_update, follow_up_record
from plombiers.privacy.models import AuditEvent

from .files import csv_bytes, people

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 9, 1), dt.date(2026, 3, 31)
COHORT_HEADER = ["Promotion", "Début", "Fin", "Nom", "Prénom", "Date de naissance", "Statut"]
HEADER = ["Nom", "Prénom", "Date de naissance", "Promotion", "Date de sortie", "Type de sortie", "Employeur",
          "Situation à 3 mois", "Situation à 6 mois"]  # fmt: skip


def run(cast, data, *, kind="exits", by="manager_a", **options):
    return import_file(
        school=cast.school_a, kind=kind, data=data, filename="sorties.csv", by=getattr(cast, by), **options
    )


@pytest.fixture
def young(cast):
    """Three young people of school A whose course in « Fibre 2025 » ended (completed)."""
    rows = people(3)
    assert run(cast, csv_bytes(rows), kind="learners").errors == []
    cohort = [["Fibre 2025", START, END, *person[:3], "parcours terminé"] for person in rows]
    assert run(cast, csv_bytes(cohort, header=COHORT_HEADER), kind="cohorts").errors == []
    return [person[:3] for person in rows]


def good_rows(young):
    return [
        [*young[0], "Fibre 2025", dt.date(2026, 4, 1), "CDI", "Fibre A", "cdi", "CDI"],
        [*young[1], "", dt.date(2026, 4, 2), "formation qualifiante", "AFPA Meaux", "", ""],
        [*young[2], "fibre 2025", dt.date(2026, 4, 3), "CDD DE 6 MOIS OU PLUS", "", "En recherche d'emploi", ""],
    ]  # fmt: skip


def test_a_good_file_records_exits_and_follow_ups_and_again_creates_nothing(cast, young):
    data = csv_bytes(good_rows(young), header=HEADER)
    first = run(cast, data)
    assert (first.created, first.unchanged, first.errors) == (3, 0, [])
    hired = Exit.objects.get(enrolment__learner__last_name=young[0][0])
    assert (hired.exit_type, hired.category, hired.exit_date) == (
        ExitType.CDI,
        ExitCategory.DURABLE_JOB,
        dt.date(2026, 4, 1),
    )
    assert (hired.employer, hired.employer_name, hired.recorded_by) == (
        cast.company_a,
        "Fibre A",
        cast.manager_a,
    )
    assert hired.follow_ups.count() == 4
    answered = hired.follow_ups.exclude(status=FollowUpStatus.DUE).order_by("horizon")
    assert [(f.horizon, f.situation_type, f.source) for f in answered] == [
        (3, ExitType.CDI, FollowUpSource.SOCIAL_WORKER),
        (6, ExitType.CDI, FollowUpSource.SOCIAL_WORKER),
    ]
    training = Exit.objects.get(enrolment__learner__last_name=young[1][0])
    assert (training.exit_type, training.employer, training.employer_name) == (
        ExitType.QUALIFYING_TRAINING,
        None,
        "AFPA Meaux",
    )
    assert Exit.objects.get(enrolment__learner__last_name=young[2][0]).exit_type == ExitType.CDD_LONG
    assert AuditEvent.objects.filter(action="import.exits", school=cast.school_a).count() == 1
    assert AuditEvent.objects.filter(action="exit.record").count() == 3

    again = run(cast, data)
    assert (again.created, again.unchanged, again.errors) == (0, 3, [])
    assert (Exit.objects.count(), FollowUp.objects.count()) == (3, 12)


def only_exits_written():
    return not Exit.objects.exists() and not ImportJob.objects.filter(kind="exits").exists()


def test_an_unknown_person_a_bad_date_and_an_unknown_exit_type_are_reported_exactly(cast, young):
    rows = good_rows(young)
    rows[0] = ["Inconnu", "Personne", dt.date(2004, 1, 1), "", dt.date(2026, 4, 1), "CDI", "", "", ""]
    rows[1][4] = "31/02/2026"
    rows[2][5] = "Stage au soleil"
    outcome = run(cast, csv_bytes(rows, header=HEADER))
    assert [(e["line"], e["column"]) for e in outcome.errors] == [
        (2, "Nom"),
        (3, "Date de sortie"),
        (4, "Type de sortie"),
    ]
    assert outcome.errors[0]["message"].startswith("Jeune inconnu·e de l'école")
    unknown = outcome.errors[2]["message"]
    assert unknown.startswith(
        "Valeur non reconnue : « Stage au soleil » (attendu : CDI, CDD de 6 mois ou plus,"
    )
    assert "Formation qualifiante" in unknown and "Sans nouvelles" in unknown
    assert only_exits_written()


def test_the_rules_of_exits_apply_line_by_line_and_nothing_is_written(cast, young):
    rows = good_rows(young)
    rows[0][4] = dt.date(2025, 8, 1)  # before the entry into training
    rows[1][3] = "Fibre 2030"  # not their cohort
    rows[2][7:] = ["", "CDI"]  # the 6-month follow-up is not open yet when the exit is recent
    rows[2][4] = timezone.localdate() - dt.timedelta(days=10)
    opens = add_months(rows[2][4], 6) - dt.timedelta(days=15)
    outcome = run(cast, csv_bytes(rows, header=HEADER))
    assert outcome.errors == [
        {
            "line": 2,
            "column": "Date de sortie",
            "message": "La sortie ne peut précéder l'entrée en formation (01/09/2025).",
        },
        {
            "line": 3,
            "column": "Promotion",
            "message": "Ce ou cette jeune n'est pas inscrit·e dans la promotion « Fibre 2030 ».",
        },
        {
            "line": 4,
            "column": "Situation à 6 mois",
            "message": f"Le suivi à 6 mois se renseigne à partir du {opens:%d/%m/%Y}.",
        },
    ]
    assert only_exits_written()


def test_another_exit_already_recorded_is_a_problem_never_overwritten(cast, young):
    run(cast, csv_bytes(good_rows(young)[:1], header=HEADER))
    rows = good_rows(young)
    rows[0][5] = "CDD de moins de 6 mois"
    outcome = run(cast, csv_bytes(rows, header=HEADER))
    assert [(e["line"], e["column"]) for e in outcome.errors] == [(2, "Type de sortie")]
    assert "Une autre sortie est déjà renseignée" in outcome.errors[0]["message"]
    assert "CDI le 01/04/2026" in outcome.errors[0]["message"]
    assert Exit.objects.get().exit_type == ExitType.CDI
    assert Exit.objects.count() == 1


def test_an_enrolment_still_in_training_or_the_same_line_twice_is_a_problem(cast):
    rows = people(2)
    run(cast, csv_bytes(rows), kind="learners")
    start, end = dt.date(2026, 9, 1), dt.date(2027, 3, 31)
    cohort = [["Fibre 2026", start, end, *person[:3], ""] for person in rows]
    run(cast, csv_bytes(cohort, header=COHORT_HEADER), kind="cohorts")
    line = [*rows[0][:3], "", dt.date(2026, 11, 2), "Abandon", "", "", ""]
    outcome = run(cast, csv_bytes([line, line], header=HEADER))
    assert [(e["line"], e["column"]) for e in outcome.errors] == [
        (2, "Type de sortie"),
        (3, "Type de sortie"),
    ]
    line[5] = "Sans nouvelles"
    outcome = run(cast, csv_bytes([line, line], header=HEADER))
    assert [(e["line"], e["column"]) for e in outcome.errors] == [(2, "Promotion"), (3, "Nom")]
    assert "n'est pas terminé" in outcome.errors[0]["message"]
    assert outcome.errors[1]["message"] == "Même sortie qu'à la ligne 2."
    assert EnrolmentStatus.ACTIVE in {e.status for e in cast.school_a.cohorts.get().enrolments.all()}
    assert only_exits_written()


def test_undo_deletes_the_exits_while_nothing_changed_since(cast, young):
    job = run(cast, csv_bytes(good_rows(young), header=HEADER)).job
    job = import_undo(job=job, by=cast.manager_a)
    assert job.status == ImportStatus.UNDONE
    assert not Exit.objects.exists() and not FollowUp.objects.exists()


def test_undo_is_refused_once_a_follow_up_was_answered_or_an_exit_corrected(cast, young):
    job = run(cast, csv_bytes(good_rows(young), header=HEADER)).job
    follow_up = FollowUp.objects.get(exit__enrolment__learner__last_name=young[1][0], horizon=1)
    follow_up_record(
        follow_up, by=cast.social_worker_a, source=FollowUpSource.SOCIAL_WORKER, situation_type=ExitType.CDI
    )
    with pytest.raises(ValidationError, match="renseigné depuis"):
        import_undo(job=job, by=cast.manager_a)
    assert (Exit.objects.count(), FollowUp.objects.count()) == (3, 12)


def test_undo_is_refused_once_an_exit_was_corrected(cast, young):
    job = run(cast, csv_bytes(good_rows(young), header=HEADER)).job
    exit = Exit.objects.get(enrolment__learner__last_name=young[2][0])
    exit_update(exit, by=cast.manager_a, reason="Erreur de saisie", data={"exit_type": ExitType.CDD_SHORT})
    with pytest.raises(ValidationError, match="corrigée depuis"):
        import_undo(job=job, by=cast.manager_a)
    assert Exit.objects.count() == 3


def test_the_example_file_of_the_docs_imports(cast):
    rows = [["Martin", "Léa", dt.date(2006, 3, 14)], ["Da Silva", "Kevin", dt.date(2004, 12, 1)]]
    run(cast, csv_bytes([[*p, "77500", "Chelles", "Aucun"] for p in rows]), kind="learners")
    cohort = [["Fibre 2025", START, END, *p, "parcours terminé"] for p in rows]
    run(cast, csv_bytes(cohort, header=COHORT_HEADER), kind="cohorts")
    data = (Path(__file__).parents[3] / "docs" / "exemples" / "import-sorties.csv").read_bytes()
    outcome = run(cast, data)
    assert (outcome.created, outcome.errors) == (2, [])


def test_the_api_imports_exits_and_another_school_cannot(client, cast, young):
    def post(user, school):
        _token, raw = api_token_create(user=user)
        file = SimpleUploadedFile("sorties.csv", csv_bytes(good_rows(young), header=HEADER))
        body = {"kind": "exits", "school": school.pk, "file": file}
        return client.post("/api/v1/imports", body, headers={"Authorization": f"Bearer {raw}"})

    assert post(cast.outsider, cast.school_a).status_code == 404
    assert post(cast.trainer_a, cast.school_a).status_code == 403
    assert not Exit.objects.exists()
    response = post(cast.manager_a, cast.school_a)
    assert response.status_code == 200
    assert (response.json()["created"], response.json()["errors"]) == (3, [])
    assert Exit.objects.filter(recorded_by=cast.manager_a).count() == 3


def test_the_command_needs_the_person_who_imports(cast, young, tmp_path, capsys):
    path = tmp_path / "sorties.csv"
    path.write_bytes(csv_bytes(good_rows(young), header=HEADER))
    school = ["--school", cast.school_a.slug]
    with pytest.raises(CommandError, match="indiquez son e-mail avec --by"):
        call_command("import", "exits", str(path), *school)
    with pytest.raises(CommandError, match="Personne inconnue"):
        call_command("import", "exits", str(path), *school, "--by", "personne@test.example")
    with pytest.raises(CommandError, match="Seule la direction"):
        call_command("import", "exits", str(path), *school, "--by", cast.trainer_a.email)
    call_command("import", "exits", str(path), *school, "--by", cast.manager_a.email.upper(), "--dry-run")
    assert "3 ligne(s) à créer" in capsys.readouterr().out
    assert not Exit.objects.exists()
    call_command("import", "exits", str(path), *school, "--by", cast.manager_a.email)
    assert Exit.objects.count() == 3
    call_command("import", "exits", str(path), *school, "--by", cast.manager_a.email)
    assert "déjà été importé" in capsys.readouterr().out


def test_the_page_imports_exits_and_says_why_it_cannot_undo_them(client, cast, young):
    client.force_login(cast.manager_a)
    file = SimpleUploadedFile("sorties.csv", csv_bytes(good_rows(young), header=HEADER))
    response = client.post(
        reverse("imports:job_list"), {"school": cast.school_a.pk, "kind": "exits", "file": file}
    )
    assert response.status_code == 302, response.content.decode()
    job = ImportJob.objects.latest("pk")
    page = client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    assert "Sorties et suivis" in page and young[0][0] in page
    mapping = {"last_name": "Nom", "first_name": "Prénom", "birth_date": "Date de naissance",
               "cohort": "Promotion", "exit_date": "Date de sortie", "exit_type": "Type de sortie",
               "employer": "Employeur", "follow_up_3": "Situation à 3 mois",
               "follow_up_6": "Situation à 6 mois"}  # fmt: skip
    assert client.post(reverse("imports:job_check", args=[job.pk]), mapping).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created_count, job.errors) == (ImportStatus.CHECKED, 3, [])
    assert not Exit.objects.exists()
    client.post(reverse("imports:job_start", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Exit.objects.filter(recorded_by=cast.manager_a).count() == 3

    follow_up = FollowUp.objects.filter(status=FollowUpStatus.DUE).first()
    follow_up_record(
        follow_up, by=cast.social_worker_a, source=FollowUpSource.SOCIAL_WORKER, situation_type=ExitType.CDI
    )
    response = client.post(reverse("imports:job_undo", args=[job.pk]), follow=True)
    assert "Impossible d&#x27;annuler" in response.content.decode()
    assert "renseigné depuis" in response.content.decode()
    assert Exit.objects.count() == 3


def test_a_history_import_announces_nothing_to_partners(cast, young, django_capture_on_commit_callbacks):
    """Years-old exits are no news: the webhooks' events stay silent for an import, and are sent again
    for the next exit recorded by hand."""
    heard = []

    def listen(sender, instance, **kwargs):
        heard.append(instance)

    events.exit_recorded.connect(listen)
    events.enrolment_created.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert run(cast, csv_bytes(good_rows(young)[:2], header=HEADER)).created == 2
        assert heard == []
        enrolment = Exit.objects.first().enrolment.learner.enrolments.get()
        last = young[2]
        with django_capture_on_commit_callbacks(execute=True):
            exit = exit_record(
                Enrolment.objects.get(learner__last_name=last[0]),
                by=cast.manager_a,
                exit_type=ExitType.CDI,
                exit_date=dt.date(2026, 4, 3),
            )
        assert heard == [exit] and enrolment.pk != exit.enrolment_id
    finally:
        events.exit_recorded.disconnect(listen)
        events.enrolment_created.disconnect(listen)
