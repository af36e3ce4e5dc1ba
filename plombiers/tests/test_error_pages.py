"""404, 403, 400 and 500: French pages in the site layout, fit for a phone, with a way home."""

import pytest
from django.test import Client

pytestmark = pytest.mark.urls("plombiers.tests.error_urls")

PHONE = '<meta name="viewport" content="width=device-width, initial-scale=1">'


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def page(client, url):
    response = client.get(url)
    return response.status_code, response.content.decode()


def assert_site_page(html, title):
    assert '<html lang="fr">' in html and PHONE in html
    assert "app.css" in html and 'class="navbar' in html  # the site's layout
    assert f'<h1 class="h2">{title}</h1>' in html
    assert "Revenir à l&#x27;accueil" in html or "Revenir à l'accueil" in html
    assert "Not Found" not in html and "Server Error" not in html and "Forbidden" not in html


@pytest.mark.django_db
def test_404_in_french_with_the_menu_of_the_signed_in_user(client, cast):
    client.force_login(cast.trainer_a)
    status, html = page(client, "/nulle-part/")
    assert status == 404
    assert_site_page(html, "Page introuvable")
    assert 'href="/"' in html and "Se déconnecter" in html


@pytest.mark.django_db
def test_403_in_french_says_why(client, cast):
    client.force_login(cast.trainer_a)
    status, html = page(client, "/essai/403/")
    assert status == 403
    assert_site_page(html, "Accès refusé")
    assert "Seule l&#x27;équipe pédagogique" in html


@pytest.mark.django_db
def test_400_in_french(client):
    status, html = page(client, "/essai/400/")
    assert status == 400
    assert_site_page(html, "Demande incorrecte")


@pytest.mark.django_db
def test_500_in_french_without_the_database():
    client = Client(raise_request_exception=False)
    status, html = page(client, "/essai/500/")
    assert status == 500
    assert_site_page(html, "Une erreur est survenue")
    assert 'href="/"' in html


def test_500_template_renders_with_no_request_and_no_database():
    """Django's server_error renders 500.html with an empty context: no DB access allowed here."""
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert_site_page(html, "Une erreur est survenue")


@pytest.mark.django_db
def test_csrf_failure_in_french(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.trainer_a)
    response = client.post("/")
    html = response.content.decode()
    assert response.status_code == 403
    assert_site_page(html, "Formulaire expiré")


def test_templates_are_strict_in_the_tests():
    """A variable one of our templates names and its context lacks fails the test (conftest's
    `StrictTemplateVariable`); a third-party template keeps Django's silent empty string."""
    from django.template import loader

    with pytest.raises(pytest.fail.Exception, match="pad_label"):
        loader.get_template("cohorts/includes/signature_pad.html").render({})
    from django.template import Context, Template

    assert Template("[{{ missing }}]").render(Context()) == "[]"  # not from one of our files
