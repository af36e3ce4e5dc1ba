"""Imports: hostile files report the exact line and column and write nothing; good files import in
one go, and again create nothing; undo while nothing depends on the import."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from plombiers.cohorts.models import Cohort
from plombiers.imports.enums import ImportStatus
from plombiers.imports.models import ImportJob
from plombiers.imports.services import files_forget, import_file, import_undo, job_upload
from plombiers.privacy.models import AuditEvent, RetentionSetting
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.models import Learner, Referral, ReferralEvent
from plombiers.referrals.services import referral_transition

from .files import HEADER, csv_bytes, people, xlsx_bytes

pytestmark = pytest.mark.django_db


def run(cast, data, *, kind="learners", filename="jeunes.csv", by="manager_a", **options):
    return import_file(
        school=cast.school_a, kind=kind, data=data, filename=filename, by=getattr(cast, by), **options
    )


def nothing_written():
    return not Learner.objects.exists() and not Referral.objects.exists() and not ImportJob.objects.exists()


def test_a_good_file_imports_learners_with_their_referrals_and_again_creates_nothing(cast):
    data = csv_bytes(people(3))
    first = run(cast, data)
    assert (first.created, first.unchanged, first.errors) == (3, 0, [])
    learner = Learner.objects.get(last_name=people(3)[0][0], first_name=people(3)[0][1])
    assert learner.school == cast.school_a
    assert learner.commune.insee_code == "77108"
    referral = learner.referrals.get()
    assert referral.status == ReferralStatus.NEW
    assert referral.eligibility["checked_on"]
    assert ReferralEvent.objects.filter(referral=referral, to_status=ReferralStatus.NEW).count() == 1
    assert AuditEvent.objects.filter(action="import.learners", school=cast.school_a).count() == 1

    again = run(cast, data)
    assert (again.created, again.unchanged, again.errors) == (0, 3, [])
    assert Learner.objects.count() == 3


def test_the_same_person_is_matched_as_referrals_do_whatever_the_accents_and_case(cast):
    run(cast, csv_bytes([["Lefèvre-Durand", "Zoé", dt.date(2005, 3, 14), "77500", "", "aucun"]]))
    again = run(cast, csv_bytes([["LEFEVRE DURAND", "zoe", dt.date(2005, 3, 14), "", "", ""]]))
    assert (again.created, again.unchanged) == (0, 1)


def test_a_dry_run_counts_and_writes_nothing(cast):
    outcome = run(cast, csv_bytes(people(4)), dry_run=True)
    assert (outcome.created, outcome.unchanged, outcome.errors) == (4, 0, [])
    assert nothing_written()


def test_windows_1252_with_commas_imports(cast):
    rows = [["Lefèvre", "Zoé", dt.date(2005, 3, 14), "77500", "Chelles", "Niveau 3 : CAP, BEP"]]
    data = csv_bytes(rows, sep=",", encoding="cp1252").replace(
        b"Niveau 3 : CAP, BEP", b'"Niveau 3 : CAP, BEP"'
    )
    outcome = run(cast, data)
    assert outcome.errors == []
    assert Learner.objects.get().first_name == "Zoé"


def test_a_bad_line_at_row_2000_is_reported_exactly_and_nothing_is_written(cast):
    rows = people(2500)
    rows[1998][2] = "31/02/2005"  # file line 2,000: the header is line 1
    outcome = run(cast, csv_bytes(rows, encoding="cp1252"))
    assert outcome.errors == [
        {
            "line": 2000,
            "column": "Date de naissance",
            "message": "Date invalide : « 31/02/2005 » (attendu : JJ/MM/AAAA).",
        }
    ]
    assert nothing_written()


def test_every_problem_is_listed_with_its_line_and_column_under_a_merged_header(cast):
    rows = people(5)
    rows[0][3] = "99999"
    rows[2][0] = ""
    rows[3] = list(rows[1])
    data = csv_bytes(rows, header=HEADER, above=["Liste des jeunes 2026;;;;;", "Identité;;;Adresse;;"])
    outcome = run(cast, data)
    assert outcome.errors == [
        {"line": 4, "column": "Code postal", "message": "Code postal inconnu : « 99999 »."},
        {"line": 6, "column": "Nom", "message": "« Nom » est vide."},
        {"line": 7, "column": "Nom", "message": "Même personne qu'à la ligne 5."},
    ]
    assert nothing_written()


def test_xlsx_with_dates_as_numbers_and_a_bad_cell(cast):
    rows = people(3)
    rows[0][2] = (rows[0][2] - dt.date(1899, 12, 30)).days  # a date cell formatted as a number
    rows[2][2] = "le 3 mars"
    data = xlsx_bytes(rows, above=[["Jeunes orientés"], []])
    outcome = run(cast, data, filename="jeunes.xlsx")
    assert outcome.errors == [
        {
            "line": 6,
            "column": "Date de naissance",
            "message": "Date invalide : « le 3 mars » (attendu : JJ/MM/AAAA).",
        }
    ]
    rows[2][2] = dt.date(2004, 5, 6)
    outcome = run(cast, xlsx_bytes(rows), filename="jeunes.xlsx")
    assert outcome.errors == []
    assert Learner.objects.filter(birth_date=people(3)[0][2]).exists()


def test_a_future_birth_date_and_a_missing_column_are_refused_in_french(cast):
    outcome = run(cast, csv_bytes([["Dupont", "Jean", dt.date(2099, 1, 1), "", "", ""]]))
    assert outcome.errors == [
        {
            "line": 2,
            "column": "Date de naissance",
            "message": "La date de naissance ne peut pas être dans le futur.",
        }
    ]
    outcome = run(cast, csv_bytes([["Dupont", "Jean"]], header=["Nom", "Prénom"]))
    assert outcome.errors == [
        {
            "line": 1,
            "column": "Date de naissance",
            "message": "Colonne obligatoire introuvable : « Date de naissance ».",
        }
    ]
    assert nothing_written()


def test_five_thousand_learners_in_one_go_then_nothing(cast, django_assert_max_num_queries):
    data = csv_bytes(people(5000))
    # Bulk: a query per batch of lines (SQLite binds at most 999 parameters), never one per line.
    with django_assert_max_num_queries(500):
        outcome = run(cast, data)
    assert (outcome.created, outcome.unchanged, outcome.errors) == (5000, 0, [])
    assert Referral.objects.filter(school=cast.school_a).count() == 5000
    again = run(cast, data)
    assert (again.created, again.unchanged) == (0, 5000)
    assert Learner.objects.count() == 5000


def test_only_the_manager_or_network_staff_imports(cast):
    with pytest.raises(PermissionDenied):
        run(cast, csv_bytes(people(1)), by="trainer_a")
    with pytest.raises(PermissionDenied):
        run(cast, csv_bytes(people(1)), by="manager_b")
    assert run(cast, csv_bytes(people(1)), by="staff").created == 1


def test_undo_deletes_what_was_created_while_nothing_depends_on_it(cast):
    job = run(cast, csv_bytes(people(2))).job
    job = import_undo(job=job, by=cast.manager_a)
    assert job.status == ImportStatus.UNDONE
    assert not Learner.objects.exists() and not Referral.objects.exists()
    assert AuditEvent.objects.filter(action="import.undo").count() == 1


def test_undo_is_refused_once_a_referral_moved_on(cast):
    job = run(cast, csv_bytes(people(2))).job
    referral_transition(referral=Referral.objects.first(), to=ReferralStatus.REVIEW, by=cast.manager_a)
    with pytest.raises(ValidationError, match="en dépendent"):
        import_undo(job=job, by=cast.manager_a)
    assert Learner.objects.count() == 2


COMPANY_HEADER = ["Entreprise", "SIRET", "Site", "Code postal", "Tuteur", "Fonction", "Courriel"]


def test_companies_with_their_sites_and_tutors(cast):
    rows = [
        [
            "Fibre Nord",
            "",
            "Agence de Chelles",
            "77500",
            "Karim Benali",
            "Chef d'équipe",
            "k.benali@example.org",
        ],
        ["Fibre Nord", "", "Agence de Chelles", "77500", "Julie Martin", "Technicienne", ""],
        ["Fibre A", "", "", "", "Paul Durand", "", ""],
    ]
    data = csv_bytes(rows, header=COMPANY_HEADER)
    outcome = run(cast, data, kind="companies")
    assert (outcome.created, outcome.unchanged, outcome.errors) == (3, 0, [])
    company = cast.school_a.partners.get(name="Fibre Nord")
    assert company.sites.get().commune.insee_code == "77108"
    assert sorted(company.contacts.values_list("full_name", flat=True)) == ["Julie Martin", "Karim Benali"]
    assert cast.company_a.contacts.filter(full_name="Paul Durand").exists()
    again = run(cast, data, kind="companies")
    assert (again.created, again.unchanged) == (0, 3)


def test_a_bad_siret_is_reported(cast):
    data = csv_bytes([["Fibre Nord", "12345678901234", "", "", "", "", ""]], header=COMPANY_HEADER)
    outcome = run(cast, data, kind="companies")
    assert [(e["line"], e["column"]) for e in outcome.errors] == [(2, "SIRET")]
    assert not cast.school_a.partners.filter(name="Fibre Nord").exists()


@pytest.mark.parametrize(
    ("kind", "name", "count"), [("learners", "jeunes", 2), ("companies", "entreprises", 2)]
)
def test_the_example_files_of_the_docs_import(cast, kind, name, count):
    data = (Path(__file__).parents[3] / "docs" / "exemples" / f"import-{name}.csv").read_bytes()
    outcome = run(cast, data, kind=kind)
    assert (outcome.created, outcome.errors) == (count, [])


COHORT_HEADER = ["Promotion", "Début", "Fin", "Places", "Nom", "Prénom", "Date de naissance"]


def test_cohorts_and_enrolments_of_learners_already_imported(cast):
    young = people(3)
    run(cast, csv_bytes(young))
    start, end = dt.date(2027, 1, 4), dt.date(2027, 4, 30)
    rows = [["Fibre 2027", start, end, "10", *person[:3]] for person in young[:2]]
    rows.append(["Fibre 2027-B", start, end, "", "", "", ""])
    data = csv_bytes(rows, header=COHORT_HEADER)
    outcome = run(cast, data, kind="cohorts")
    assert (outcome.created, outcome.unchanged, outcome.errors) == (3, 0, [])
    cohort = Cohort.objects.get(name="Fibre 2027")
    assert (cohort.capacity, cohort.school, cohort.trade) == (10, cast.school_a, cast.school_a.trade)
    assert cohort.enrolments.count() == 2
    assert Cohort.objects.get(name="Fibre 2027-B").capacity == cast.school_a.default_cohort_capacity
    again = run(cast, data, kind="cohorts")
    assert (again.created, again.unchanged) == (0, 3)


def test_an_unknown_young_person_or_a_full_cohort_is_a_problem(cast):
    young = people(3)
    run(cast, csv_bytes(young[:2]))
    start, end = dt.date(2027, 1, 4), dt.date(2027, 4, 30)
    rows = [["Fibre 2027", start, end, "1", *person[:3]] for person in young]
    outcome = run(cast, csv_bytes(rows, header=COHORT_HEADER), kind="cohorts")
    assert outcome.errors == [
        {"line": 3, "column": "Promotion", "message": "La promotion est complète."},
        {
            "line": 4,
            "column": "Nom",
            "message": "Jeune inconnu·e de l'école : importez d'abord les jeunes et leurs prescriptions.",
        },
    ]
    assert not Cohort.objects.exists()


def test_a_file_never_imported_is_erased_after_its_retention(cast):
    """The retention rule « import_files »: an uploaded file kept for the page's next steps is erased
    one month after its upload (or what the network set); the job stays, failed, saying why."""
    data = csv_bytes(people(3))
    job = job_upload(
        school=cast.school_a, kind="learners", data=data, filename="jeunes.csv", by=cast.manager_a
    )
    uploaded = timezone.localdate(job.created_at)
    one_month = uploaded + dt.timedelta(days=31)
    later = one_month + dt.timedelta(days=40)
    assert files_forget(today=uploaded + dt.timedelta(days=27)) == 0
    RetentionSetting.objects.create(network=cast.network, key="import_files", months=3)
    assert files_forget(today=later) == 0
    RetentionSetting.objects.all().delete()
    assert files_forget(today=later) == 1
    job.refresh_from_db()
    assert bytes(job.content) == b"" and job.status == ImportStatus.FAILED
    assert "effacé" in job.errors[0]["message"]
    assert files_forget(today=later) == 0
    assert not Learner.objects.exists()
