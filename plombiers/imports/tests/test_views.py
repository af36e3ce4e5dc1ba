"""The import page: upload → columns and first lines → dry run → import → undo; big files through
the task queue with a progress bar."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plombiers.imports import services
from plombiers.imports.enums import ImportStatus
from plombiers.imports.models import ColumnMapping, ImportJob
from plombiers.imports.tests.files import csv_bytes, people
from plombiers.referrals.models import Learner

pytestmark = pytest.mark.django_db

HEADER = ["NOM", "Prénom usuel", "Né(e) le", "CP", "Ville", "Diplôme"]


def upload(client, cast, data, name="jeunes.csv"):
    file = SimpleUploadedFile(name, data)
    response = client.post(
        reverse("imports:job_list"), {"school": cast.school_a.pk, "kind": "learners", "file": file}
    )
    assert response.status_code == 302, response.content.decode()
    return ImportJob.objects.latest("pk")


def test_upload_map_check_import_and_undo(client, cast):
    client.force_login(cast.manager_a)
    job = upload(client, cast, csv_bytes(people(3), header=HEADER))
    page = client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    assert "Les premières lignes" in page
    assert people(3)[0][0] in page
    # « Prénom usuel » is no usual header: the person picks it, and the school remembers it.
    mapping = {"last_name": "NOM", "first_name": "Prénom usuel", "birth_date": "Né(e) le", "postcode": "CP",
               "commune": "Ville", "highest_diploma": "Diplôme"}  # fmt: skip
    response = client.post(reverse("imports:job_check", args=[job.pk]), mapping)
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created_count, job.errors) == (ImportStatus.CHECKED, 3, [])
    assert ColumnMapping.objects.get(school=cast.school_a).mapping["first_name"] == "Prénom usuel"
    assert not Learner.objects.exists()
    assert "Importer 3 ligne(s)" in client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()

    client.post(reverse("imports:job_start", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.content == b""
    assert Learner.objects.count() == 3

    # The next file of the school is read with the remembered mapping.
    again = upload(client, cast, csv_bytes(people(3), header=HEADER))
    header = services.read_header(
        school=cast.school_a, kind="learners", data=bytes(again.content), filename="x.csv"
    )[1]
    assert header.title("first_name") == "Prénom usuel"

    client.post(reverse("imports:job_undo", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.UNDONE
    assert not Learner.objects.exists()


def test_the_dry_run_lists_every_problem_in_french(client, cast):
    client.force_login(cast.manager_a)
    rows = people(3)
    rows[1][2] = "32/01/2005"
    job = upload(client, cast, csv_bytes(rows))
    client.post(
        reverse("imports:job_check", args=[job.pk]),
        {"last_name": "Nom", "first_name": "Prénom", "birth_date": "Date de naissance"},
    )
    page = client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    assert "1 problème(s)" in page
    assert "Date invalide : « 32/01/2005 »" in page
    assert "Importer" not in page
    response = client.post(reverse("imports:job_start", args=[job.pk]), follow=True)
    assert "Seul un fichier vérifié et sans problème" in response.content.decode()
    assert not Learner.objects.exists()


def test_an_unreadable_file_is_said_in_french(client, cast):
    client.force_login(cast.manager_a)
    job = upload(client, cast, b"\x00\x01 rien", name="jeunes.xlsx")
    page = client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    assert "Aucune ligne d'en-têtes reconnue" in page or "illisible" in page


def test_a_big_file_goes_through_the_task_queue_with_its_progress(client, cast, monkeypatch):
    monkeypatch.setattr(services, "BIG_FILE_LINES", 2)
    client.force_login(cast.manager_a)
    job = upload(client, cast, csv_bytes(people(3)))
    client.post(
        reverse("imports:job_check", args=[job.pk]),
        {"last_name": "Nom", "first_name": "Prénom", "birth_date": "Date de naissance"},
    )
    # The task is enqueued once the transaction commits (never, inside a test): the job waits.
    client.post(reverse("imports:job_start", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    page = client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    assert 'role="progressbar"' in page
    assert 'hx-trigger="every 2s"' in page
    fragment = client.get(reverse("imports:job_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert "HX-Refresh" not in fragment
    services.job_run(job_id=job.pk)  # what the worker does
    assert Learner.objects.count() == 3
    fragment = client.get(reverse("imports:job_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true"


def test_the_list_query_count_is_constant(client, cast, django_assert_num_queries):
    for n in range(3):
        ImportJob.objects.create(
            school=cast.school_a, kind="learners", filename=f"f{n}.csv", by=cast.manager_a
        )
    client.force_login(cast.manager_a)
    # 1 session, 2 user, 3 memberships, 4 schools visible (to choose those the user imports into),
    # 5 count of imports, 6 and 7 the school choices (the field template and the widget each read
    # them), 8 page of imports with their school and author
    with django_assert_num_queries(8):
        response = client.get(reverse("imports:job_list"))
    assert response.status_code == 200
