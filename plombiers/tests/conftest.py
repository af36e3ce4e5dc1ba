"""A fresh installation, served as in production: for the tests of `plombiers serve`, of the pages'
weight and of a first login without the demo (issue 18).

The installation is made by the commands an operator runs (docs/deploy.md), each in its own
process, on a database of its own — a SQLite file, or a new PostgreSQL database when the tests run
on PostgreSQL — never the tests' database: `migrate`, `collectstatic`, `createsuperuser`, then a
school and a young person's account; `plombiers serve` then runs on a free port with several
workers, its log in a file.
"""

import fcntl
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from plombiers.conftest import TEST_FERNET_KEY

ROOT = Path(__file__).resolve().parents[2]  # the folder that holds `plombiers/`
ADMIN = ("admin@plombiers.test", "un mot de passe de test")
LEARNER = ("jeune@plombiers.test", "un autre mot de passe")
START_SECONDS = 120  # bounds, not measures: a server not up by then is broken
REQUEST_SECONDS = 60

SETUP = """
from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.network.models import Commune, Network, School, Trade

network = Network.objects.create(name="Réseau neuf", slug="neuf")
school = School.objects.create(
    network=network, name="École neuve", slug="ecole-neuve",
    trade=Trade.objects.get(slug="fibre-optique"),
    commune=Commune.objects.filter(insee_code="77108").first(),
)
learner = User.objects.create_user(email={learner_email!r}, password={learner_password!r}, first_name="Inès")
Membership.objects.create(user=learner, role=Role.LEARNER, school=school)
"""


def plombiers(*arguments: str, env: dict, timeout: int = 600) -> str:
    """`plombiers …` in its own process; its output, or the test fails with it."""
    done = subprocess.run(  # noqa: S603 — our interpreter, our command
        [sys.executable, "-m", "plombiers", *arguments],
        env=env,
        cwd=env["PLOMBIERS_DATA_DIR"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"plombiers {' '.join(arguments)} : {done.stdout}\n{done.stderr}"
    return done.stdout


def base_environment(folder: Path) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PLOMBIERS_", "DATABASE_URL", "SECRET_KEY", "PYTEST_"))
    }
    return {
        **environment,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        "PLOMBIERS_DATA_DIR": str(folder),
        "FERNET_KEYS": TEST_FERNET_KEY,
        "CREDENTIAL_KEYS_DIR": str(folder / "credential_keys"),
    }


def _postgresql_database(name: str):
    """A new, empty PostgreSQL database on the tests' server; its URL, and how to drop it."""
    import psycopg

    database = settings.DATABASES["default"]
    params = {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": database["USER"],
        "password": database["PASSWORD"] or None,
    }

    def admin(statement: str) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
            connection.execute(statement)

    admin(f'DROP DATABASE IF EXISTS "{name}"')
    admin(f'CREATE DATABASE "{name}"')
    password = f":{urllib.parse.quote(params['password'], safe='')}" if params["password"] else ""
    url = f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{name}"
    return url, lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def installation(tmp_path_factory):
    """A fresh installation, as docs/deploy.md makes one: no demo.

    On SQLite, made once for the whole run: the xdist workers share it (each made its own, a minute
    or two), the first to ask makes it under a lock in the run's common folder, and each starts its
    own server on it (`server`). On PostgreSQL, one database per worker, dropped at its end."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        folder = tmp_path_factory.mktemp("installation")
        env = base_environment(folder)
        name = f"{settings.DATABASES['default']['NAME']}_fresh_{os.getpid()}"[:63]
        env["DATABASE_URL"], drop = _postgresql_database(name)
        try:
            _install(env)
            yield SimpleNamespace(folder=folder, env=env)
        finally:
            drop()
        return
    common = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the folder of the whole run, not this worker's
        common = common.parent
    folder = common / "installation"
    env = {**base_environment(folder), "DATABASE_URL": f"sqlite:///{folder / 'plombiers.sqlite3'}"}
    ready = folder / ".installed"
    with (common / "installation.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            # A worker that failed half-way left a folder: start again from nothing.
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            _install(env)
            ready.touch()
    yield SimpleNamespace(folder=folder, env=env)


def _install(env: dict) -> None:
    """The commands of docs/deploy.md, each in its own process, then a school and a learner."""
    plombiers("migrate", "--noinput", env=env)
    plombiers("collectstatic", "--noinput", "-v0", env=env)
    plombiers(
        "createsuperuser",
        "--noinput",
        env={**env, "DJANGO_SUPERUSER_EMAIL": ADMIN[0], "DJANGO_SUPERUSER_PASSWORD": ADMIN[1]},
    )
    plombiers("load_communes", "77108", env=env)
    plombiers("shell", "-c", SETUP.format(learner_email=LEARNER[0], learner_password=LEARNER[1]), env=env)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`plombiers serve` running in the background, with its log."""

    def __init__(self, installation, workers: int):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = installation.folder / f"serve-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "plombiers", "serve", "--bind", f"127.0.0.1:{self.port}"],
                env={**installation.env, "WEB_CONCURRENCY": str(workers)},
                cwd=installation.folder,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_for(lambda: self.get("/healthz").status == 200, "le serveur ne répond pas")

    def wait_for(self, condition, failure: str) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"{failure} : arrêté.\n{self.log_text()}"
            try:
                if condition():
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{failure} après {START_SECONDS} s.\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str, headers: dict | None = None):
        return Browser(self).get(path, headers)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=START_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A client with its cookies, speaking HTTP to the server like a browser (no redirect
    followed: the tests look at each answer)."""

    def __init__(self, server: Server):
        self.server = server
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        url = self.server.url + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Referer": url, **(headers or {})})  # noqa: S310
        try:
            response = self.opener.open(request, timeout=REQUEST_SECONDS)
        except urllib.error.HTTPError as error:
            response = error
        response.body = response.read()
        return response

    def get(self, path: str, headers: dict | None = None):
        return self.request(path, headers=headers)

    def login(self, email: str, password: str):
        """Through allauth's form, as a person does: the page, its CSRF token, the POST."""
        page = self.get("/comptes/login/")
        assert page.status == 200, page.body[:500]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1).decode()
        return self.request(
            "/comptes/login/", {"csrfmiddlewaretoken": token, "login": email, "password": password}
        )


@pytest.fixture(scope="session")
def server(installation):
    running = Server(installation, workers=3)
    yield running
    running.stop()
