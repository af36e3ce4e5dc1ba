"""Backups that restore (issue 18): a round trip into a fresh database, on the suite's engine."""

import contextlib
import hashlib
import io
import json
import subprocess
import sys
import tarfile

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from plombiers.credentials import services as credentials
from plombiers.credentials.public import full_link_token
from plombiers.credentials.tests.factories import END, finished_enrolment
from plombiers.frameworks.models import Skill
from plombiers.operations import backup as backups
from plombiers.privacy.models import AuditEvent
from plombiers.skills.models import Evidence
from plombiers.skills.services import observation_record
from plombiers.skills.tests.images import JPEG
from plombiers.support.enums import Visibility
from plombiers.support.services import journal_add

from .helpers import environment, run

PASSPHRASE = "une phrase de passe de test"
NOTE = "Hébergée chez une amie depuis lundi ; ne pas appeler la famille."


def build(cast):
    """What must come back: a confidential note, a signed attestation, an evidence photo."""
    enrolment = finished_enrolment(cast.school_a)
    learner = enrolment.learner
    learner.school = cast.school_a
    learner.save(update_fields=["school"])
    skill = Skill.objects.filter(framework=enrolment.cohort.framework).order_by("pk").last()
    observation = observation_record(
        enrolment=enrolment,
        skill=skill,
        level="en_cours",
        by=cast.trainer_a,
        observed_on=END,
        files=[SimpleUploadedFile("geste.jpg", JPEG, content_type="image/jpeg")],
    )
    note = journal_add(
        learner=learner,
        by=cast.social_worker_a,
        kind="entretien",
        text=NOTE,
        visibility=Visibility.CONFIDENTIAL,
    )
    attestation = credentials.attestation_issue(enrolment, by=cast.manager_a)
    evidence = Evidence.objects.get(observation=observation)
    with evidence.file.open("rb") as file:
        evidence_sha256 = hashlib.sha256(file.read()).hexdigest()
    return {
        "note": note.pk,
        "attestation": attestation.pk,
        "evidence": evidence.pk,
        "trainer": cast.trainer_a.email,
        "evidence_sha256": evidence_sha256,
        "full_link": full_link_token(attestation),
    }


@contextlib.contextmanager
def fresh_database(tmp_path):
    """A new, empty database of the suite's engine: a new SQLite file, or a new PostgreSQL
    database of our own name, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'plombiers.sqlite3'}"
        return
    db = connection.settings_dict
    name = f"{db['NAME']}_restored"[:63]
    admin = psycopg.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"] or None,
    )
    admin.autocommit = True
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        yield f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def restored_environment(tmp_path, url):
    target = tmp_path / "restored"
    target.mkdir(exist_ok=True)
    env = environment(
        target,
        DATABASE_URL=url,
        MEDIA_ROOT=str(target / "media"),
        CREDENTIAL_KEYS_DIR=str(target / "credential_keys"),
        PLOMBIERS_BACKUP_PASSPHRASE=PASSPHRASE,
    )
    # The keys come from the archive, not from the test run's environment.
    for name in ("FERNET_KEYS", "FERNET_KEYS_FILE", "SECRET_KEY", "SECRET_KEY_FILE"):
        env.pop(name, None)
    return env


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database(cast, tmp_path, monkeypatch):
    ids = build(cast)
    expected = backups.database_counts()
    monkeypatch.setenv("PLOMBIERS_BACKUP_PASSPHRASE", PASSPHRASE)
    archive = tmp_path / "sauvegarde.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), "--with-keys", stdout=out)
    assert "clés secrètes chiffrées incluses" in out.getvalue()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {"manifest.json", "keys.enc", "credential_keys/public.json"} <= names
    assert manifest["database"]["tables"] == expected
    assert any(n.startswith("media/") for n in names)
    assert set(manifest["members"]) == names - {"manifest.json"}
    assert AuditEvent.objects.filter(action="operations.backup", details__keys=True).count() == 1

    with fresh_database(tmp_path) as url:
        env = restored_environment(tmp_path, url)
        restored = run("restore", str(archive), env=env)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert (
            f"{len(expected)} tables ({sum(expected.values())} lignes, chaque compte conforme"
            in restored.stdout
        )
        check = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "plombiers.operations.tests.check_restored", json.dumps(ids)],
            env=env,
            cwd=env["PLOMBIERS_DATA_DIR"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert check.returncode == 0, check.stderr
        result = json.loads(check.stdout)
        # Restoring again is refused: the database is no longer empty.
        again = run("restore", str(archive), env=env)
    # Every table, row for row — and in the audit trail, the restore itself.
    expected["privacy_auditevent"] += 1
    assert result["counts"] == expected, "every table, row for row"
    assert result["note"] == NOTE, "the confidential note decrypts with the restored keys"
    assert result["verdict"] == "authentique", "the credential verifies"
    assert result["private_key_matches"], "and the school can still sign"
    assert result["full_link"] == ids["full_link"], "the QR codes' full links still open (same SECRET_KEY)"
    assert result["evidence"] == {"status": 200, "sha256": ids["evidence_sha256"]}, "the evidence downloads"
    assert again.returncode != 0
    assert "La base de données n'est pas vide" in again.stderr


@pytest.mark.django_db(transaction=True)
def test_a_tampered_or_truncated_archive_is_refused_before_anything_is_written(cast, tmp_path, monkeypatch):
    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    # One byte of the database dump changed, the manifest left as it was.
    tampered = tmp_path / "alteree.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            if info.name.startswith("database/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            target.addfile(info, io.BytesIO(data))
    truncated = tmp_path / "tronquee.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with fresh_database(tmp_path) as url:
        env = restored_environment(tmp_path, url)
        refused = run("restore", str(tampered), env=env)
        cut = run("restore", str(truncated), env=env)
        probe = run(
            "shell",
            "-v0",
            "-c",
            "from django.db import connection; print(len(connection.introspection.table_names()))",
            env=env,
        )
    assert refused.returncode != 0
    assert "la somme de contrôle de database/" in refused.stderr
    assert cut.returncode != 0
    assert "tronquée" in cut.stderr
    assert probe.stdout.strip() == "0", "nothing was written"


def test_the_keys_need_their_passphrase():
    keys = {"secret_key": "s", "fernet_keys": ["k"], "credential_keys": {}}
    sealed = backups.encrypt_keys(keys, PASSPHRASE)
    assert b'"k"' not in sealed
    assert backups.decrypt_keys(sealed, PASSPHRASE) == keys
    with pytest.raises(backups.BackupError, match="Phrase de passe incorrecte"):
        backups.decrypt_keys(sealed, PASSPHRASE + "!")


@pytest.mark.django_db
def test_backup_refuses_a_short_passphrase(monkeypatch, tmp_path):
    monkeypatch.setenv("PLOMBIERS_BACKUP_PASSPHRASE", "court")
    with pytest.raises(CommandError, match="trop courte"):
        call_command("backup", str(tmp_path / "b.tar.gz"), "--with-keys")
    assert not (tmp_path / "b.tar.gz").exists()
