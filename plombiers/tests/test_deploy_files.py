"""The files of deploy/ (issue 18), checked by the tools that will read them: systemd's own
`systemd-analyze verify` for the units, `caddy validate` for the reverse proxy. `make test`
installs Debian's systemd and caddy packages when they are missing (`make deploy-tools`)."""

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTALLED_BIN = "/opt/plombiers/venv/bin/"  # where docs/deploy.md installs the virtualenv
UNITS = [
    "plombiers-web.service",
    "plombiers-worker.service",
    "plombiers-daily.service",
    "plombiers-daily.timer",
]


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} manque : make deploy-tools (paquets Debian systemd et caddy)"
    return path


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


def test_systemd_units_verify(tmp_path):
    """systemd checks each unit as it would load it, its commands included: the installed path of
    `plombiers` is replaced by this machine's, which must exist and be executable."""
    here = str(Path(sys.executable).parent / "plombiers")
    assert Path(here).exists(), here
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(INSTALLED_BIN + "plombiers", here), encoding="utf-8")
    done = subprocess.run(  # noqa: S603
        [tool("systemd-analyze"), "verify", "--man=no", *UNITS],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.strip() == "", done.stderr  # not even a warning


def test_systemd_verify_catches_a_mistake(tmp_path):
    """The check above can fail: a unit whose command does not exist is refused."""
    text = (DEPLOY / "systemd" / "plombiers-web.service").read_text(encoding="utf-8")
    (tmp_path / "plombiers-web.service").write_text(text, encoding="utf-8")  # /opt/… is not here
    done = subprocess.run(  # noqa: S603
        [tool("systemd-analyze"), "verify", "--man=no", "plombiers-web.service"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "/opt/plombiers/venv/bin/plombiers" in done.stderr


def test_what_the_units_run():
    web, worker, daily, timer = (unit(name) for name in UNITS)
    assert web["Service"]["ExecStart"] == INSTALLED_BIN + "plombiers serve --bind 127.0.0.1:8000"
    assert web["Service"]["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert worker["Service"]["ExecStart"] == INSTALLED_BIN + "plombiers db_worker"
    assert daily["Service"]["Type"] == "oneshot"
    assert daily["Service"]["ExecStart"] == INSTALLED_BIN + "plombiers daily"
    assert timer["Timer"]["Unit"] == "plombiers-daily.service"
    assert timer["Timer"]["Persistent"] == "true"
    for service in (web, worker, daily):
        assert service["Service"]["User"] == "plombiers"
        assert service["Service"]["EnvironmentFile"] == "/etc/plombiers/plombiers.env"
    # Secrets are files named by the environment file (…_FILE), never values in it or in a unit.
    environment = (DEPLOY / "plombiers.env").read_text(encoding="utf-8")
    for name in ("SECRET_KEY", "FERNET_KEYS", "DATABASE_URL", "EMAIL_HOST_PASSWORD"):
        assert f"\n{name}=" not in environment
        assert f"\n{name}_FILE=/etc/plombiers/secrets/" in environment
    for name in UNITS:
        lines = (DEPLOY / "systemd" / name).read_text(encoding="utf-8").splitlines()
        assert not [line for line in lines if line.startswith("Environment=")]


def test_plombiers_admin_is_a_valid_script():
    script = DEPLOY / "plombiers-admin"
    assert script.stat().st_mode & 0o111
    subprocess.run(["sh", "-n", str(script)], check=True, timeout=30)  # noqa: S603, S607


def test_caddyfile_validates(tmp_path):
    caddy = tool("caddy")
    environment = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run(  # noqa: S603
        [caddy, "validate", "--config", str(DEPLOY / "caddy" / "Caddyfile"), "--adapter", "caddyfile"],
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Valid configuration" in done.stdout + done.stderr
    formatted = subprocess.run(  # noqa: S603
        [caddy, "fmt", str(DEPLOY / "caddy" / "Caddyfile")],
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert formatted.stdout == (DEPLOY / "caddy" / "Caddyfile").read_text(encoding="utf-8")


def test_caddy_validate_catches_a_mistake(tmp_path):
    (tmp_path / "Caddyfile").write_text("plombiers.example.org {\n\treverse_proxi 127.0.0.1:8000\n}\n")
    done = subprocess.run(  # noqa: S603
        [tool("caddy"), "validate", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "reverse_proxi" in done.stderr
