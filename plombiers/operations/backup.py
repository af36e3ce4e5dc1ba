"""Backups that restore: one archive with the database, the uploaded files and the keys' public
part, checked member by member when it is restored.

The archive (`plombiers backup PATH`) is a gzip'd tar, readable by its owner only:

- `database/plombiers.sqlite3` — a copy made with SQLite's online backup API (a consistent
  snapshot while the application keeps writing), or `database/plombiers.dump` — `pg_dump -Fc` in
  the snapshot of a REPEATABLE READ transaction, where the rows of every table are also counted;
- `media/…` — every file of MEDIA_ROOT (evidence photos, certificates, signed agreements), copied
  after the database: a file the database names is there (one uploaded meanwhile may be too);
- `credential_keys/public.json` — the public key of every signing key of the schools;
- `keys.enc` — only with `--with-keys`: the Django SECRET_KEY (it signs the full links printed on
  the attestations' QR codes), the Fernet keys of the encrypted texts and the schools' private
  signing keys, encrypted with a passphrase (scrypt, then AES-256-GCM);
- `manifest.json`, last — the format, the database engine, the row count of every table, the
  applied migrations, and the size and SHA-256 of every other member.

`plombiers restore PATH` checks every checksum before it writes anything, then restores into an
empty database (no table at all) and an empty media folder, writes the keys where the settings
read them, counts the rows again and compares them with the manifest.
"""

import base64
import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from plombiers.lib.private_files import DIR_MODE, FILE_MODE, private_dir, secret
from plombiers.privacy.services import audit_log

FORMAT = 1
MANIFEST = "manifest.json"
KEYS = "keys.enc"
PUBLIC_KEYS = "credential_keys/public.json"
SQLITE_MEMBER = "database/plombiers.sqlite3"
POSTGRES_MEMBER = "database/plombiers.dump"
# scrypt's cost: 2**15 × 8 × 128 bytes = 32 MiB and a fraction of a second, per the cryptography
# package's advice for interactive use; written in the archive, so that it can grow.
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
AAD = b"plombiers-backup-keys-v1"
MIN_PASSPHRASE = 12


class BackupError(Exception):
    """Something the operator must fix, said in French."""


# --- the keys, encrypted with a passphrase ------------------------------------------------------


def _derive(passphrase: str, salt: bytes, params: dict) -> bytes:
    return Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"]).derive(
        passphrase.encode("utf-8")
    )


def encrypt_keys(keys: dict, passphrase: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    ciphertext = AESGCM(_derive(passphrase, salt, SCRYPT)).encrypt(nonce, json.dumps(keys).encode(), AAD)
    envelope = {
        "kdf": {"name": "scrypt", **SCRYPT, "salt": base64.b64encode(salt).decode()},
        "cipher": {"name": "AES-256-GCM", "nonce": base64.b64encode(nonce).decode()},
        "ciphertext": base64.b64encode(ciphertext).decode(),
    }
    return json.dumps(envelope, indent=1).encode()


def decrypt_keys(data: bytes, passphrase: str) -> dict:
    envelope = json.loads(data)
    kdf, cipher = envelope["kdf"], envelope["cipher"]
    if kdf.get("name") != "scrypt" or cipher.get("name") != "AES-256-GCM":
        raise BackupError("Clés de la sauvegarde chiffrées d'une façon inconnue de cette version.")
    key = _derive(passphrase, base64.b64decode(kdf["salt"]), kdf)
    try:
        plain = AESGCM(key).decrypt(
            base64.b64decode(cipher["nonce"]), base64.b64decode(envelope["ciphertext"]), AAD
        )
    except InvalidTag as error:
        raise BackupError(
            "Phrase de passe incorrecte : les clés de la sauvegarde ne se déchiffrent pas."
        ) from error
    return json.loads(plain)


def _credential_key_files() -> Iterator[tuple[str, Path]]:
    folder = Path(settings.CREDENTIAL_KEYS_DIR)
    if folder.is_dir():
        for path in sorted(folder.rglob("*.pem")):
            yield path.relative_to(folder).as_posix(), path


def current_keys() -> dict:
    from plombiers.privacy.crypto import load_keys

    return {
        "secret_key": settings.SECRET_KEY,
        "fernet_keys": [key.decode() for key in load_keys()],
        "credential_keys": {name: path.read_text() for name, path in _credential_key_files()},
    }


def public_keys() -> list[dict]:
    """The public part of each school's signing key (the key file's name is its multibase)."""
    rows = []
    for name, path in _credential_key_files():
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            continue
        school, _, file = name.rpartition("/")
        rows.append(
            {
                "school": school,
                "public_key_multibase": file.removesuffix(".pem"),
                "public_key_pem": private.public_key()
                .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
                .decode(),
            }
        )
    return rows


# --- the database -------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]


def _sqlite_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in _sqlite_tables(db)}  # noqa: S608
    finally:
        db.close()


def database_counts() -> dict[str, int]:
    """The row count of every table of the configured database (after a restore)."""
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        counts = {}
        for table in sorted(tables):
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 — names from the catalogue
            counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def postgres_environment() -> dict[str, str]:
    """libpq's variables for pg_dump and pg_restore (the password never on a command line)."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for variable, key in (
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    if sslmode := (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return env


def _dump_sqlite(target: Path) -> tuple[dict[str, int], list[str]]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        copy.close()
    recorder = sqlite3.connect(target)
    try:
        applied = sorted(f"{a}.{n}" for a, n in recorder.execute("SELECT app, name FROM django_migrations"))
    finally:
        recorder.close()
    return _sqlite_counts(target), applied


def _dump_postgres(target: Path) -> tuple[dict[str, int], list[str]]:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        dump = subprocess.run(  # noqa: S603 — fixed arguments; the connection through libpq's environment
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],  # noqa: S607
            env=postgres_environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if dump.returncode:
            raise BackupError(f"pg_dump a échoué : {dump.stderr.strip()}")
        # Counted in the snapshot pg_dump read.
        return database_counts(), _applied_migrations()


# --- the archive --------------------------------------------------------------------------------


@dataclass
class Summary:
    """What a backup wrote or a restore restored."""

    tables: int = 0
    rows: int = 0
    media_files: int = 0
    media_bytes: int = 0
    public_keys: int = 0
    keys: bool = False
    notes: list[str] = field(default_factory=list)


class _HashingReader(io.RawIOBase):
    """Reads a file into the archive and hashes what it read, in one pass."""

    def __init__(self, file):
        self.file, self.sha256 = file, hashlib.sha256()

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.file.read(len(buffer))
        self.sha256.update(data)
        buffer[: len(data)] = data
        return len(data)


def _add(archive: tarfile.TarFile, members: dict, name: str, *, path: Path | None = None, data: bytes = b""):
    info = tarfile.TarInfo(name)
    info.mode, info.mtime = FILE_MODE, int(timezone.now().timestamp())
    if path is not None:
        info.size = path.stat().st_size
        with open(path, "rb") as file:
            reader = _HashingReader(file)
            archive.addfile(info, io.BufferedReader(reader))
        digest = reader.sha256.hexdigest()
    else:
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
        digest = hashlib.sha256(data).hexdigest()
    members[name] = {"size": info.size, "sha256": digest}


def _media_files() -> Iterator[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def backup(path: Path, *, passphrase: str | None = None) -> Summary:
    """Write the archive at `path` (replaced only once complete); keys encrypted with
    `passphrase` when it is given, left out otherwise."""
    path = Path(path).resolve()
    if path.is_dir():
        raise BackupError(f"{path} est un dossier : donnez le nom du fichier de sauvegarde.")
    if not path.parent.is_dir():
        raise BackupError(f"Le dossier {path.parent} n'existe pas.")
    summary = Summary(keys=passphrase is not None)
    with tempfile.TemporaryDirectory(prefix=".plombiers-backup-", dir=path.parent) as work:
        work = Path(work)
        os.chmod(work, DIR_MODE)
        engine = connection.vendor
        if engine == "sqlite":
            dump, member = work / "plombiers.sqlite3", SQLITE_MEMBER
            counts, migrations = _dump_sqlite(dump)
        elif engine == "postgresql":
            dump, member = work / "plombiers.dump", POSTGRES_MEMBER
            counts, migrations = _dump_postgres(dump)
        else:
            raise BackupError(f"Base de données « {engine} » non prise en charge par la sauvegarde.")
        partial = work / "archive.tar.gz"
        members: dict[str, dict] = {}
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with (
            os.fdopen(descriptor, "wb") as raw,
            tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive,
        ):
            _add(archive, members, member, path=dump)
            dump.unlink()
            for name, media in _media_files():
                _add(archive, members, f"media/{name}", path=media)
                summary.media_files += 1
                summary.media_bytes += members[f"media/{name}"]["size"]
            published = public_keys()
            summary.public_keys = len(published)
            _add(archive, members, PUBLIC_KEYS, data=json.dumps(published, indent=1).encode())
            if passphrase is not None:
                _add(archive, members, KEYS, data=encrypt_keys(current_keys(), passphrase))
            manifest = {
                "format": FORMAT,
                "application": "plombiers",
                "created_at": timezone.now().isoformat(),
                "engine": engine,
                "database": {"member": member, "tables": counts},
                "migrations": migrations,
                "media": {"files": summary.media_files, "bytes": summary.media_bytes},
                "keys": passphrase is not None,
                "members": members,
            }
            _add(archive, {}, MANIFEST, data=json.dumps(manifest, indent=1, ensure_ascii=False).encode())
        os.replace(partial, path)
    summary.tables, summary.rows = len(counts), sum(counts.values())
    # Everything about everyone left the database: said in the audit trail (after the dump).
    audit_log(
        actor=None,
        action="operations.backup",
        details={"path": str(path), "tables": summary.tables, "rows": summary.rows, "keys": summary.keys},
    )
    return summary


# --- restoring ----------------------------------------------------------------------------------


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for info in archive.getmembers():
        name = Path(info.name)
        if not info.isfile() or name.is_absolute() or ".." in name.parts:
            raise BackupError(f"Membre inattendu dans l'archive : {info.name}")
        members.append(info)
    return members


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_archive(path: Path, work: Path) -> dict:
    """Extract the archive into `work` and check it against its manifest: every member listed,
    of its size and SHA-256, and nothing else. Returns the manifest."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = _safe_members(archive)
            for info in members:
                target = work / info.name
                target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
                source = archive.extractfile(info)
                descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
                with source, os.fdopen(descriptor, "wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
    except (OSError, EOFError, zlib.error, tarfile.TarError) as error:
        raise BackupError(f"{path} n'est pas une sauvegarde lisible ou est tronquée ({error}).") from error
    try:
        manifest = json.loads((work / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(
            "L'archive n'a pas de manifeste lisible : ce n'est pas une sauvegarde de Plombiers."
        ) from error
    if manifest.get("application") != "plombiers" or manifest.get("format") != FORMAT:
        raise BackupError(f"Format de sauvegarde inconnu ({manifest.get('format')}).")
    listed = manifest["members"]
    found = {info.name for info in members} - {MANIFEST}
    if missing := sorted(set(listed) - found):
        raise BackupError(f"Sauvegarde incomplète : il manque {', '.join(missing[:5])}.")
    if extra := sorted(found - set(listed)):
        raise BackupError(f"Sauvegarde altérée : {', '.join(extra[:5])} n'est pas dans le manifeste.")
    for name, expected in listed.items():
        file = work / name
        if file.stat().st_size != expected["size"] or _sha256(file) != expected["sha256"]:
            raise BackupError(f"Sauvegarde altérée : la somme de contrôle de {name} ne correspond pas.")
    return manifest


def _check_empty_target(manifest: dict) -> None:
    engine = connection.vendor
    if manifest["engine"] != engine:
        raise BackupError(
            f"Cette sauvegarde vient d'une base {manifest['engine']} : elle se restaure dans une base "
            f"{manifest['engine']}, pas {engine}."
        )
    if tables := connection.introspection.table_names():
        raise BackupError(
            f"La base de données n'est pas vide ({len(tables)} tables, dont {', '.join(sorted(tables)[:3])}) : "
            "la restauration se fait dans une base neuve, sans table (ne lancez pas migrate avant). "
            "Créez une base vide ou indiquez-en une autre avec DATABASE_URL."
        )
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        raise BackupError(
            f"Le dossier des fichiers {media} n'est pas vide : la restauration se fait dans un dossier "
            "vide (MEDIA_ROOT)."
        )


def _restore_database(manifest: dict, work: Path) -> None:
    dump = work / manifest["database"]["member"]
    if connection.vendor == "sqlite":
        target = connection.settings_dict["NAME"]
        connection.close()
        source, copy = sqlite3.connect(dump), sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=WAL")
        finally:
            source.close()
            copy.close()
    else:
        connection.close()
        restore = subprocess.run(  # noqa: S603 — fixed arguments; the connection through libpq's environment
            [  # noqa: S607
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ],
            env=postgres_environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if restore.returncode:
            raise BackupError(f"pg_restore a échoué (rien n'a été écrit) : {restore.stderr.strip()}")


def _restore_media(manifest: dict, work: Path, summary: Summary) -> None:
    root = private_dir(Path(settings.MEDIA_ROOT))
    for name, member in manifest["members"].items():
        if not name.startswith("media/"):
            continue
        target = root / name.removeprefix("media/")
        private_dir(target.parent)
        shutil.copyfile(work / name, target)
        os.chmod(target, FILE_MODE)
        summary.media_files += 1
        summary.media_bytes += member["size"]


def _write_private(path: Path, text: str) -> None:
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    os.chmod(path, FILE_MODE)


def _restore_keys(keys: dict, summary: Summary) -> None:
    """The keys where the settings read them; when the environment names other keys, the ones of
    the backup go to a file beside the data, to point the variable at."""
    data = Path(settings.DATA_DIR)
    # The Django key: the full links printed on the attestations' QR codes depend on it.
    if secret("SECRET_KEY"):
        if secret("SECRET_KEY") != keys["secret_key"]:
            _write_private(data / "secret_key.restored", keys["secret_key"] + "\n")
            summary.notes.append(
                f"SECRET_KEY diffère de celle de la sauvegarde : elle est dans {data / 'secret_key.restored'}, "
                "indiquez ce fichier dans SECRET_KEY_FILE (sinon les liens complets des attestations ne "
                "marchent plus)."
            )
    else:
        _write_private(data / ".secret_key", keys["secret_key"])
    # The Fernet keys: without them, no encrypted text reads back.
    archived = keys["fernet_keys"]
    configured = secret("FERNET_KEYS")
    if configured:
        present = set(configured.replace(",", " ").split())
        if not set(archived) <= present:
            merged = archived + [k for k in configured.replace(",", " ").split() if k not in archived]
            _write_private(data / "fernet_keys.restored", "\n".join(merged) + "\n")
            summary.notes.append(
                f"FERNET_KEYS ne contient pas les clés de la sauvegarde : elles sont dans "
                f"{data / 'fernet_keys.restored'}, indiquez ce fichier dans FERNET_KEYS_FILE (sinon les "
                "textes chiffrés restent illisibles)."
            )
    else:
        existing = []
        with contextlib.suppress(FileNotFoundError):
            existing = (data / ".fernet_keys").read_text().replace(",", " ").split()
        merged = archived + [k for k in existing if k not in archived]
        _write_private(data / ".fernet_keys", "\n".join(merged) + "\n")
    # The schools' private signing keys.
    folder = private_dir(Path(settings.CREDENTIAL_KEYS_DIR))
    for name, pem in keys["credential_keys"].items():
        target = folder / name
        if target.exists():
            if target.read_text() != pem:
                raise BackupError(f"Une autre clé de signature existe déjà : {target}.")
            continue
        _write_private(target, pem)
    summary.keys = True


def restore(path: Path, *, passphrase_for=None, skip_keys: bool = False) -> Summary:
    """Restore the archive at `path` into the configured database and media folder, both empty.
    `passphrase_for()` gives the passphrase when the archive holds keys."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Pas de fichier {path}.")
    summary = Summary()
    with tempfile.TemporaryDirectory(prefix=".plombiers-restore-") as work:
        work = Path(work)
        os.chmod(work, DIR_MODE)
        manifest = read_archive(path, work)
        _check_empty_target(manifest)
        keys = None
        if manifest["keys"] and not skip_keys:
            keys = decrypt_keys((work / KEYS).read_bytes(), passphrase_for())
        _restore_database(manifest, work)
        _restore_media(manifest, work, summary)
        summary.public_keys = len(json.loads((work / PUBLIC_KEYS).read_text()))
        if keys is not None:
            _restore_keys(keys, summary)
    expected = manifest["database"]["tables"]
    counts = database_counts()
    wrong = [
        f"{table} ({counts.get(table, 'absente')} au lieu de {count})"
        for table, count in expected.items()
        if counts.get(table) != count
    ] + [f"{table} (en trop)" for table in counts.keys() - expected.keys()]
    if wrong:
        raise BackupError(
            f"Restauration incomplète, les comptes diffèrent du manifeste : {', '.join(wrong[:10])}."
        )
    summary.tables, summary.rows = len(counts), sum(counts.values())
    summary.notes.extend(_migration_notes(manifest))
    # After the counts: the restored trail, then this event.
    audit_log(
        actor=None,
        action="operations.restore",
        details={"path": str(path), "created_at": manifest["created_at"], "keys": summary.keys},
    )
    return summary


def _migration_notes(manifest: dict) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    applied = set(manifest["migrations"])
    notes = []
    if unknown := sorted(applied - known):
        notes.append(
            f"La sauvegarde vient d'une version plus récente ({len(unknown)} migrations inconnues, dont "
            f"{unknown[0]}) : installez cette version avant de servir l'application."
        )
    if pending := sorted(known - applied):
        notes.append(f"{len(pending)} migrations à appliquer : lancez « plombiers migrate ».")
    return notes
