"""`plombiers serve` on a fresh installation (issue 18): no demo, several workers, as in production.

Before: a fresh `migrate` + `createsuperuser` answered 500 at the first login (« no such table:
plombiers_cache », the table was made by the demo only), and the only server was `runserver`.
"""

import signal

from .conftest import ADMIN, LEARNER, Browser

PDF = "/impact/ecoles/ecole-neuve/rapport-2025.pdf"


def test_a_fresh_installation_is_healthy(server):
    response = server.get("/healthz?deep=1")
    assert response.status == 200, response.body
    assert response.headers["Content-Type"] == "application/json"


def test_first_login_through_the_form(server):
    """createsuperuser, then the login form: a redirection (home, or the second factor's setup
    for staff), the page it leads to, and the home page."""
    browser = Browser(server)
    response = browser.login(*ADMIN)
    assert response.status == 302, response.body[:2000]
    assert response.headers["Location"].startswith("/")
    assert "/login" not in response.headers["Location"]
    assert browser.get(response.headers["Location"]).status == 200
    home = browser.get("/")
    assert home.status == 200
    assert "Plombiers" in home.body.decode()


def test_a_wrong_password_is_refused_without_error(server):
    response = Browser(server).login(ADMIN[0], "pas le bon mot de passe")
    assert response.status == 200
    assert "mot de passe" in response.body.decode().lower()


def test_pdfs_through_several_workers_and_a_graceful_reload(server):
    """Every worker renders PDFs, again and again, and again after a reload (HUP): new workers
    forked by a master that never rendered anything. A stuck worker fails the request's bound."""
    browser = Browser(server)
    assert browser.login(*ADMIN).status == 302
    for _ in range(24):
        response = browser.get(PDF)
        assert response.status == 200, response.body[:2000]
        assert response.body.startswith(b"%PDF-")
    booted = server.log_text().count("Booting worker")
    server.process.send_signal(signal.SIGHUP)
    server.wait_for(
        lambda: server.log_text().count("Booting worker") >= booted + 3, "pas de nouveaux workers après HUP"
    )
    for _ in range(12):
        response = browser.get(PDF)
        assert response.status == 200, response.body[:2000]
        assert response.body.startswith(b"%PDF-")
    assert server.process.poll() is None  # the same master, still serving


def test_a_learner_logs_in_too(server):
    browser = Browser(server)
    assert browser.login(*LEARNER).status == 302
    assert browser.get("/").status == 200


def test_access_log_on_stdout_with_the_request_id(server):
    response = server.get("/healthz", headers={"X-Request-ID": "essai-42"})
    assert response.headers["X-Request-ID"] == "essai-42"
    generated = server.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    server.wait_for(lambda: f"rid={generated}" in server.log_text(), "pas de journal des requêtes")
    lines = server.log_text().splitlines()
    assert any('"GET /healthz HTTP/1.1" 200' in line and "rid=essai-42" in line for line in lines)
