"""An internship from end to end in a real browser: the trainer prepares the convention on a tablet
and sends it for signature; the young person and the tutor accept it on their phones through their
personal links, the school's manager on a desktop; the trainer starts the internship and asks for
the tutor's evaluation, which the tutor gives on a phone; the gestures observed on site appear in
the young person's progress. axe-core on every page visited."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import assert_accessible, login
from plombiers.frameworks.loader import frameworks_load
from plombiers.frameworks.models import Framework
from plombiers.internships.enums import InternshipStatus, Party
from plombiers.internships.models import ConventionSignature, Internship, TutorEvaluation
from plombiers.internships.tests.factories import CompanySiteFactory, ContactFactory
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.skills.enums import Context, Level
from plombiers.skills.models import Observation

TABLET = {"width": 820, "height": 1180, "has_touch": True}
PHONE = {"width": 390, "height": 844, "has_touch": True, "is_mobile": True}
DESKTOP = {"width": 1280, "height": 900}


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def sign_on(page, url, name, shot, width):
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Convention de stage en entreprise à signer")
    expect(page.get_by_role("main")).to_contain_text("Inès A.")
    expect(page.get_by_role("main")).not_to_contain_text("Arnaud")
    fits(page, width)
    assert_accessible(page, shot)
    page.get_by_label("Nom et prénom").fill(name)
    page.get_by_role("button", name="Signer la convention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Convention signée")
    expect(page.get_by_role("status")).to_contain_text(f"par {name}, le ")
    assert_accessible(page, f"{shot}-signee")


def test_a_convention_prepared_signed_by_three_parties_started_and_evaluated_on_a_phone(new_page, cast):
    today = timezone.localdate()
    frameworks_load()
    framework = Framework.objects.get(trade__slug="fibre-optique")
    cohort = CohortFactory(
        school=cast.school_a,
        name="Promotion fibre",
        framework=framework,
        status="en_cours",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=60),
    )
    cohort.trainers.add(cast.trainer_a)
    learner = LearnerFactory(
        first_name="Inès", last_name="Arnaud", user=cast.learner_a, email="ines@example.org"
    )
    enrolment = EnrolmentFactory(cohort=cohort, learner=learner)
    CompanySiteFactory(company=cast.company_a, name="Agence de Chelles", commune=cast.school_a.commune)
    ContactFactory(organisation=cast.company_a, full_name="Marc Tuteur", email="marc@fibre-a.example")
    skills = list(framework.blocks.first().skills.all()[:2])

    # The trainer's tablet: from the learner's progress to her internships, then a new one.
    tablet = new_page(**TABLET)
    login(tablet, cast.trainer_a.email)
    tablet.goto(f"/inscriptions/{enrolment.pk}/progression/")
    tablet.get_by_role("link", name="Stages en entreprise").tap()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Stages d'Inès Arnaud")
    assert_accessible(tablet, "stages-liste-tablette")
    tablet.get_by_role("link", name="Préparer un stage").tap()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Préparer un stage pour Inès Arnaud")
    fits(tablet, TABLET["width"])
    assert_accessible(tablet, "stage-formulaire-tablette")
    tablet.get_by_label("Site de l'entreprise d'accueil").select_option(
        label="Fibre A — Agence de Chelles (Chelles)"
    )
    tablet.get_by_label("Tuteur ou tutrice").select_option(label="Marc Tuteur, Chef d'équipe (Fibre A)")
    tablet.get_by_label("Premier jour").fill(today.isoformat())
    tablet.get_by_label("Dernier jour").fill((today + dt.timedelta(days=11)).isoformat())
    tablet.get_by_label("Heures par semaine").fill("35")
    for skill in skills:
        tablet.get_by_label(f"{skill.code} {skill.title}").check()
    tablet.get_by_label("Activités confiées").fill("Tirage de câble et raccordements avec l'équipe.")
    tablet.get_by_role("button", name="Préparer le stage").tap()
    expect(tablet.get_by_role("heading", level=1)).to_have_text(
        "Stage en entreprise d'Inès Arnaud chez Fibre A"
    )
    expect(tablet.locator("#statut")).to_have_text("Brouillon")
    assert_accessible(tablet, "stage-brouillon")
    internship = Internship.objects.get()

    # Sent for signature: one personal link per party, with its QR code.
    tablet.get_by_role("button", name="Envoyer la convention en signature").tap()
    expect(tablet.locator("#statut")).to_have_text("Convention à signer")
    expect(tablet.locator(".party-link img.qr-code")).to_have_count(3)
    assert_accessible(tablet, "stage-liens-signature")
    links = {
        party: tablet.locator(f"#url-{party}").input_value() for party in ("jeune", "entreprise", "ecole")
    }
    tablet.get_by_role("button", name="Copier le lien : L'entreprise d'accueil").tap()
    expect(tablet.locator("#lien-entreprise .copy-status")).to_have_text(
        re.compile("Lien (copié|sélectionné)")
    )

    # Inès and her tutor on their phones, the school's manager on a desktop.
    phone = new_page(**PHONE)
    phone.goto(links["jeune"])
    phone.get_by_label("Nom et prénom").fill("Inès Arnaud")
    phone.get_by_role("button", name="Signer la convention").tap()
    expect(phone.get_by_role("alert")).to_contain_text("Cochez « J'ai lu et j'accepte la convention »")
    assert_accessible(phone, "convention-telephone-erreur")
    assert not ConventionSignature.objects.filter(signed_at__isnull=False).exists()
    phone.get_by_text("J'ai lu et j'accepte la convention", exact=True).tap()
    phone.get_by_role("button", name="Signer la convention").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Convention signée")
    assert_accessible(phone, "convention-jeune-signee")

    tutor_phone = new_page(**PHONE)
    tutor_phone.goto(links["entreprise"])
    expect(tutor_phone.get_by_role("main")).to_contain_text("vous signez pour l'entreprise d'accueil")
    fits(tutor_phone, PHONE["width"])
    assert_accessible(tutor_phone, "convention-tuteur-telephone")
    tutor_phone.get_by_text("J'ai lu et j'accepte la convention", exact=True).tap()
    tutor_phone.get_by_label("Nom et prénom").fill("Marc Tuteur")
    tutor_phone.get_by_role("button", name="Signer la convention").tap()
    expect(tutor_phone.get_by_role("status")).to_contain_text("par Marc Tuteur, le ")
    assert_accessible(tutor_phone, "convention-tuteur-signee")

    desktop = new_page(**DESKTOP)
    login(desktop, cast.manager_a.email)
    desktop.goto(links["ecole"])
    expect(desktop.get_by_role("main")).to_contain_text("vous signez pour l'école")
    assert_accessible(desktop, "convention-ecole-bureau")
    desktop.get_by_label("J'ai lu et j'accepte la convention").check()
    desktop.get_by_label("Nom et prénom").fill(cast.manager_a.get_full_name())
    desktop.get_by_role("button", name="Signer la convention").click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Convention signée")
    assert_accessible(desktop, "convention-ecole-signee")
    internship.refresh_from_db()
    assert internship.status == InternshipStatus.SIGNED
    assert {s.party for s in internship.signatures.all() if s.ip_address} == {
        Party.LEARNER,
        Party.COMPANY,
        Party.SCHOOL,
    }

    # The trainer sees the three signatures and starts the internship (it starts today).
    tablet.reload()
    expect(tablet.locator("#statut")).to_have_text("Convention signée")
    for party in ("jeune", "entreprise", "ecole"):
        expect(tablet.locator(f"#partie-{party}")).to_contain_text("Signée par")
    assert_accessible(tablet, "stage-signe")
    tablet.get_by_role("button", name="Démarrer le stage").tap()
    expect(tablet.locator("#statut")).to_have_text("En cours")
    tablet.get_by_role("button", name="Demander l'évaluation du tuteur").tap()
    expect(tablet.get_by_role("img", name="QR code du lien d'évaluation du tuteur")).to_be_visible()
    assert_accessible(tablet, "stage-lien-evaluation")
    evaluation_url = tablet.locator("#url-evaluation").input_value()

    # The tutor evaluates on his phone.
    tutor_phone.goto(evaluation_url)
    expect(tutor_phone.get_by_role("heading", level=1)).to_have_text("Évaluation du stage d'Inès A.")
    fits(tutor_phone, PHONE["width"])
    assert_accessible(tutor_phone, "evaluation-telephone")
    tutor_phone.locator("#q-attendance").get_by_text("Présence régulière").tap()
    for key, answer in (
        ("ponctualite", "Très bien"),
        ("securite", "Bien"),
        ("equipe", "Très bien"),
        ("communication", "En progrès"),
        ("autonomie", "Bien"),
    ):
        tutor_phone.locator(f"#q-soft_{key}").get_by_text(answer, exact=True).tap()
    tutor_phone.locator(f"#q-skill_{skills[0].pk}").get_by_text("Acquis", exact=True).tap()
    tutor_phone.locator(f"#q-skill_{skills[1].pk}").get_by_text("En cours d'acquisition", exact=True).tap()
    tutor_phone.locator("#q-outcome").get_by_text("Stage effectué en entier").tap()
    tutor_phone.locator("#q-wants_to_hire").get_by_text("Oui", exact=True).tap()
    tutor_phone.locator("#q-hired_contract").get_by_text("Contrat d'apprentissage").tap()
    tutor_phone.get_by_label("Un commentaire pour l'école (facultatif)").fill(
        "Sérieuse et attentive à la sécurité."
    )
    assert_accessible(tutor_phone, "evaluation-telephone-remplie")
    tutor_phone.get_by_role("button", name="Envoyer mon évaluation").tap()
    expect(tutor_phone.get_by_role("heading", level=1)).to_have_text("Merci !")
    assert_accessible(tutor_phone, "evaluation-merci")
    evaluation = TutorEvaluation.objects.get()
    assert evaluation.wants_to_hire and evaluation.hired_contract == "apprentissage"

    # The evaluation on the internship page, the observations in Inès's progress.
    tablet.reload()
    expect(tablet.get_by_role("region", name="Évaluation du tuteur ou de la tutrice")).to_contain_text(
        "Rendue par Marc Tuteur"
    )
    assert_accessible(tablet, "stage-evaluation")
    tablet.get_by_role("link", name="Voir la progression d'Inès Arnaud").tap()
    timeline = tablet.get_by_role("region", name="Historique des observations")
    expect(timeline).to_contain_text(f"{skills[0].code} {skills[0].title}")
    expect(timeline).to_contain_text("observé par Marc Tuteur (tuteur·rice, Fibre A)")
    assert_accessible(tablet, "progression-apres-stage")
    observed = Observation.objects.filter(enrolment=enrolment, context=Context.WORKSITE)
    assert sorted(observed.values_list("level", flat=True)) == sorted([Level.ACQUIRED, Level.IN_PROGRESS])
