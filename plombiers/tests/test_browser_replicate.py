"""Issue 24, « réplicable », end to end in a real browser (desktop, 1280×800): from an empty database,
`plombiers init`; the administrator logs in and opens a school through « Ouvrir une école »; a
trainer is invited, accepts from the e-mail, chooses a password and sets up two-factor
authentication (the code computed as the phone would, with allauth's own TOTP functions); and takes
the first attendance sheet of the first cohort.

Set up by hand, outside the browser (each has its own tests and pages): the network's directory (the
project holder with its SIRET and declaration number, a company, a prescriber, a funder, an OPCO)
and the first learner's enrolment (admissions are tested in test_browser_referrals.py)."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from plombiers.accounts.models import User
from plombiers.cohorts.models import Attendance, Cohort
from plombiers.cohorts.tests.factories import EnrolmentFactory
from plombiers.conftest import ARTIFACTS, assert_accessible, login
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Network, Organisation, School
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.tests.security.authn import totp_code

ADMIN = "admin@reseau.example"
ADMIN_PASSWORD = "Un-vrai-mot-de-passe-2026"
TRAINER = "formatrice@reseau.example"
TRAINER_PASSWORD = "Fibre-Meaux-2027-ok"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def empty_instance(transactional_db, monkeypatch):
    """`plombiers init` on an empty database (a live server's database is flushed between tests)."""
    assert not Network.objects.exists()
    monkeypatch.setenv("PLOMBIERS_ADMIN_PASSWORD", ADMIN_PASSWORD)
    call_command(
        "init", network="Réseau des écoles de Seine-et-Marne", admin=ADMIN, communes=["77108", "77284"]
    )
    network = Network.objects.get()
    directory = {
        kind: Organisation.objects.create(network=network, kind=kind, name=name, **extra)
        for kind, name, extra in [
            (
                OrganisationKind.PROJECT_HOLDER,
                "E2C Seine-et-Marne",
                {"siret": "73282932000074", "nda": "11770000077"},
            ),
            (OrganisationKind.COMPANY, "Fibre Est Réseaux", {}),
            (OrganisationKind.PRESCRIBER, "Mission Locale de Meaux", {}),
            (OrganisationKind.FUNDER, "Fondation du Geste", {}),
            (OrganisationKind.OPCO, "OPCO 2i", {}),
        ]
    }
    return network, directory


def _screens(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-1280.png"), full_page=True)


def test_from_init_to_the_first_sheet(new_page, empty_instance, settings):
    today = timezone.localdate()
    admin = new_page(**DESKTOP)
    login(admin, ADMIN, ADMIN_PASSWORD)

    # 1. The school.
    admin.goto("/ouvrir-une-ecole/")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Ouvrir une école")
    admin.get_by_label(re.compile(r"^Nom\b")).fill("École de Meaux")
    admin.get_by_label("Métier").select_option(label="Fibre optique")
    admin.get_by_label("Commune").fill("77284")
    admin.get_by_label("Adresse").fill("2 rue de la Gare")
    admin.get_by_label("Porteur de projet").select_option(label="E2C Seine-et-Marne")
    admin.get_by_role("button", name="Créer l'école").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Ouvrir l'école École de Meaux")
    # The school and the framework (loaded by init) are there.
    expect(admin.locator(".lead")).to_contain_text("2 étapes sur 8")
    _screens(admin, "ouverture-debut")

    # 3. The calendar template: every day of this week, so that today has a half-day.
    admin.get_by_role("link", name="Régler le calendrier type").click()
    for label in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"):
        admin.get_by_label(label, exact=True).check()
    admin.get_by_label("Début du matin").fill("00:00")
    admin.get_by_label("Durée d'une promotion (semaines)").fill("12")
    admin.get_by_label("Semaines de stage en entreprise").fill("6, 7")
    admin.get_by_role("button", name="Enregistrer").click()
    expect(admin.get_by_role("status").first).to_contain_text("Le calendrier type est enregistré.")

    # 4. The first cohort, from today.
    admin.get_by_role("link", name="Créer la première promotion").click()
    admin.get_by_label("Premier jour").fill(today.isoformat())
    admin.get_by_role("button", name="Enregistrer").click()
    expect(admin.get_by_role("status").first).to_contain_text("est créée, avec ses demi-journées")

    # 5. An information session.
    admin.get_by_role("link", name="Programmer une information collective").click()
    admin.get_by_label("Date et heure").fill(f"{today.isoformat()}T14:00")
    admin.get_by_role("button", name="Enregistrer").click()

    # 6. Partners from the network's directory.
    admin.get_by_role("link", name="Choisir dans l'annuaire du réseau").click()
    for name in ("Fibre Est Réseaux", "Mission Locale de Meaux", "Fondation du Geste", "OPCO 2i"):
        admin.get_by_label(re.compile(name)).check()
    admin.get_by_role("button", name="Enregistrer").click()

    # 8. Opened to the public (the catalogue, the LHEO offer).
    admin.get_by_role("link", name="Ouvrir l'école au public").click()
    admin.get_by_role("button", name="Enregistrer").click()
    expect(admin.locator(".lead")).to_contain_text("7 étapes sur 8")
    assert_accessible(admin, "ouverture-1280x800")
    admin.set_viewport_size(PHONE)
    assert admin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        "the checklist fits a phone"
    )
    assert_accessible(admin, "ouverture-390x844")
    admin.set_viewport_size(DESKTOP)

    # 7. The team: a trainer invited by e-mail.
    admin.get_by_role("link", name="Inviter l'équipe").click()
    admin.get_by_label("Adresse e-mail").fill(TRAINER)
    admin.get_by_role("button", name="Envoyer l'invitation").click()
    expect(admin.get_by_role("status").first).to_contain_text(f"L'invitation est envoyée à {TRAINER}.")
    expect(admin.get_by_role("row", name=re.compile(TRAINER))).to_contain_text("En attente")

    # The e-mail, as the task queue sent it.
    assert [m.to for m in mail.outbox] == [[TRAINER]]
    link = re.search(r"https?://\S+(/invitation/\S+/)", mail.outbox[0].body).group(1)

    trainer = new_page(**DESKTOP)
    trainer.goto(link)
    expect(trainer.get_by_role("heading", level=1)).to_have_text("Rejoindre l'école École de Meaux")
    assert_accessible(trainer, "invitation-acceptee")
    trainer.get_by_label("Prénom").fill("Nadia")
    trainer.get_by_label(re.compile(r"^Nom\b")).fill("Benali")
    trainer.get_by_label(re.compile(r"^Mot de passe")).fill(TRAINER_PASSWORD)
    trainer.get_by_label("Confirmation du mot de passe").fill(TRAINER_PASSWORD)
    trainer.get_by_role("button", name="Créer mon compte").click()
    # Logged in; two-factor authentication now (the setup page, then allauth's).
    trainer.get_by_role("link", name="Activer maintenant").click()
    if "/reauthenticate/" in trainer.url:
        trainer.get_by_label("Mot de passe").fill(TRAINER_PASSWORD)
        trainer.get_by_role("button", name=re.compile("Confirmer|Confirm")).click()
    secret = trainer.locator("#authenticator_secret").input_value()
    trainer.get_by_label(re.compile("Code", re.IGNORECASE)).first.fill(totp_code(secret))
    trainer.get_by_role("button", name=re.compile("Activer|Activate")).click()
    trainer.wait_for_url(lambda url: "/totp/activate/" not in url)
    user = User.objects.get(email=TRAINER)
    assert user.get_full_name() == "Nadia Benali"
    assert user.authenticator_set.filter(type="totp").exists()

    # The first learner arrives (admitted elsewhere), and the trainer takes today's sheet.
    cohort = Cohort.objects.get(school=School.objects.get(name="École de Meaux"))
    enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Inès", last_name="Arnaud"))
    trainer.goto("/")
    trainer.get_by_role("link", name="Émargement", exact=True).click()
    trainer.get_by_role("link", name=re.compile(f"{cohort.name} — matin")).click()
    expect(trainer.get_by_role("heading", level=1)).to_contain_text("Feuille d'émargement")
    trainer.get_by_role("button", name="Tous présents").click()
    expect(trainer.locator("#feuille [role=status]")).to_have_text("Enregistré — 1 jeune noté présent·e.")
    first = cohort.sessions.order_by("date", "start_time").first()
    assert first.date == today
    assert Attendance.objects.filter(session=first, enrolment=enrolment, updated_by=user).exists()
