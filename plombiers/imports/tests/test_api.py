"""`POST /api/v1/imports` and `plombiers import`: the same import, its counts and its problems."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from plombiers.accounts.services import api_token_create
from plombiers.referrals.models import Learner

from .files import csv_bytes, people

pytestmark = pytest.mark.django_db


def post(client, user, school, data, **fields):
    _token, raw = api_token_create(user=user)
    body = {"kind": "learners", "school": school.pk, "file": SimpleUploadedFile("jeunes.csv", data), **fields}
    return client.post("/api/v1/imports", body, headers={"Authorization": f"Bearer {raw}"})


def test_the_api_imports_then_says_nothing_is_new(client, cast):
    data = csv_bytes(people(3))
    response = post(client, cast.manager_a, cast.school_a, data, dry_run="true")
    assert response.status_code == 200
    assert response.json() | {"job": None} == {"created": 3, "unchanged": 0, "errors": [], "job": None}
    assert not Learner.objects.exists()
    response = post(client, cast.manager_a, cast.school_a, data)
    assert response.status_code == 200
    assert response.json()["created"] == 3
    assert response.json()["job"]
    assert post(client, cast.manager_a, cast.school_a, data).json()["unchanged"] == 3


def test_the_api_answers_422_with_every_problem_and_writes_nothing(client, cast):
    rows = people(3)
    rows[1][2] = "1er avril"
    response = post(client, cast.manager_a, cast.school_a, csv_bytes(rows, sep=","))
    assert response.status_code == 422
    body = response.json()
    assert body["created"] == 2
    assert body["errors"] == [
        {
            "line": 3,
            "column": "Date de naissance",
            "message": "Date invalide : « 1er avril » (attendu : JJ/MM/AAAA).",
        }
    ]
    assert "rien n'a été importé" in body["detail"]
    assert not Learner.objects.exists()


def test_another_schools_manager_cannot_import_into_yours(client, cast):
    data = csv_bytes(people(1))
    assert post(client, cast.manager_b, cast.school_a, data).status_code == 404
    assert post(client, cast.trainer_a, cast.school_a, data).status_code == 403
    assert post(client, cast.prescriber, cast.school_a, data).status_code == 403
    assert post(client, cast.outsider, cast.school_a, data).status_code == 404
    assert not Learner.objects.exists()


def test_the_command(cast, tmp_path, capsys):
    path = tmp_path / "jeunes.csv"
    path.write_bytes(csv_bytes(people(2)))
    call_command("import", "learners", str(path), "--school", cast.school_a.slug, "--dry-run")
    assert "2 ligne(s) à créer" in capsys.readouterr().out
    assert not Learner.objects.exists()
    call_command("import", "learners", str(path), "--school", cast.school_a.slug)
    assert Learner.objects.count() == 2
    call_command("import", "learners", str(path), "--school", cast.school_a.slug)
    assert "déjà été importé" in capsys.readouterr().out
    path.write_bytes(csv_bytes([["Dupont", "", "01/01/2005", "", "", ""]]))
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import", "learners", str(path), "--school", cast.school_a.slug)
    assert "Ligne 2, colonne « Prénom »" in capsys.readouterr().err
