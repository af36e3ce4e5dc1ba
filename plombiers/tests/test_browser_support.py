"""The social worker's journey on a tablet: diagnose a barrier, plan an action with a partner service,
write a confidential note; the trainer then reads the plan but not the note. axe-core reports no
violation on any page or state visited."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import assert_accessible, login
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.support.enums import default_categories_ensure
from plombiers.support.models import Action, Barrier, BarrierCategory, JournalEntry, PartnerService

TABLET = {"width": 1024, "height": 768}
SECRET = "Évoque des tensions fortes au foyer familial"


def test_social_worker_diagnoses_plans_and_writes_a_confidential_note(new_page, cast, communes):
    # Transactional tests flush the tables, data migrations included: put the categories back.
    default_categories_ensure(BarrierCategory)
    today = timezone.localdate()
    cohort = CohortFactory(
        school=cast.school_a, start_date=today - dt.timedelta(days=20), end_date=today + dt.timedelta(days=80)
    )
    learner = EnrolmentFactory(
        cohort=cohort,
        learner=LearnerFactory(first_name="Inès", last_name="Benali", commune=communes["77108"]),
        entry_date=cohort.start_date,
    ).learner
    fjt = OrganisationFactory(
        network=cast.network,
        kind=OrganisationKind.SOCIAL_SERVICE,
        name="FJT de Chelles",
        commune=communes["77108"],
    )
    PartnerService.objects.create(organisation=fjt).categories.set(
        BarrierCategory.objects.filter(code="logement")
    )

    page = new_page(**TABLET, has_touch=True)
    login(page, cast.social_worker_a.email)
    page.get_by_role("link", name="Accompagnement", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accompagnement")
    assert_accessible(page, "accompagnement-liste")
    page.get_by_role("link", name="Inès Benali").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accompagnement d'Inès Benali")
    assert_accessible(page, "accompagnement-jeune")

    # Diagnose: housing is blocking.
    housing = page.locator("#frein-logement")
    housing.get_by_text("Diagnostiquer").click()
    housing.get_by_label("Niveau").select_option(label="Bloquant")
    housing.get_by_label("Résumé").fill("Hébergée chez une amie, doit partir fin du mois")
    assert_accessible(page, "accompagnement-diagnostic-ouvert")
    housing.get_by_role("button", name="Enregistrer le diagnostic : Logement").click()
    expect(page.get_by_role("status")).to_contain_text("Diagnostic enregistré : Logement.")
    expect(housing.get_by_text("Niveau : Bloquant")).to_be_visible()
    assert Barrier.objects.get(learner=learner, category__code="logement").level == "bloquant"
    assert_accessible(page, "accompagnement-diagnostic-enregistre")

    # Plan an action with the partner service found near home; a due date before the programme
    # is refused in French first.
    housing.get_by_text("Planifier une action").click()
    housing.get_by_label("Action").fill("Demande de place au FJT")
    housing.get_by_label("Service partenaire").select_option(label="FJT de Chelles — à 0,0 km")
    housing.get_by_label("Échéance").fill("2020-01-01")
    housing.get_by_role("button", name="Ajouter l'action : Logement").click()
    form = page.locator("#frein-logement")
    expect(form.get_by_text("ne peut pas précéder le début du parcours")).to_be_visible()
    assert not Action.objects.exists()
    assert_accessible(page, "accompagnement-action-erreur")
    form.get_by_label("Échéance").fill((today + dt.timedelta(days=5)).isoformat())
    form.get_by_role("button", name="Ajouter l'action : Logement").click()
    expect(page.get_by_role("status")).to_contain_text("Action ajoutée au plan.")
    expect(page.locator("#frein-logement")).to_contain_text("Demande de place au FJT — avec FJT de Chelles")
    assert Action.objects.get().partner == fjt

    # A confidential note, with the keyboard only.
    page.get_by_text("Écrire dans le journal").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Type").select_option(label="Entretien individuel")
    page.get_by_label("Texte").fill(SECRET)
    page.get_by_label("Visibilité").select_option(label="Confidentiel (accompagnement seulement)")
    page.get_by_role("button", name="Ajouter au journal").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Note confidentielle ajoutée au journal.")
    journal = page.locator("section[aria-labelledby=titre-journal]")
    expect(journal).to_contain_text(SECRET)
    expect(journal).to_contain_text("Confidentiel")
    assert JournalEntry.objects.get().is_confidential
    assert_accessible(page, "accompagnement-note-confidentielle")

    # The trainer reads the diagnosis and the plan, not the note.
    trainer = new_page(**TABLET)
    login(trainer, cast.trainer_a.email)
    trainer.goto(f"/jeunes/{learner.pk}/accompagnement/")
    expect(trainer.get_by_role("heading", level=1)).to_have_text("Accompagnement d'Inès Benali")
    expect(trainer.locator("#frein-logement")).to_contain_text("Demande de place au FJT")
    expect(trainer.get_by_text("Aucune entrée que vous puissiez lire.")).to_be_visible()
    assert SECRET not in trainer.content()
    assert_accessible(trainer, "accompagnement-formateur")

    # The manager: the menu holds on one line at 1024 px; the audit list shows the social worker's reads.
    manager = new_page(**TABLET)
    login(manager, cast.manager_a.email)
    items = manager.locator("#menu-principal .nav-link")
    tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}
    assert len(tops) == 1, tops
    manager.goto("/accompagnement/journal-d-audit/")
    manager.get_by_label("Action").select_option(label="Lecture d'une note confidentielle")
    manager.get_by_role("button", name="Filtrer").click()
    expect(manager.locator("tbody")).to_contain_text("Note n°")
    assert_accessible(manager, "accompagnement-journal-audit")
