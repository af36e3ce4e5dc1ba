"""Issue 16, point 10: the keys sat beside a world-readable database. `.fernet_keys`, `.secret_key`
and the schools' signing keys were in the data folder next to a 0644 SQLite file; uploads were
0644 in 0755 folders. Everything the application keeps there is now 0600 (files) or 0700
(folders), and every secret can come from the environment or from a `*_FILE` path outside it."""

import datetime as dt
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import plombiers
from plombiers.cohorts import attendance
from plombiers.cohorts.enums import AttendanceStatus, Period
from plombiers.cohorts.models import Attendance
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.credentials import keys
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.support import crypto

ROOT = Path(plombiers.__file__).resolve().parent.parent
SECRETS = ("SECRET_KEY", "FERNET_KEYS", "DATABASE_URL", "EMAIL_HOST_PASSWORD")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask():
    """The usual umask, under which files are born 0644 and folders 0755 unless told otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def start_the_app(data: Path, script: str, **env) -> subprocess.CompletedProcess:
    """A fresh process of the application on `data`, as `plombiers …` starts it: the settings
    are read at start-up, so they run in a process of their own."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k.split("_FILE")[0] not in SECRETS and k not in ("MEDIA_ROOT", "CREDENTIAL_KEYS_DIR")
    }
    environment.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="plombiers.settings",
        PLOMBIERS_DATA_DIR=str(data),
        **env,
    )
    prelude = "import django, json; django.setup()\n"
    return subprocess.run(  # noqa: S603 — this interpreter, a script of this file
        [sys.executable, "-c", prelude + script],
        cwd=data,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),
        check=False,
    )


# What a first start does: the database, the Django key, the encryption key, an upload.
FIRST_START = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from plombiers.support import crypto

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE essai (texte text)")
    cursor.execute("INSERT INTO essai VALUES (%s)", [crypto.encrypt("note confidentielle")])
default_storage.save("justificatifs/1/certificat.pdf", ContentFile(b"%PDF-1.4"))
"""


@pytest.mark.parametrize("older", [False, True], ids=["fresh", "older-0644-files"])
def test_the_data_folder_is_private(tmp_path, older):
    data = tmp_path / "data"
    data.mkdir()
    if older:
        # A data folder of the code before: the database and the keys world-readable.
        for name, content in [
            ("plombiers.sqlite3", ""),
            (".secret_key", "ancienne-cle-django-de-demo"),
            (".fernet_keys", Fernet.generate_key().decode()),
        ]:
            (data / name).write_text(content)
            (data / name).chmod(0o644)
        (data / "media").mkdir(mode=0o755)
        (data / "media").chmod(0o755)
    result = start_the_app(data, FIRST_START)
    assert result.returncode == 0, result.stderr
    files = [".secret_key", ".fernet_keys", "plombiers.sqlite3"]
    files += [name for name in ("plombiers.sqlite3-wal", "plombiers.sqlite3-shm") if (data / name).exists()]
    assert {name: oct(mode(data / name)) for name in files} == dict.fromkeys(files, "0o600")
    media = data / "media"
    folders = [media, media / "justificatifs", media / "justificatifs" / "1"]
    assert [oct(mode(f)) for f in folders] == ["0o700"] * 3
    assert oct(mode(media / "justificatifs" / "1" / "certificat.pdf")) == "0o600"


def test_secrets_are_read_from_their_files(tmp_path):
    data, mounted = tmp_path / "data", tmp_path / "run-secrets"
    data.mkdir()
    mounted.mkdir()
    key = Fernet.generate_key().decode()
    (mounted / "secret_key").write_text("cle-django-montee-par-l-orchestrateur\n")
    (mounted / "fernet_keys").write_text(f"{key}\n")
    (mounted / "database_url").write_text(f"sqlite:///{tmp_path / 'ailleurs.sqlite3'}")
    (mounted / "smtp").write_text("mot-de-passe-smtp")
    script = """
from django.conf import settings
from plombiers.support import crypto
print(json.dumps({
    "secret_key": settings.SECRET_KEY,
    "fernet": [k.decode() for k in crypto.load_keys()],
    "database": str(settings.DATABASES["default"]["NAME"]),
    "smtp": settings.EMAIL_HOST_PASSWORD,
    "round_trip": crypto.decrypt(crypto.encrypt("texte")),
}))
"""
    result = start_the_app(
        data,
        script,
        SECRET_KEY_FILE=str(mounted / "secret_key"),
        FERNET_KEYS_FILE=str(mounted / "fernet_keys"),
        DATABASE_URL_FILE=str(mounted / "database_url"),
        EMAIL_HOST_PASSWORD_FILE=str(mounted / "smtp"),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "secret_key": "cle-django-montee-par-l-orchestrateur",
        "fernet": [key],
        "database": str(tmp_path / "ailleurs.sqlite3"),
        "smtp": "mot-de-passe-smtp",
        "round_trip": "texte",
    }
    # Nothing secret was made in the data folder.
    assert not (data / ".secret_key").exists() and not (data / ".fernet_keys").exists()


def test_a_missing_secret_file_stops_the_start(tmp_path):
    result = start_the_app(tmp_path, "", SECRET_KEY_FILE=str(tmp_path / "absent"))
    assert result.returncode != 0
    assert f"SECRET_KEY_FILE={tmp_path / 'absent'}" in result.stderr
    assert not (tmp_path / ".secret_key").exists()


def test_the_encryption_keys_file_wins_over_the_data_folder(tmp_path, monkeypatch, settings):
    key = Fernet.generate_key().decode()
    (tmp_path / "fernet").write_text(f"{key},{Fernet.generate_key().decode()}")
    monkeypatch.delenv("FERNET_KEYS")
    monkeypatch.setenv("FERNET_KEYS_FILE", str(tmp_path / "fernet"))
    settings.DATA_DIR = tmp_path / "data"
    assert crypto.load_keys()[0] == key.encode()
    assert not (tmp_path / "data" / ".fernet_keys").exists()


def test_the_keys_file_is_read_again_only_when_it_changes(tmp_path, monkeypatch):
    """Looked at for every text decrypted, read once: a list of 100 referrals read it 100 times. A
    key put in front (a rotation) is still seen at the next call, the older one still decrypts."""
    path, older, newer = tmp_path / "fernet", Fernet.generate_key().decode(), Fernet.generate_key().decode()
    path.write_text(f"{older}\n")
    monkeypatch.delenv("FERNET_KEYS")
    monkeypatch.setenv("FERNET_KEYS_FILE", str(path))
    reads, read_text = [], Path.read_text

    def counted(self, *args, **kwargs):
        reads.append(self)
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counted)
    token = crypto.encrypt("note confidentielle")
    assert all(crypto.decrypt(token) == "note confidentielle" for _ in range(100))
    assert reads == [path]
    path.write_text(f"{newer}\n{older}\n")
    assert crypto.load_keys() == [newer.encode(), older.encode()]
    assert Fernet(newer).decrypt(crypto.encrypt("texte").encode()) == b"texte"
    assert crypto.decrypt(token) == "note confidentielle"
    assert reads == [path, path]


def test_the_schools_signing_keys_are_private(cast, settings, tmp_path, umask):
    # A keys folder of the code before (0755), and one not made yet, with its parents.
    older = tmp_path / "cles-anciennes"
    older.mkdir(mode=0o755)
    settings.CREDENTIAL_KEYS_DIR = older
    key = keys.current_key(cast.school_a)
    pem = older / cast.school_a.slug / f"{key.public_key_multibase}.pem"
    assert [oct(mode(p)) for p in (older, pem.parent, pem)] == ["0o700", "0o700", "0o600"]

    fresh = tmp_path / "secrets" / "plombiers" / "credential_keys"
    settings.CREDENTIAL_KEYS_DIR = fresh
    key = keys.key_rotate(cast.school_a, by=cast.manager_a)
    pem = fresh / cast.school_a.slug / f"{key.public_key_multibase}.pem"
    folders = [tmp_path / "secrets", tmp_path / "secrets" / "plombiers", fresh, pem.parent]
    assert [oct(mode(p)) for p in folders] == ["0o700"] * 4 and oct(mode(pem)) == "0o600"


def test_an_uploaded_medical_certificate_is_private(client, cast, settings, umask):
    """The trainer uploads the proof of an excused absence through the sheet page."""
    cohort = CohortFactory(
        school=cast.school_a, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18)
    )
    enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC), tick=False):
        session = attendance.session_create(
            cohort=cohort, by=cast.trainer_a, date=dt.date(2026, 10, 5), period=Period.MORNING
        )
        client.force_login(cast.trainer_a)
        proof = SimpleUploadedFile(
            "certificat.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf"
        )
        response = client.post(
            reverse("cohorts:attendance_mark", args=[session.pk]),
            {
                "enrolment": enrolment.pk,
                "status": AttendanceStatus.EXCUSED,
                "excuse_reason": "Médecin",
                "proof": proof,
            },
        )
    assert response.status_code == 302
    path = Path(Attendance.objects.get().proof.path)
    media = Path(settings.MEDIA_ROOT)
    folders = [media, *[p for p in path.parents if media in p.parents]]
    assert [oct(mode(p)) for p in folders] == ["0o700"] * len(folders) and len(folders) == 3
    assert oct(mode(path)) == "0o600"
