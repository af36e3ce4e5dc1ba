"""Issue 16, points 3, 4, 5 and 15: every way in is throttled and two-factor alike.

Each test performs the attack of the audit through HTTP, as the role that tried it."""

import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.db import connections
from django.test import Client

from plombiers import settings as project_settings
from plombiers.accounts.enums import Role
from plombiers.accounts.models import ApiToken, LoginAttempt, User
from plombiers.accounts.services import api_token_create
from plombiers.accounts.tests.factories import MembershipFactory, UserFactory

from .authn import (
    LOGIN_URL,
    PASSWORD,
    logged_in,
    login_form,
    recovery_codes,
    token_request,
    totp_code,
    totp_on,
)

NOW = dt.datetime(2026, 11, 10, 8, 30, tzinfo=dt.UTC)
SETUP_URL = "/comptes/double-authentification/"
ACTIVATE_URL = "/comptes/2fa/totp/activate/"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- point 3: the API token endpoint is throttled like the form ------------------------------


def test_30_wrong_passwords_on_the_token_endpoint_then_the_right_one_is_refused(client, cast):
    """The audit: 401 ×30, then a token for the right password during the form's lockout."""
    email = cast.trainer_a.email
    statuses = [token_request(client, email, "mauvais-mot-de-passe").status_code for _ in range(30)]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    response = token_request(client, email)
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Trop de tentatives de connexion")
    assert int(response["Retry-After"]) > 0
    assert not ApiToken.objects.exists()
    # Only the counted failures were written: the refused attempts cost nothing.
    assert LoginAttempt.objects.filter(outcome="failure").count() == 5


def test_failures_on_the_form_and_the_api_lock_the_admin_too(client, cast):
    """One throttle for the three ways in: 3 failures on the form and 2 on the API, then the right
    password through the admin — whose own form used to accept it, throttle or not."""
    admin = UserFactory(email="admin@test.example", is_staff=True, is_superuser=True)
    for _ in range(3):
        assert login_form(client, admin.email, "mauvais").status_code == 200
    for _ in range(2):
        assert token_request(client, admin.email, "mauvais").status_code == 401

    response = client.post("/admin/login/?next=/admin/", {"username": admin.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(f"{LOGIN_URL}?next=")
    assert not logged_in(client)
    # The admin's login is the form: refused, in French, with 429.
    response = client.post(response["Location"], {"login": admin.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert not logged_in(client)
    assert token_request(client, admin.email).status_code == 429


def test_the_login_form_answers_429_in_french(client, cast):
    for _ in range(5):
        login_form(client, cast.manager_a.email, "mauvais")
    response = login_form(client, cast.manager_a.email)
    assert response.status_code == 429
    content = response.content.decode()
    assert "Trop de tentatives de connexion" in content and 'role="alert"' in content
    assert not logged_in(client)


def test_a_burst_of_correct_logins_behind_one_address_is_never_refused(client, cast):
    """Point 15: a school's people log in at 8:30 behind one NAT while someone on the same network
    keeps failing on other accounts (before: after 10 failures a minute from the address, every
    login from it was refused)."""
    school_address = "192.0.2.50"
    people = [
        cast.manager_a,
        cast.trainer_a,
        cast.social_worker_a,
        cast.staff,
        cast.prescriber,
        cast.learner_a,
    ]
    for n in range(6):
        trainer = UserFactory(email=f"formateur{n}@test.example")
        MembershipFactory(user=trainer, role=Role.TRAINER, school=cast.school_a)
        people.append(trainer)
    attacker = Client(REMOTE_ADDR=school_address)
    targets = [cast.trainer_b.email, cast.manager_b.email, "personne@test.example"]
    for person in people:
        for target in targets:
            login_form(attacker, target, "devine")
        browser = Client(REMOTE_ADDR=school_address)
        response = login_form(browser, person.email)
        assert response.status_code == 302, person.email
        assert logged_in(browser), person.email
    # The targets' pairs are locked, and only them.
    assert login_form(attacker, cast.trainer_b.email).status_code == 429
    assert LoginAttempt.objects.filter(outcome="success").count() == len(people)


@pytest.mark.django_db(transaction=True)
def test_50_logins_at_once_behind_one_address_all_succeed(cast):
    """Point 15 under contention: 50 people of a school behind one address log in at the same
    moment (threads, each with its own database connection) while 10 attempts fail on other
    accounts. Before: a limit of 30 logins a minute per address, and a cache lock that, when it
    could not be taken in time, counted as a refusal."""
    address = "192.0.2.80"
    people = []
    for n in range(50):
        person = UserFactory(email=f"equipe{n}@test.example")
        MembershipFactory(user=person, role=Role.TRAINER, school=cast.school_a)
        people.append(person.email)
    attempts = [(email, PASSWORD) for email in people] + [(cast.trainer_b.email, "devine")] * 10

    def attempt(credentials):
        try:
            browser = Client(REMOTE_ADDR=address)
            response = login_form(browser, *credentials)
            return credentials[0], response.status_code, logged_in(browser)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(attempt, attempts))
    refused = [email for email, status, ok in results if email in people and (status != 302 or not ok)]
    assert refused == []
    assert LoginAttempt.objects.filter(outcome="success").count() == 50


def test_an_attacker_cannot_lock_a_person_out_from_elsewhere(client, cast):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(30):
        login_form(attacker, cast.trainer_a.email, "devine")
    assert login_form(attacker, cast.trainer_a.email).status_code == 429
    at_school = Client(REMOTE_ADDR="192.0.2.50")
    assert login_form(at_school, cast.trainer_a.email).status_code == 302
    assert logged_in(at_school)


def test_guesses_spread_over_many_addresses_are_stopped_except_where_the_person_logs_in(client, cast):
    """Rule 3 of the throttle: an account with 20 failures from anywhere only opens from the
    addresses it logged in from."""
    usual = Client(REMOTE_ADDR="192.0.2.50")
    assert login_form(usual, cast.trainer_a.email).status_code == 302
    for n in range(20):
        login_form(Client(REMOTE_ADDR=f"198.51.100.{n}"), cast.trainer_a.email, "devine")
    assert login_form(Client(REMOTE_ADDR="198.51.100.200"), cast.trainer_a.email).status_code == 429
    back_at_school = Client(REMOTE_ADDR="192.0.2.50")
    assert login_form(back_at_school, cast.trainer_a.email).status_code == 302


def test_a_password_reset_lifts_the_lock(client, cast, mailoutbox):
    for _ in range(5):
        login_form(client, cast.trainer_a.email, "mauvais")
    assert login_form(client, cast.trainer_a.email).status_code == 429
    client.post("/comptes/password/reset/", {"email": cast.trainer_a.email})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password/reset/key/" in line).strip()
    form_url = client.get(link)["Location"]
    new = "un-nouveau-mot-de-passe-solide"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    response = login_form(client, cast.trainer_a.email, new)
    assert response.status_code == 302 and logged_in(client)


# --- point 4: the admin has no password form of its own --------------------------------------


def test_the_admin_login_is_the_allauth_login(client, cast):
    """The audit: 30 wrong passwords on /admin/login/ → 200 ×30 (a form without throttle nor MFA)."""
    admin = UserFactory(email="admin@test.example", is_staff=True, is_superuser=True)
    for _ in range(30):
        response = client.post("/admin/login/?next=/admin/", {"username": admin.email, "password": "mauvais"})
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN_URL}?next=/admin/")
    assert not LoginAttempt.objects.exists(), "no password was even looked at"
    assert 'name="password"' not in client.get("/admin/login/", follow=False).content.decode()


def test_the_admin_asks_for_the_second_factor(client, cast, frozen):
    admin = UserFactory(email="admin@test.example", is_staff=True, is_superuser=True)
    secret = totp_on(admin)
    response = client.get("/admin/", follow=True)
    login_url = response.redirect_chain[-1][0]
    assert login_url.startswith(f"{LOGIN_URL}?next=")
    response = client.post(login_url, {"login": admin.email, "password": PASSWORD})
    assert response["Location"].startswith("/comptes/2fa/authenticate/")
    assert not logged_in(client)
    response = client.post("/comptes/2fa/authenticate/", {"code": totp_code(secret)}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200 and "Plombiers — administration" in response.content.decode()


def test_someone_logged_in_without_admin_rights_is_refused_by_the_admin(client, cast):
    login_form(client, cast.learner_a.email)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


# --- point 3: a token needs the second factor when the account has one ------------------------


def test_with_totp_on_a_token_needs_the_code(client, cast, frozen):
    """The audit: with TOTP on, the form asks for the second factor; the API handed a token for the
    password alone."""
    secret = totp_on(cast.social_worker_a)
    response = token_request(client, cast.social_worker_a.email)
    assert response.status_code == 401
    assert response.json()["mfa_required"] is True
    assert "double authentification" in response.json()["detail"]
    response = token_request(client, cast.social_worker_a.email, code="000000")
    assert response.status_code == 401 and response.json()["mfa_required"] is True
    assert not ApiToken.objects.exists()

    response = token_request(client, cast.social_worker_a.email, code=totp_code(secret))
    assert response.status_code == 200
    assert response.json()["token"].startswith("plb_")
    # The same code cannot be replayed.
    assert token_request(client, cast.social_worker_a.email, code=totp_code(secret)).status_code == 401


def test_the_code_of_the_previous_step_is_accepted_not_an_older_one(client, cast, frozen):
    """Read on the phone at 0:29, sent at 0:31: accepted (RFC 6238, §5.2); a minute old: refused."""
    secret = totp_on(cast.trainer_a)
    login_form(client, cast.trainer_a.email)
    response = client.post("/comptes/2fa/authenticate/", {"code": totp_code(secret, steps_ago=2)})
    assert response.status_code == 200 and not logged_in(client)
    response = client.post("/comptes/2fa/authenticate/", {"code": totp_code(secret, steps_ago=1)})
    assert response.status_code == 302 and logged_in(client)


def test_a_recovery_code_works_once_for_a_token(client, cast, frozen):
    totp_on(cast.staff)
    code = recovery_codes(cast.staff)[0]
    assert token_request(client, cast.staff.email, code=code).status_code == 200
    assert token_request(client, cast.staff.email, code=code).status_code == 401


def test_wrong_codes_count_in_the_same_throttle(client, cast, frozen):
    """Knowing the password, guessing the 6 digits: the form's second step and the API share the
    count, and the lock holds for the right code too."""
    secret = totp_on(cast.manager_a)
    for _ in range(3):
        assert token_request(client, cast.manager_a.email, code="123456").status_code == 401
    response = login_form(client, cast.manager_a.email)
    assert response["Location"].startswith("/comptes/2fa/authenticate/")
    for _ in range(2):
        assert client.post("/comptes/2fa/authenticate/", {"code": "654321"}).status_code == 200
    response = client.post("/comptes/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert not logged_in(client)
    assert token_request(client, cast.manager_a.email, code=totp_code(secret)).status_code == 429


def test_the_code_asked_before_a_sensitive_change_is_throttled_too(client, cast, frozen):
    """allauth's own limit on codes is off (it lived in the cache): the confirmation by code before
    a new token or turning MFA off counts in the login throttle."""
    secret = totp_on(cast.trainer_a)
    login_form(client, cast.trainer_a.email)
    client.post("/comptes/2fa/authenticate/", {"code": totp_code(secret)})
    assert logged_in(client)
    frozen.shift(dt.timedelta(minutes=1))
    for _ in range(5):
        response = client.post("/comptes/2fa/reauthenticate/", {"code": "000000"})
        assert "Trop de tentatives" not in response.content.decode()
    response = client.post("/comptes/2fa/reauthenticate/", {"code": totp_code(secret)})
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert LoginAttempt.objects.filter(outcome="failure", channel="mfa").count() == 5


# --- point 5: two-factor authentication required ---------------------------------------------


def test_staff_without_mfa_are_sent_to_set_it_up_with_plus_tard(client, cast, frozen):
    response = login_form(client, cast.trainer_a.email)
    assert response["Location"] == SETUP_URL
    page = client.get(SETUP_URL).content.decode()
    assert "Plus tard" in page and 'href="/"' in page
    assert "dans <strong>14 jours</strong>" in page
    home = client.get("/")
    assert home.status_code == 200
    assert "La double authentification sera obligatoire pour votre compte dans" in home.content.decode()
    assert User.objects.get(pk=cast.trainer_a.pk).mfa_grace_started_at == NOW


def test_plus_tard_goes_where_the_person_was_going(client, cast, frozen):
    response = client.post(
        f"{LOGIN_URL}?next=/jeunes/", {"login": cast.prescriber.email, "password": PASSWORD}
    )
    assert response["Location"] == SETUP_URL
    assert 'href="/jeunes/"' in client.get(SETUP_URL).content.decode()


@pytest.mark.parametrize("role", ["learner_a", "funder"])
def test_learners_and_funders_are_not_asked(client, cast, frozen, role):
    response = login_form(client, getattr(cast, role).email)
    assert response["Location"] == "/"
    assert "double authentification sera obligatoire" not in client.get("/").content.decode()


def test_after_the_grace_period_staff_without_mfa_reach_only_the_setup_page(client, cast, frozen):
    """The audit: MFA was never required. After 14 days, pages send to the setup page, the API
    refuses the session, new tokens and the tokens issued during the grace period."""
    login_form(client, cast.social_worker_a.email)
    _token, raw = api_token_create(user=cast.social_worker_a)
    frozen.shift(dt.timedelta(days=15))

    browser = Client()
    response = login_form(browser, cast.social_worker_a.email)
    assert response["Location"] == SETUP_URL
    for url in ["/", "/jeunes/", "/comptes/jetons/"]:
        response = browser.get(url)
        assert response.status_code == 302 and response["Location"] == SETUP_URL, url
    page = browser.get(SETUP_URL)
    assert page.status_code == 200
    assert "obligatoire pour votre compte depuis le 24/11/2026" in page.content.decode()
    assert "Plus tard" not in page.content.decode()

    response = browser.get("/api/v1/schools")
    assert response.status_code == 403 and response.json()["mfa_required"] is True
    response = token_request(Client(), cast.social_worker_a.email)
    assert response.status_code == 403
    assert "double authentification est obligatoire" in response.json()["detail"]
    response = Client().get("/api/v1/schools", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403
    assert "double authentification est obligatoire" in response.json()["detail"]
    # Logging out still works.
    assert browser.post("/comptes/logout/").status_code == 302


def test_setting_it_up_on_the_page_opens_everything_again(client, cast, frozen):
    login_form(client, cast.trainer_a.email)
    frozen.shift(dt.timedelta(days=15))
    login_form(client, cast.trainer_a.email)
    assert client.get("/")["Location"] == SETUP_URL
    page = client.get(SETUP_URL).content.decode()
    assert f'href="{ACTIVATE_URL}"' in page and "Plus tard" not in page
    # allauth's pages: confirm the password, then the QR code and the code.
    response = client.get(ACTIVATE_URL)
    assert response["Location"].startswith("/comptes/reauthenticate/")
    client.post(response["Location"], {"password": PASSWORD})
    client.get(ACTIVATE_URL)
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(ACTIVATE_URL, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=cast.trainer_a, type="totp").exists()
    assert client.get("/").status_code == 200


def test_required_mfa_cannot_be_turned_off(client, cast, frozen):
    secret = totp_on(cast.trainer_a)
    login_form(client, cast.trainer_a.email)
    client.post("/comptes/2fa/authenticate/", {"code": totp_code(secret)})
    assert logged_in(client)
    response = client.post("/comptes/2fa/totp/deactivate/")
    assert response["Location"].startswith("/comptes/reauthenticate/")
    client.post(response["Location"], {"password": PASSWORD})
    response = client.post("/comptes/2fa/totp/deactivate/")
    assert response.status_code == 200
    assert "obligatoire pour votre rôle" in response.content.decode()
    assert Authenticator.objects.filter(user=cast.trainer_a, type="totp").exists()


def test_a_fresh_demo_account_still_gets_a_token_with_its_password(client, cast, frozen):
    """DESIGN.md's stable interface: `POST /api/v1/auth/token` with an e-mail and a password, for an
    account without MFA within its grace period."""
    response = token_request(client, cast.staff.email)
    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("plb_") and body["scope"] == "read_write"
    assert body["expires_at"].startswith("2027-02-08")


# --- point 15: Argon2, and the stored PBKDF2 hashes upgraded at login ------------------------


def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_login_and_tokens_survive(client, cast, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = cast.trainer_a
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    _token, raw = api_token_create(user=user)
    response = login_form(client, user.email)
    assert response.status_code == 302 and logged_in(client)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    # Same password, stronger hash: the token holds.
    assert Client().get("/api/v1/schools", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_second_factor_secrets_are_encrypted_at_rest_and_rotate(client, cast, frozen, monkeypatch):
    """allauth keeps the TOTP secret and the recovery-code seed in the database: whoever read it
    could make valid codes. They are stored as Fernet tokens, and `rotate_keys` re-encrypts them."""
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from plombiers.conftest import TEST_FERNET_KEY

    secret = totp_on(cast.social_worker_a)
    stored = {a.type: a.data for a in Authenticator.objects.filter(user=cast.social_worker_a)}
    assert secret not in str(stored)
    assert stored["totp"]["secret"].startswith("gAAAAA") and stored["recovery_codes"]["seed"].startswith(
        "gAAAAA"
    )

    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("FERNET_KEYS", f"{new_key},{TEST_FERNET_KEY}")
    call_command("rotate_keys", stdout=io.StringIO())
    monkeypatch.setenv("FERNET_KEYS", new_key)  # the old key removed: everything still reads
    assert token_request(client, cast.social_worker_a.email, code=totp_code(secret)).status_code == 200
    assert (
        token_request(
            client, cast.social_worker_a.email, code=recovery_codes(cast.social_worker_a)[0]
        ).status_code
        == 200
    )
