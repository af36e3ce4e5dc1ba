"""Imports of the attendance history: the hours per young person and month a school kept in its
former spreadsheets (a school moving to Plombiers mid-year). Each line finds an enrolment of the
school; a month whose sheets carry marks is refused (never counted twice); a second import creates
nothing, other figures for a month already imported are a problem (never overwritten); undo while no
OPCO invoice counts the hours."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from plombiers.accounts.services import api_token_create
from plombiers.cohorts import attendance as sheets
from plombiers.cohorts.enums import AttendanceStatus, Period
from plombiers.cohorts.models import AttendanceHistory, Cohort
from plombiers.documents.tests.conftest import half_day
from plombiers.funding import services as funding
from plombiers.funding.enums import OpcoScheme
from plombiers.imports.enums import ImportStatus
from plombiers.imports.models import ImportJob
from plombiers.imports.services import import_file, import_undo
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.models import Learner
from plombiers.rights.export import export_collect
from plombiers.rights.purge import learner_anonymise

from .files import csv_bytes, people, xlsx_bytes

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 9, 1), dt.date(2026, 3, 31)
COHORT_HEADER = ["Promotion", "Début", "Fin", "Nom", "Prénom", "Date de naissance", "Statut"]
HEADER = ["Nom", "Prénom", "Date de naissance", "Session", "Mois", "Heures suivies",
          "Absences justifiées (h)", "Absences injustifiées (h)"]  # fmt: skip


def run(cast, data, *, by="manager_a", school="school_a", filename="assiduite.csv", **options):
    return import_file(
        school=getattr(cast, school), kind="attendance", data=data, filename=filename,
        by=getattr(cast, by), **options,
    )  # fmt: skip


def enrol(cast, rows, *, cohort="Fibre 2025", start=START, end=END, status="parcours terminé"):
    assert run_kind(cast, csv_bytes(rows), "learners").errors == []
    lines = [[cohort, start, end, *person[:3], status] for person in rows]
    assert run_kind(cast, csv_bytes(lines, header=COHORT_HEADER), "cohorts").errors == []


def run_kind(cast, data, kind):
    return import_file(school=cast.school_a, kind=kind, data=data, filename="x.csv", by=cast.manager_a)


@pytest.fixture
def young(cast):
    """Three young people of school A in « Fibre 2025 » (01/09/2025 – 31/03/2026), course ended."""
    rows = people(3)
    enrol(cast, rows)
    return [person[:3] for person in rows]


def good_rows(young):
    """Four months in four spellings; hours with a decimal comma, in « h », or empty (0)."""
    return [
        [*young[0], "Fibre 2025", "09/2025", "70,5", "3,5", "0"],
        [*young[0], "", "octobre 2025", "98", "", "7"],
        [*young[1], "fibre 2025", "15/11/2025", "84h30", "0", ""],
        [*young[2], "Fibre 2025", "2025-12", "63", "14", "7,25"],
    ]


def test_a_good_file_records_the_months_and_again_creates_nothing(cast, young):
    data = csv_bytes(good_rows(young), header=HEADER)
    first = run(cast, data)
    assert (first.created, first.unchanged, first.errors) == (4, 0, [])
    months = list(
        AttendanceHistory.objects.order_by("enrolment__learner__last_name", "month").values_list(
            "enrolment__learner__last_name", "month", "attended_hours", "excused_hours", "unexcused_hours"
        )
    )
    expected = sorted([
        (young[0][0], dt.date(2025, 9, 1), Decimal("70.5"), Decimal("3.5"), Decimal("0")),
        (young[0][0], dt.date(2025, 10, 1), Decimal("98"), Decimal("0"), Decimal("7")),
        (young[1][0], dt.date(2025, 11, 1), Decimal("84.5"), Decimal("0"), Decimal("0")),
        (young[2][0], dt.date(2025, 12, 1), Decimal("63"), Decimal("14"), Decimal("7.25")),
    ])  # fmt: skip
    assert months == expected
    assert set(AttendanceHistory.objects.values_list("import_job", "source")) == {
        (first.job.pk, "assiduite.csv")
    }
    assert first.job.created_objects == [
        ["cohorts.attendancehistory", sorted(AttendanceHistory.objects.values_list("pk", flat=True))]
    ]
    assert AuditEvent.objects.filter(action="import.attendance", school=cast.school_a).count() == 1

    again = run(cast, data)
    assert (again.created, again.unchanged, again.errors) == (0, 4, [])
    assert AttendanceHistory.objects.count() == 4


def test_an_xlsx_with_date_cells_and_numbers_imports(cast, young):
    rows = [
        [*young[0], "Fibre 2025", dt.datetime(2026, 1, 1), 70.5, 3.5, 0],
        [*young[1], "Fibre 2025", dt.datetime(2026, 2, 14), 80, None, 2.25],
        [*young[2], "Fibre 2025", "03/2026", 4222 / 60, 0, 0],  # a formula's 70,3666… h
    ]
    outcome = run(cast, xlsx_bytes(rows, header=HEADER), filename="assiduite.xlsx")
    assert (outcome.created, outcome.errors) == (3, [])
    assert set(AttendanceHistory.objects.values_list("month", "attended_hours")) == {
        (dt.date(2026, 1, 1), Decimal("70.5")),
        (dt.date(2026, 2, 1), Decimal("80")),
        (dt.date(2026, 3, 1), Decimal("70.37")),
    }


def nothing_written():
    return not AttendanceHistory.objects.exists() and not ImportJob.objects.filter(kind="attendance").exists()


def test_a_hostile_file_names_the_exact_line_and_column_and_writes_nothing(cast):
    """300 young people in ten cohorts, seven months each: 2,100 lines; a bad month, hours as
    text and an unknown young person far down the file."""
    rows = people(300, seed=7)
    assert run_kind(cast, csv_bytes(rows), "learners").errors == []
    lines = [[f"Fibre {i // 30}", START, END, *p[:3], "parcours terminé"] for i, p in enumerate(rows)]
    assert run_kind(cast, csv_bytes(lines, header=COHORT_HEADER), "cohorts").errors == []
    history = [
        [*p[:3], f"Fibre {i // 30}", f"{month:02d}/{year}", "70", "0", "0"]
        for i, p in enumerate(rows)
        for year, month in ((2025, 9), (2025, 10), (2025, 11), (2025, 12), (2026, 1), (2026, 2), (2026, 3))
    ]
    history[9][4] = "13/2025"  # line 11
    history[1500][5] = "beaucoup"  # line 1502
    history[2049][:3] = ["Inconnu", "Personne", dt.date(2004, 1, 1)]  # line 2051
    outcome = run(cast, csv_bytes(history, header=HEADER))
    assert [(e["line"], e["column"]) for e in outcome.errors] == [
        (11, "Mois"),
        (1502, "Heures suivies"),
        (2051, "Nom"),
    ]
    assert [e["message"] for e in outcome.errors] == [
        "Mois invalide : « 13/2025 » (attendu : MM/AAAA ou « janvier 2026 »).",
        "Nombre d'heures invalide : « beaucoup » (exemple : 12,5).",
        "Jeune inconnu·e de l'école : importez d'abord les jeunes et leurs prescriptions.",
    ]
    assert outcome.created == 2100 - 3
    assert nothing_written()

    history[9][4], history[1500][5] = "12/2025", "70"
    history[2049][:3] = rows[292][:3]
    outcome = run(cast, csv_bytes(history, header=HEADER))
    assert [(e["line"], e["message"]) for e in outcome.errors] == [(12, "Même mois qu'à la ligne 11.")]
    history[9][4] = "11/2025"
    outcome = run(cast, csv_bytes(history, header=HEADER))
    assert (outcome.created, outcome.errors) == (2100, [])
    assert AttendanceHistory.objects.count() == 2100


def test_the_rules_of_a_month_apply_line_by_line_and_nothing_is_written(cast, young):
    rows = good_rows(young)
    rows[0][4] = "08/2025"  # before the entry into training
    rows[1][3] = "Fibre 2030"  # not their cohort
    rows[2][5:] = ["300", "10", "0"]  # November holds 30 days × 10 h = 300 h
    rows[3][6] = "-2"
    future = dt.date.today().replace(day=1) + dt.timedelta(days=40)
    rows.append([*young[1], "", f"{future:%m/%Y}", "10", "", ""])
    rows.append(["", "", "", "", "", "", "", ""])  # an empty line is skipped
    outcome = run(cast, csv_bytes(rows, header=HEADER))
    assert outcome.errors == [
        {
            "line": 2,
            "column": "Mois",
            "message": "Le mois 08/2025 est hors de la formation de ce ou cette jeune "
            "(du 01/09/2025 au 31/03/2026).",
        },
        {
            "line": 3,
            "column": "Session",
            "message": "Ce ou cette jeune n'est pas inscrit·e dans la promotion « Fibre 2030 ».",
        },
        {
            "line": 4,
            "column": "Heures suivies",
            "message": "Plus d'heures que le mois n'en compte : 300 h au plus en 11/2025 (10 h par jour), "
            "présences et absences comprises.",
        },
        {"line": 5, "column": "Absences justifiées (h)", "message": "Nombre d'heures négatif : « -2 »."},
        {
            "line": 6,
            "column": "Mois",
            "message": f"Le mois {future.replace(day=1):%m/%Y} n'est pas encore commencé.",
        },
    ]
    assert nothing_written()


def test_other_figures_for_a_month_already_imported_are_a_problem_never_overwritten(cast, young):
    run(cast, csv_bytes(good_rows(young)[:1], header=HEADER))
    rows = good_rows(young)
    rows[0][5] = "71"
    outcome = run(cast, csv_bytes(rows, header=HEADER))
    assert [(e["line"], e["column"]) for e in outcome.errors] == [(2, "Heures suivies")]
    assert "déjà importé avec d'autres heures (70.50 h suivies" in outcome.errors[0]["message"]
    assert "annulez l'import qui l'a apporté" in outcome.errors[0]["message"]
    assert AttendanceHistory.objects.get().attended_hours == Decimal("70.5")


def test_another_school_s_young_person_is_never_matched(cast, young):
    """School B imports a file naming school A's young people: unknown to school B."""
    outcome = run(cast, csv_bytes(good_rows(young), header=HEADER), by="manager_b", school="school_b")
    assert {(e["line"], e["column"]) for e in outcome.errors} == {
        (2, "Nom"),
        (3, "Nom"),
        (4, "Nom"),
        (5, "Nom"),
    }
    assert all(e["message"].startswith("Jeune inconnu·e de l'école") for e in outcome.errors)
    assert nothing_written()
    with pytest.raises(Exception, match="Seule la direction"):
        run(cast, csv_bytes(good_rows(young), header=HEADER), by="manager_b")


def test_a_month_on_signed_sheets_cannot_also_be_history_and_the_reverse(cast, young):
    cohort = Cohort.objects.get(name="Fibre 2025")
    enrolments = {e.learner.last_name: e for e in cohort.enrolments.select_related("learner")}
    session = half_day(
        cohort, cast.trainer_a, dt.date(2025, 9, 15), Period.MORNING,
        {enrolments[young[0][0]]: (AttendanceStatus.PRESENT, 0),
         enrolments[young[1][0]]: (AttendanceStatus.ABSENT, 0),
         enrolments[young[2][0]]: (AttendanceStatus.PRESENT, 0)},
    )  # fmt: skip
    outcome = run(cast, csv_bytes(good_rows(young), header=HEADER))
    assert outcome.errors == [
        {
            "line": 2,
            "column": "Mois",
            "message": "La promotion « Fibre 2025 » a déjà des feuilles d'émargement en 09/2025 : "
            "ce mois se lit sur les feuilles, pas dans l'historique.",
        }
    ]
    assert nothing_written()

    # The reverse: a month of history refuses marks for that young person on that month's sheets.
    assert run(cast, csv_bytes(good_rows(young)[1:], header=HEADER)).errors == []
    october = sheets.session_create(
        cohort=cohort, by=cast.trainer_a, date=dt.date(2025, 10, 6), period=Period.MORNING
    )
    with pytest.raises(ValidationError, match="viennent de l'historique importé"):
        sheets.attendance_mark(
            session=october,
            by=cast.trainer_a,
            marks=[sheets.Mark(enrolments[young[0][0]].pk, AttendanceStatus.PRESENT)],
        )
    # Another young person, whose October is not in the history, is marked.
    sheets.attendance_mark(
        session=october,
        by=cast.trainer_a,
        marks=[sheets.Mark(enrolments[young[2][0]].pk, AttendanceStatus.PRESENT)],
    )
    assert (session.marks.count(), october.marks.count()) == (3, 1)


def test_the_database_refuses_a_second_row_for_a_month_negative_hours_or_a_mid_month(cast, young):
    run(cast, csv_bytes(good_rows(young)[:1], header=HEADER))
    row = AttendanceHistory.objects.get()
    fields = {"enrolment": row.enrolment, "excused_hours": 0, "unexcused_hours": 0}
    for bad in (
        {"month": row.month, "attended_hours": 1},
        {"month": dt.date(2025, 10, 1), "attended_hours": -1},
        {"month": dt.date(2025, 10, 2), "attended_hours": 1},
        {"month": dt.date(2025, 10, 1), "attended_hours": 311},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            AttendanceHistory.objects.create(**fields, **bad)


def test_undo_deletes_the_months_and_is_refused_once_an_opco_invoice_counts_them(cast, young):
    job = run(cast, csv_bytes(good_rows(young), header=HEADER)).job
    assert import_undo(job=job, by=cast.manager_a).status == ImportStatus.UNDONE
    assert not AttendanceHistory.objects.exists()

    job = run(cast, csv_bytes(good_rows(young), header=HEADER)).job
    opco = OrganisationFactory(network=cast.network, kind=OrganisationKind.OPCO, name="OPCO (test)")
    cohort = Cohort.objects.get(name="Fibre 2025")
    deal = funding.opco_funding_create(
        cohort=cohort, by=cast.manager_a, opco=opco, scheme=OpcoScheme.POEC, hours_agreed="400",
        hourly_rate="12.50",
    )  # fmt: skip
    invoice = funding.opco_invoice_create(
        funding=deal, by=cast.manager_a, period_start=dt.date(2025, 10, 1), period_end=dt.date(2025, 10, 31)
    )
    assert invoice.attended_minutes == 98 * 60
    with pytest.raises(ValidationError, match="facture OPCO du 01/10/2025 au 31/10/2025"):
        import_undo(job=job, by=cast.manager_a)
    assert AttendanceHistory.objects.count() == 4


def test_the_example_file_of_the_docs_imports(cast):
    rows = [["Martin", "Léa", dt.date(2006, 3, 14)], ["Da Silva", "Kevin", dt.date(2004, 12, 1)]]
    enrol(cast, [[*p, "77500", "Chelles", "Aucun"] for p in rows])
    data = (Path(__file__).parents[3] / "docs" / "exemples" / "import-assiduite.csv").read_bytes()
    outcome = run(cast, data)
    assert (outcome.created, outcome.errors) == (6, [])


def test_the_api_imports_the_history_answers_422_and_another_school_is_404(client, cast, young):
    def post(user, school, rows, dry_run=False):
        _token, raw = api_token_create(user=user)
        file = SimpleUploadedFile("assiduite.csv", csv_bytes(rows, header=HEADER))
        body = {"kind": "attendance", "school": school.pk, "file": file, "dry_run": dry_run}
        return client.post("/api/v1/imports", body, headers={"Authorization": f"Bearer {raw}"})

    rows = good_rows(young)
    assert post(cast.manager_b, cast.school_a, rows).status_code == 404
    assert post(cast.outsider, cast.school_a, rows).status_code == 404
    assert post(cast.trainer_a, cast.school_a, rows).status_code == 403
    bad = [[*r] for r in rows]
    bad[2][5] = "douze"
    response = post(cast.manager_a, cast.school_a, bad)
    assert response.status_code == 422
    assert response.json() == {
        "created": 3,
        "unchanged": 0,
        "errors": [
            {
                "line": 4,
                "column": "Heures suivies",
                "message": "Nombre d'heures invalide : « douze » (exemple : 12,5).",
            }
        ],
        "detail": "1 problème(s) : rien n'a été importé.",
    }
    assert post(cast.manager_a, cast.school_a, rows, dry_run=True).json() == {
        "created": 4, "unchanged": 0, "errors": [], "job": None
    }  # fmt: skip
    assert nothing_written()
    response = post(cast.manager_a, cast.school_a, rows)
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["unchanged"], body["errors"]) == (4, 0, [])
    assert body["job"] == ImportJob.objects.get(kind="attendance").pk
    assert post(cast.manager_a, cast.school_a, rows).json()["unchanged"] == 4


def test_the_command_imports_the_history(cast, young, tmp_path, capsys):
    path = tmp_path / "assiduite.csv"
    path.write_bytes(csv_bytes(good_rows(young), header=HEADER))
    school = ["--school", cast.school_a.slug]
    call_command("import", "attendance", str(path), *school, "--dry-run")
    assert "4 ligne(s) à créer" in capsys.readouterr().out
    assert nothing_written()
    call_command("import", "attendance", str(path), *school)
    assert AttendanceHistory.objects.count() == 4
    call_command("import", "attendance", str(path), *school)
    assert "déjà été importé" in capsys.readouterr().out
    path.write_bytes(csv_bytes([["X", "Y", "01/01/2004", "", "09/2025", "1", "", ""]], header=HEADER))
    with pytest.raises(CommandError, match="1 problème"):
        call_command("import", "attendance", str(path), *school)
    assert "Ligne 2, colonne « Nom » : Jeune inconnu·e" in capsys.readouterr().err


def test_the_history_is_exported_to_the_person_and_kept_without_its_file_name_when_anonymised(cast, young):
    run(cast, csv_bytes(good_rows(young), header=HEADER), filename=f"assiduite {young[0][0]}.csv")
    learner = Learner.objects.get(school=cast.school_a, last_name=young[0][0])
    export = export_collect(learners=[learner], by=cast.manager_a)
    rows = export.sections["historique_assiduite"]
    assert sorted((r["month"], r["attended_hours"]) for r in rows) == [
        (dt.date(2025, 9, 1), Decimal("70.50")),
        (dt.date(2025, 10, 1), Decimal("98.00")),
    ]
    # Another school's team exports nothing of it.
    assert export_collect(learners=[learner], by=cast.manager_b).sections["historique_assiduite"] == []

    learner_anonymise(learner=learner)
    kept = AttendanceHistory.objects.filter(enrolment__learner=learner)
    assert sorted(kept.values_list("attended_hours", "source")) == [
        (Decimal("70.50"), ""),
        (Decimal("98.00"), ""),
    ]
    assert AttendanceHistory.objects.exclude(source="").count() == 2  # the others keep their file's name
