"""Production mode (PLOMBIERS_ENV=production, issue 18): the settings refuse to start without what
a real installation needs, each missing piece named by its variable, in French; `check --deploy`
is clean with the environment of docs/deploy.md; booleans are strict; the demo refuses production
and any database it did not fill itself.

Each start is a new process (`python -m plombiers …`), as systemd would start it.
"""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from plombiers.accounts.tests.factories import UserFactory
from plombiers.conftest import TEST_FERNET_KEY
from plombiers.network.models import Commune, Network
from plombiers.settings import env_bool

from .conftest import base_environment

ROOT = Path(__file__).resolve().parents[2]


def documented_environment(secrets_dir: Path, data_dir: Path) -> dict:
    """deploy/plombiers.env, read as plombiers-admin reads it (`sh`: set -a; . file), its folders
    moved into the test's."""
    done = subprocess.run(  # noqa: S603
        ["sh", "-c", 'set -a; . "$0"; env -0', str(ROOT / "deploy" / "plombiers.env")],  # noqa: S607
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    variables = dict(item.split("=", 1) for item in done.stdout.split("\0") if "=" in item)
    documented = {k: v for k, v in variables.items() if k not in {"PATH", "PWD", "SHLVL", "_", "OLDPWD"}}
    return {
        key: value.replace("/etc/plombiers/secrets", str(secrets_dir)).replace(
            "/var/lib/plombiers", str(data_dir)
        )
        for key, value in documented.items()
    }


@pytest.fixture
def production(tmp_path) -> dict:
    """The production environment of deploy/plombiers.env (docs/deploy.md), its secrets in files."""
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    (secrets_dir / "secret_key").write_text(secrets.token_urlsafe(50) + "\n")
    (secrets_dir / "fernet_keys").write_text(TEST_FERNET_KEY + "\n")
    (secrets_dir / "database_url").write_text(f"sqlite:///{tmp_path / 'plombiers.sqlite3'}\n")
    (secrets_dir / "email_password").write_text("mot de passe SMTP\n")
    (tmp_path / "cles-attestations").mkdir(mode=0o700)
    environment = base_environment(tmp_path)
    del environment["FERNET_KEYS"], environment["CREDENTIAL_KEYS_DIR"]
    documented = documented_environment(secrets_dir, tmp_path)
    assert documented["PLOMBIERS_ENV"] == "production"
    return {**environment, **documented}


def start(env: dict, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our interpreter, our command
        [sys.executable, "-m", "plombiers", *arguments],
        env=env,
        cwd=env["PLOMBIERS_DATA_DIR"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def assert_refused(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr  # a sentence for the operator, not a stack
    for word in words:
        assert word in done.stderr, done.stderr


def test_check_deploy_is_clean_in_production(production):
    done = start(production, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_production_settings(production):
    code = (
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, s.WHITENOISE_USE_FINDERS, "
        "s.ADMINS, s.CSRF_TRUSTED_ORIGINS)"
    )
    done = start(production, "shell", "--no-imports", "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "True 31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https') False "
        "[('Équipe technique', 'technique@plombiers.example.org')] ['https://plombiers.example.org']"
    )
    # Nothing made in the data folder: the keys come from the secrets' files.
    folder = Path(production["PLOMBIERS_DATA_DIR"])
    assert not (folder / ".secret_key").exists()
    assert not (folder / ".fernet_keys").exists()


def test_no_proxy_header_without_a_proxy(production):
    done = start({**production, "BEHIND_PROXY": "false"}, "shell", "--no-imports", "-c", SHOW_PROXY_HEADER)
    assert done.stdout.strip() == "None", done.stderr


SHOW_PROXY_HEADER = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"


@pytest.mark.parametrize(
    ("variable", "words"),
    [
        ("SECRET_KEY_FILE", ["SECRET_KEY (ou SECRET_KEY_FILE) manque"]),
        ("FERNET_KEYS_FILE", ["FERNET_KEYS (ou FERNET_KEYS_FILE) manque"]),
        ("CREDENTIAL_KEYS_DIR", ["CREDENTIAL_KEYS_DIR manque"]),
        ("ALLOWED_HOSTS", ["ALLOWED_HOSTS manque"]),
        ("SITE_URL", ["SITE_URL=''", "https://"]),
    ],
)
def test_production_refuses_to_start_without(production, variable, words):
    environment = {key: value for key, value in production.items() if key != variable}
    assert_refused(start(environment, "check"), "PLOMBIERS_ENV=production", *words)


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("SITE_URL", "http://plombiers.example.org", ["SITE_URL='http://plombiers.example.org'", "https://"]),
        ("CREDENTIAL_KEYS_DIR", "/nulle/part", ["CREDENTIAL_KEYS_DIR=/nulle/part n'existe pas"]),
        ("SECRET_KEY", "courte", ["SECRET_KEY est trop faible"]),
        ("ALLOWED_HOSTS", "*", ["ALLOWED_HOSTS ne peut pas contenir « * »"]),
        ("DEBUG", "true", ["DEBUG doit être désactivé"]),
        ("SECRET_KEY_FILE", "/nulle/part/secret_key", ["SECRET_KEY_FILE=/nulle/part/secret_key"]),
    ],
)
def test_production_refuses_a_wrong(production, variable, value, words):
    assert_refused(start({**production, variable: value}, "check"), *words)


def test_production_says_every_missing_variable_at_once(production):
    environment = {
        key: value
        for key, value in production.items()
        if key not in {"SECRET_KEY_FILE", "FERNET_KEYS_FILE", "ALLOWED_HOSTS"}
    }
    assert_refused(
        start(environment, "check"), "SECRET_KEY", "FERNET_KEYS", "ALLOWED_HOSTS", "docs/deploy.md"
    )


def test_secrets_from_the_environment_too(production):
    environment = {key: value for key, value in production.items() if not key.endswith("_FILE")}
    environment.update(SECRET_KEY=secrets.token_urlsafe(50), FERNET_KEYS=TEST_FERNET_KEY)
    assert start(environment, "check").returncode == 0


def test_the_development_mode_still_starts_with_nothing(tmp_path):
    done = start(base_environment(tmp_path), "check")
    assert done.returncode == 0, done.stderr


def test_an_unknown_environment_is_refused(tmp_path):
    assert_refused(
        start({**base_environment(tmp_path), "PLOMBIERS_ENV": "prod"}, "check"), "PLOMBIERS_ENV='prod'"
    )


# --- booleans ---------------------------------------------------------------------------------


def test_a_mistyped_boolean_stops_the_start(tmp_path):
    """`ture` used to be read as false: DEBUG, cookies, a proxy or an alert rule silently off."""
    for variable in ("DEBUG", "SECURE_COOKIES", "BEHIND_PROXY", "ALERT_ABSENCES", "EMAIL_USE_TLS"):
        done = start({**base_environment(tmp_path), variable: "ture"}, "check")
        assert_refused(done, f"{variable}='ture' n'est pas un booléen")


BOOLEANS = [("true", True), ("1", True), ("yes", True), ("On", True), ("oui", True), ("false", False)]
BOOLEANS += [("0", False), ("no", False), ("off", False), ("", False), (" FALSE ", False)]


@pytest.mark.parametrize(("value", "expected"), BOOLEANS)
def test_env_bool(monkeypatch, value, expected):
    monkeypatch.setenv("PLOMBIERS_TEST_BOOL", value)
    assert env_bool("PLOMBIERS_TEST_BOOL", default=not expected) is expected


@pytest.mark.parametrize("value", ["ture", "2", "vrai!", "enabled"])
def test_env_bool_refuses(monkeypatch, value):
    monkeypatch.setenv("PLOMBIERS_TEST_BOOL", value)
    with pytest.raises(ImproperlyConfigured, match="PLOMBIERS_TEST_BOOL"):
        env_bool("PLOMBIERS_TEST_BOOL")


def test_env_bool_default(monkeypatch):
    monkeypatch.delenv("PLOMBIERS_TEST_BOOL", raising=False)
    assert env_bool("PLOMBIERS_TEST_BOOL", True) is True
    assert env_bool("PLOMBIERS_TEST_BOOL") is False


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_refuses_production(production):
    """Before anything else: even on a database not migrated, production is the reason given."""
    done = start(production, "demo")
    assert done.returncode == 1
    assert "La démonstration refuse le mode production (PLOMBIERS_ENV=production)" in done.stderr
    assert "Réseau" not in done.stdout


def test_the_demo_on_a_database_not_migrated_says_what_to_run(tmp_path):
    env = {**base_environment(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'vide.sqlite3'}"}
    done = start(env, "demo")
    assert done.returncode == 1
    assert "lancez d'abord « plombiers migrate »" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_demo_refuses_a_database_with_a_real_network(cast):
    networks = sorted(Network.objects.values_list("name", flat=True))
    with pytest.raises(CommandError, match="réseau « Réseau de test »"):
        call_command("demo")
    assert sorted(Network.objects.values_list("name", flat=True)) == networks
    assert Commune.objects.count() < 100  # refused before loading anything


def test_the_demo_refuses_an_operators_account(db):
    UserFactory(email="admin@ecole-reelle.fr")
    with pytest.raises(CommandError, match=re.escape("compte admin@ecole-reelle.fr")):
        call_command("demo")
    assert not Network.objects.exists()


def test_the_docs_use_the_tested_environment_file():
    """docs/deploy.md installs deploy/plombiers.env, the environment these tests start with."""
    docs = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert "deploy/plombiers.env" in docs
    for variable in ("SECRET_KEY_FILE", "FERNET_KEYS_FILE", "DATABASE_URL_FILE", "CREDENTIAL_KEYS_DIR"):
        assert variable in docs, variable


@pytest.mark.parametrize("documented", [True, False])
def test_behind_the_proxy_the_throttle_counts_visitors_not_the_proxy(production, documented):
    """Behind Caddy every request comes from 127.0.0.1: with no trusted proxy, five wrong passwords
    from anywhere would lock an account for everyone. The documented environment trusts one proxy,
    and BEHIND_PROXY alone implies it."""
    if not documented:
        del production["TRUSTED_PROXY_COUNT"]
    code = (
        "from django.conf import settings; from django.test import RequestFactory; "
        "from plombiers.accounts.throttle import client_address; "
        "request = RequestFactory().get('/', REMOTE_ADDR='127.0.0.1', HTTP_X_FORWARDED_FOR='203.0.113.7'); "
        "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT, client_address(request))"
    )
    done = start(production, "shell", "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].split() == ["1", "203.0.113.7"]
