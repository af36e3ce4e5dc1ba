import pytest
from django.urls import reverse

from plombiers.accounts.models import ApiToken
from plombiers.accounts.services import api_token_create
from plombiers.privacy.models import AuditEvent


def test_login_with_email_and_password(client, cast):
    response = client.post(
        reverse("account_login"), {"login": "formation.a@test.example", "password": "demo-plombiers"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_is_a_clear_french_error(client, cast):
    response = client.post(reverse("account_login"), {"login": "formation.a@test.example", "password": "non"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "adresse e-mail et/ou le mot de passe" in content.lower() or "incorrect" in content.lower()
    assert "_auth_user_id" not in client.session


def test_login_page_is_french_and_has_no_signup(client, db):
    content = client.get(reverse("account_login")).content.decode()
    assert '<html lang="fr">' in content
    assert "Mot de passe oublié" in content
    signup = client.get("/comptes/signup/").content.decode()
    assert 'name="password1"' not in signup


def test_password_reset_sends_an_email(client, cast, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "formation.a@test.example"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["formation.a@test.example"]


def test_token_exchange_and_use(client, cast):
    response = client.post(
        "/api/v1/auth/token",
        {"email": "Formation.A@test.example", "password": "demo-plombiers"},
        content_type="application/json",
    )
    assert response.status_code == 200
    raw = response.json()["token"]
    assert raw.startswith("plb_")
    token = ApiToken.objects.get(user=cast.trainer_a)
    assert token.key_hash != raw and raw not in token.key_hash
    assert client.get("/api/v1/schools", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    assert AuditEvent.objects.filter(action="api_token.create", actor=cast.trainer_a).exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "formation.a@test.example", "password": "faux"},
        {"email": "personne@test.example", "password": "demo-plombiers"},
    ],
)
def test_wrong_credentials_get_401(client, cast, payload):
    response = client.post("/api/v1/auth/token", payload, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Adresse e-mail ou mot de passe incorrect."}
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("body", ['{"email": 3}', "pas du json", "{}", '{"email": "a@b.c"}'])
def test_malformed_token_request_gets_a_4xx(client, db, body):
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer ", "Bearer plb_faux", "Token abc", "Bearer ' OR 1=1 --", "plb_abc"]
)
def test_malformed_or_unknown_bearer_gets_401(client, cast, header):
    response = client.get("/api/v1/schools", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentification requise")


def test_revoked_token_is_refused(client, cast):
    _token, raw = api_token_create(user=cast.staff)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/schools", headers=headers).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def test_token_of_a_deactivated_user_is_refused(client, cast):
    _token, raw = api_token_create(user=cast.staff)
    cast.staff.is_active = False
    cast.staff.save(update_fields=["is_active"])
    assert client.get("/api/v1/schools", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_session_api_writes_require_csrf(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.staff)
    assert client.get("/api/v1/schools").status_code == 200
    assert client.delete("/api/v1/auth/token").status_code == 403
