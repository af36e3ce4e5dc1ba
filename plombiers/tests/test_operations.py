"""Operations (issue 18): a request id on every log line and in the response, one line per event,
server errors mailed to ADMINS, Sentry only when SENTRY_DSN is set."""

import logging
import subprocess
import sys

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core import mail
from django.http import HttpResponse
from django.urls import path

from plombiers.requestlog import OneLineFormatter, RequestIdFilter

from .conftest import base_environment

logger = logging.getLogger("plombiers.tests.operations")


@login_not_required
def noisy(request):
    logger.warning("une ligne du journal")
    return HttpResponse("ok")


@login_not_required
def broken(request):
    raise RuntimeError("panne de test")


urlpatterns = [path("bruit", noisy), path("panne", broken)]


@pytest.fixture
def records():
    """The records of the test's logger, as the console handler sees them (with its filter)."""
    caught = []

    class Keep(logging.Handler):
        def emit(self, record):
            caught.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    yield caught
    logger.removeHandler(handler)


@pytest.mark.urls(__name__)
def test_a_request_id_on_each_log_line_and_in_the_response(client, db, records):
    response = client.get("/bruit")
    generated = response["X-Request-ID"]
    assert len(generated) == 32
    assert [r.request_id for r in records] == [generated]
    response = client.get("/bruit", headers={"X-Request-ID": "caddy-7f3a"})
    assert response["X-Request-ID"] == "caddy-7f3a"
    assert records[-1].request_id == "caddy-7f3a"


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("incoming", ["deux mots", "x" * 200, "a\nfausse ligne", ""])
def test_an_unfit_incoming_id_is_replaced(client, db, records, incoming):
    """The id is written in our logs: no spaces, no line breaks, nothing long."""
    response = client.get("/bruit", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def test_outside_a_request_the_id_is_a_dash(records):
    logger.warning("depuis une commande")
    assert records[-1].request_id == "-"


def test_one_line_per_event():
    formatter = OneLineFormatter("%(levelname)s [%(request_id)s] %(message)s")
    try:
        raise ValueError("première\nseconde")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "échec", None, sys.exc_info())
    record.request_id = "abc"
    line = formatter.format(record)
    assert "\n" not in line
    assert line.startswith("ERROR [abc] échec ⏎ Traceback")
    assert "ValueError: première ⏎ seconde" in line


@pytest.mark.urls(__name__)
def test_a_server_error_is_mailed_to_the_admins(client, db, settings):
    settings.ADMINS = [("Équipe technique", "technique@example.org")]
    client.raise_request_exception = False
    response = client.get("/panne", headers={"X-Request-ID": "erreur-1"})
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["technique@example.org"]
    assert "panne de test" in mail.outbox[0].body


def _shell(code: str, tmp_path, **environment) -> str:
    done = subprocess.run(  # noqa: S603 — our interpreter, our command
        [sys.executable, "-m", "plombiers", "shell", "--no-imports", "-c", code],
        env={**base_environment(tmp_path), **environment},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_sentry_only_when_sentry_dsn_is_set(tmp_path):
    assert _shell("import sys; print('sentry_sdk' in sys.modules)", tmp_path) == "False"
    code = (
        "import sentry_sdk; o = sentry_sdk.get_client().options; "
        "print(o['dsn'], o['environment'], o['send_default_pii'], o['include_local_variables'], "
        "o['max_request_body_size'])"
    )
    # A DSN that leads nowhere: nothing is sent, the client is only configured.
    output = _shell(code, tmp_path, SENTRY_DSN="https://cle@127.0.0.1:9/1")
    assert output == "https://cle@127.0.0.1:9/1 development False False never"


def test_the_admins_from_the_environment(tmp_path):
    code = "from django.conf import settings; print(settings.ADMINS)"
    output = _shell(code, tmp_path, ADMINS="Équipe technique <tech@example.org>, astreinte@example.org")
    assert (
        output
        == "[('Équipe technique', 'tech@example.org'), ('astreinte@example.org', 'astreinte@example.org')]"
    )
