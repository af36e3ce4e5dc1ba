"""Secrets, and the files the application keeps beside its data, readable by their owner only.

A secret (the Django key, the encryption keys, a password in a database URL) comes from the
environment: `NAME` itself, or `NAME_FILE`, the path of a file that holds it — a secret mounted by
the orchestrator (Docker, Kubernetes, systemd credentials), outside the data folder. Only when
neither is set does the demo make its own key files in the data folder.

Whatever the application creates there — key files, the SQLite database, the signing keys'
folders — is made 0600 (files) or 0700 (folders) from the start, never world-readable even for an
instant, and an older file of ours found with wider modes is narrowed.
"""

import contextlib
import functools
import os
from collections.abc import Callable
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


class SecretFileError(RuntimeError):
    pass


def secret(name: str) -> str | None:
    """`NAME` from the environment, else the content of the file named by `NAME_FILE` (without its
    surrounding blanks), else None. Looked at each call (`_read`): a rotated secret is seen without
    a restart where the caller allows it."""
    if value := os.environ.get(name):
        return value
    if path := os.environ.get(f"{name}_FILE"):
        try:
            value = _read(Path(path)).strip()
        except OSError as error:
            raise SecretFileError(f"{name}_FILE={path}: {error.strerror or error}") from error
        if not value:
            raise SecretFileError(f"{name}_FILE={path}: the file is empty.")
        return value
    return None


def _read(path: Path, *, private: bool = False) -> str:
    """The text of the file at `path`, read again only when the file changed (its device, inode,
    size or modification time): a secret rotated in place is still seen at the next call, without
    reading the file at every call — the encryption keys are looked up for every text decrypted (a
    list of 100 referrals read the key file 100 times: 0.1 ms each, 10 of the API list's 23 ms). A
    private file (`private_file`) of ours with wider modes is narrowed when it is read."""
    status = path.stat()
    signature = (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)
    return _text(str(path), signature, private)


@functools.lru_cache(maxsize=32)
def _text(path: str, signature: tuple[int, ...], private: bool) -> str:
    if private:
        narrow(Path(path), FILE_MODE)
    return Path(path).read_text(encoding="utf-8")


def _owned(path: Path) -> bool:
    return not hasattr(os, "getuid") or path.stat().st_uid == os.getuid()


def narrow(path: Path, mode: int) -> None:
    """Take away from a file or folder of ours every permission beyond `mode`."""
    if path.exists() and _owned(path):
        current = path.stat().st_mode & 0o777
        if current & ~mode:
            path.chmod(current & mode)


def private_dir(path: Path) -> Path:
    """A folder only its owner can enter (0700), made with its missing parents (0700 too)."""
    path = Path(path)
    missing, parent = [], path
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made by another process meanwhile
            folder.mkdir(mode=DIR_MODE)
    narrow(path, DIR_MODE)
    return path


def private_file(path: Path, make: Callable[[], str]) -> str:
    """The text of a file only its owner can read (0600), written with `make()` when it does not
    exist yet. Created with its mode (no chmod afterwards, so no moment at 0644)."""
    path = Path(path)
    with contextlib.suppress(FileNotFoundError):
        return _read(path, private=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        pass  # made by another process meanwhile
    else:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(make())
    return _read(path, private=True)


def private_empty_file(path: Path) -> None:
    """Make sure a file exists with mode 0600 (e.g. a SQLite database before SQLite creates it
    with the umask's mode), narrowing an older one."""
    path = Path(path)
    if not path.parent.is_dir():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        narrow(path, FILE_MODE)
