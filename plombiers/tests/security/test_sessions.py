"""Issue 16, point 14: sessions on shared school computers end — 2 hours idle, 12 hours at most —
while learners on their own phones stay logged in longer.

The attack: the session cookie left in a school computer's browser, reused hours later."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .authn import logged_in, login_form

NOW = dt.datetime(2026, 11, 10, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def reused_cookie(client: Client) -> Client:
    """Another browser, with the session cookie copied from the first one."""
    other = Client()
    other.cookies = client.cookies
    return other


def test_a_staff_session_left_idle_for_2_hours_is_over(client, cast, frozen):
    login_form(client, cast.social_worker_a.email)
    frozen.shift(dt.timedelta(hours=1, minutes=59))
    assert client.get("/jeunes/").status_code == 200
    frozen.shift(dt.timedelta(hours=2, minutes=1))
    attacker = reused_cookie(client)
    response = attacker.get("/jeunes/")
    assert response.status_code == 302 and response["Location"] == "/comptes/login/?next=/jeunes/"
    assert not logged_in(attacker)
    page = attacker.get(response["Location"]).content.decode()
    assert "Votre session a expiré après une période d&#x27;inactivité" in page


def test_the_api_refuses_an_idle_staff_session(client, cast, frozen):
    login_form(client, cast.trainer_a.email)
    assert client.get("/api/v1/schools").status_code == 200
    frozen.shift(dt.timedelta(hours=2, minutes=1))
    assert reused_cookie(client).get("/api/v1/schools").status_code == 401


def test_a_busy_staff_session_still_ends_after_12_hours(client, cast, frozen):
    login_form(client, cast.manager_a.email)
    for _ in range(11):
        frozen.shift(dt.timedelta(hours=1))
        assert client.get("/").status_code == 200
    frozen.shift(dt.timedelta(minutes=61))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/comptes/login/")
    assert "durée maximale" in client.get(response["Location"]).content.decode()


def test_a_learner_stays_logged_in_for_days(client, cast, frozen):
    login_form(client, cast.learner_a.email)
    frozen.shift(dt.timedelta(days=3))
    assert client.get("/").status_code == 200 and logged_in(client)
    frozen.shift(dt.timedelta(days=31))
    response = client.get("/")
    assert response.status_code == 302 and not logged_in(client)


def test_a_session_opened_before_these_rules_is_over(client, cast):
    """Sessions from before the deployment carry no stamps: they end at their next request."""
    login_form(client, cast.trainer_a.email)
    session = client.session
    del session["plombiers_session"]
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and not logged_in(client)


def test_a_page_does_not_write_the_session_each_time(client, cast, frozen, django_assert_num_queries):
    login_form(client, cast.trainer_a.email)
    client.get("/api/v1/schools")
    # the session, the user, the schools and their count: no UPDATE of the session
    with django_assert_num_queries(4) as captured:
        client.get("/api/v1/schools")
    assert not any("django_session" in q["sql"] and "UPDATE" in q["sql"] for q in captured.captured_queries)
    frozen.shift(dt.timedelta(minutes=5))
    # Once the last stamp is a minute old, the session is saved with the new one.
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/schools")
    assert any("UPDATE" in q["sql"] and "django_session" in q["sql"] for q in captured.captured_queries)
