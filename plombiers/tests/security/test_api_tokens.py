"""Issue 16, point 6: API tokens expire, carry a scope, and die with the password or the membership.

Each test performs the attack through HTTP with a token obtained as the role would."""

import datetime as dt
import re

import pytest
import time_machine
from django.apps import apps
from django.test import Client
from django.urls import reverse

from plombiers.accounts.enums import Role
from plombiers.accounts.models import ApiToken, Membership
from plombiers.accounts.services import api_token_create
from plombiers.accounts.tests.factories import MembershipFactory, UserFactory
from plombiers.cohorts.models import Cohort
from plombiers.privacy.models import AuditEvent

from .authn import PASSWORD, login_form, token_request, totp_code, totp_on

NOW = dt.datetime(2026, 11, 10, 8, 30, tzinfo=dt.UTC)
SCHOOLS = "/api/v1/schools"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def issued(client, user, **fields) -> str:
    response = token_request(client, user.email, **fields)
    assert response.status_code == 200, response.json()
    return response.json()["token"]


def test_a_token_expires_after_90_days(client, cast, frozen):
    """The audit: tokens never expired."""
    secret = totp_on(cast.trainer_a)
    raw = issued(client, cast.trainer_a, code=totp_code(secret))
    frozen.shift(dt.timedelta(days=89))
    assert Client().get(SCHOOLS, headers=bearer(raw)).status_code == 200
    frozen.shift(dt.timedelta(days=1, seconds=1))
    response = Client().get(SCHOOLS, headers=bearer(raw))
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentification requise")
    assert ApiToken.objects.get().expires_at == NOW + dt.timedelta(days=90)


def test_a_password_change_kills_the_token(client, cast):
    """The audit: tokens survived a password change."""
    raw = issued(client, cast.manager_a)
    browser = Client()
    login_form(browser, cast.manager_a.email)
    new = "un-nouveau-mot-de-passe-solide"
    response = browser.post(
        "/comptes/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )
    assert response.status_code == 302
    assert Client().get(SCHOOLS, headers=bearer(raw)).status_code == 401
    # A token asked with the new password works.
    assert (
        Client().get(SCHOOLS, headers=bearer(issued(client, cast.manager_a, password=new))).status_code == 200
    )


def test_a_password_reset_kills_the_token(client, cast, mailoutbox):
    raw = issued(client, cast.social_worker_a)
    browser = Client()
    browser.post("/comptes/password/reset/", {"email": cast.social_worker_a.email})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password/reset/key/" in line).strip()
    form_url = browser.get(link)["Location"]
    new = "un-nouveau-mot-de-passe-solide"
    assert browser.post(form_url, {"password1": new, "password2": new}).status_code == 302
    assert Client().get(SCHOOLS, headers=bearer(raw)).status_code == 401


def test_the_end_of_the_membership_kills_the_token(client, cast):
    """A trainer who leaves the school keeps no way in through a token issued while there."""
    raw = issued(client, cast.trainer_a)
    assert Client().get(SCHOOLS, headers=bearer(raw)).status_code == 200
    Membership.objects.filter(user=cast.trainer_a).delete()
    assert Client().get(SCHOOLS, headers=bearer(raw)).status_code == 401


def test_a_new_membership_kills_the_token_too(client, cast):
    """A token is granted by the memberships its user had: it never reaches a school added since."""
    raw = issued(client, cast.trainer_a)
    MembershipFactory(user=cast.trainer_a, role=Role.TRAINER, school=cast.school_b)
    assert Client().get(SCHOOLS, headers=bearer(raw)).status_code == 401


def test_a_read_only_token_cannot_write(client, cast):
    raw = issued(client, cast.manager_a, scope="read")
    payload = {"school": cast.school_a.pk, "name": "Promotion printemps", "start_date": "2027-03-01"}
    response = Client().post("/api/v1/cohorts", payload, content_type="application/json", headers=bearer(raw))
    assert response.status_code == 403
    assert "lecture seule" in response.json()["detail"]
    assert not Cohort.objects.exists()
    assert Client().get("/api/v1/cohorts", headers=bearer(raw)).status_code == 200
    # It may still revoke itself.
    assert Client().delete("/api/v1/auth/token", headers=bearer(raw)).status_code == 204
    # The same request with a read-write token is a write.
    writer = issued(client, cast.manager_a, scope="read_write")
    response = Client().post(
        "/api/v1/cohorts", payload, content_type="application/json", headers=bearer(writer)
    )
    assert response.status_code == 201


def test_the_token_endpoint_answers_scope_and_expiry_and_refuses_an_unknown_scope(client, cast, frozen):
    response = token_request(client, cast.staff.email, scope="read", name="Tableur du réseau")
    body = response.json()
    assert (body["scope"], body["name"]) == ("read", "Tableur du réseau")
    assert body["expires_at"].startswith("2027-02-08")
    response = token_request(client, cast.staff.email, scope="admin")
    assert response.status_code == 422
    assert "detail" in response.json()


# --- « Mes jetons d'API » --------------------------------------------------------------------


@pytest.fixture
def trainer_browser(cast):
    """A trainer logged in for real, who confirmed the password (allauth asks before a new token)."""
    browser = Client()
    login_form(browser, cast.trainer_a.email)
    browser.post("/comptes/reauthenticate/", {"password": PASSWORD})
    return browser


def test_my_tokens_page_lists_creates_once_and_revokes(trainer_browser, cast, django_assert_num_queries):
    browser = trainer_browser
    api_token_create(user=cast.trainer_a, name="Script A", scope="read")
    api_token_create(user=cast.trainer_a, name="Script B")
    other = api_token_create(user=cast.manager_a, name="Pas à moi")[0]
    # session, user, the user's tokens, the memberships (menu and token states)
    with django_assert_num_queries(4):
        page = browser.get(reverse("accounts:token_list"))
    content = page.content.decode()
    assert page.status_code == 200
    assert "Script A" in content and "Script B" in content and "Pas à moi" not in content
    assert "Lecture seule" in content and "jamais" in content

    response = browser.post(
        reverse("accounts:token_create"), {"name": "Export du soir", "scope": "read", "days": "30"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="Export du soir")
    raw = response.context["raw"]
    assert raw.startswith("plb_") and raw in response.content.decode()
    assert token.scope == "read" and token.key_hash not in response.content.decode()
    assert (token.expires_at - token.created_at).days == 30
    assert raw not in browser.get(reverse("accounts:token_list")).content.decode(), "shown once"
    assert Client().get(SCHOOLS, headers=bearer(raw)).status_code == 200
    assert AuditEvent.objects.filter(
        action="api_token.create", actor=cast.trainer_a, object_id=str(token.pk)
    ).exists()

    response = browser.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert Client().get(SCHOOLS, headers=bearer(raw)).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()
    assert "Révoqué" in browser.get(reverse("accounts:token_list")).content.decode()
    # Someone else's token is not found.
    assert browser.post(reverse("accounts:token_revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_creating_a_token_on_the_page_asks_to_confirm_the_password(cast):
    browser = Client()
    browser.force_login(cast.trainer_a)
    response = browser.post(reverse("accounts:token_create"), {"name": "X", "scope": "read", "days": "30"})
    assert response.status_code == 302 and response["Location"].startswith("/comptes/reauthenticate/")
    assert not ApiToken.objects.exists()
    assert browser.post(response["Location"], {"password": "faux"}).status_code == 200
    assert not ApiToken.objects.exists()
    # The password confirmed, allauth resumes the creation: the page shows the new token.
    response = browser.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 200
    assert ApiToken.objects.get().name == "X"
    assert response.context["raw"] in response.content.decode()


def test_bad_token_form_is_a_french_400(trainer_browser):
    response = trainer_browser.post(
        reverse("accounts:token_create"), {"name": " ", "scope": "tout", "days": "9999"}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "rien n'a été enregistré" in content and "Ce champ est obligatoire." in content
    assert not ApiToken.objects.exists()


def test_the_page_says_why_a_token_no_longer_works(trainer_browser, cast):
    api_token_create(user=cast.trainer_a, name="Ancien")
    MembershipFactory(user=cast.trainer_a, role=Role.SOCIAL_WORKER, school=cast.school_a)
    content = trainer_browser.get(reverse("accounts:token_list")).content.decode()
    assert "Invalidé : rattachements modifiés" in content


def test_the_menu_leads_to_my_tokens(cast):
    browser = Client()
    browser.force_login(UserFactory(email="jeune2@test.example"))
    assert 'href="/comptes/jetons/"' in browser.get("/").content.decode()


def test_tokens_issued_before_get_an_expiry_from_now(cast, frozen):
    """The migration: a token without expiry, fingerprint or memberships gets them from now."""
    from importlib import import_module

    migration = import_module("plombiers.accounts.migrations.0002_security_tokens_throttle_mfa")
    token = api_token_create(user=cast.staff)[0]
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=NOW, password_fingerprint="", membership_ids=[], mfa_deadline=None
    )
    migration.tokens_existing(apps, None)
    token = ApiToken.objects.with_current_memberships().get(pk=token.pk)
    assert token.expires_at == NOW + dt.timedelta(days=90)
    assert token.holds_for(cast.staff)
    assert token.mfa_deadline == NOW + dt.timedelta(days=14)


def test_my_tokens_page_in_a_browser_with_the_keyboard(cast, new_page):
    """French, in the account menu, usable with the keyboard alone, focus visible, axe-clean."""
    from playwright.sync_api import expect

    from plombiers.conftest import assert_accessible, login

    page = new_page(width=1024, height=768)
    login(page, cast.trainer_a.email)
    page.get_by_role("button", name="Compte de").click()
    page.get_by_role("link", name="Mes jetons d'API").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes jetons d'API")
    assert_accessible(page, "jetons-api")

    page.get_by_label("Nom du jeton").focus()
    page.keyboard.type("Export du soir")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Portée")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="Créer le jeton")
    expect(button).to_be_focused()
    assert button.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    # allauth asks to confirm the password, then resumes the creation.
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.keyboard.press("Enter")
    raw = page.get_by_label("Votre nouveau jeton")
    expect(raw).to_have_value(re.compile(r"^plb_"))
    assert_accessible(page, "jeton-cree")
    revoke = page.get_by_role("button", name="Révoquer le jeton « Export du soir »")
    revoke.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("est révoqué")
    assert ApiToken.objects.get().revoked_at is not None
