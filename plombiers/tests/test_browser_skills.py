"""A trainer fills in the skills matrix of a whole cohort on a tablet, with a finger and with the keyboard."""

from playwright.sync_api import expect

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import assert_accessible, login
from plombiers.frameworks.loader import frameworks_load
from plombiers.frameworks.models import Framework
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.skills.models import Evidence, Observation
from plombiers.skills.tests.images import JPEG

NAMES = [("Inès", "Benali"), ("Yanis", "Morel"), ("Awa", "Diallo"), ("Léo", "Martin")]


def test_trainer_records_observations_for_a_cohort_on_a_tablet(new_page, cast):
    frameworks_load()
    fibre = Framework.objects.get(trade__slug="fibre-optique")
    cohort = CohortFactory(school=cast.school_a, framework=fibre, status="en_cours", name="Promotion fibre")
    cohort.trainers.set([cast.trainer_a])
    enrolments = [
        EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name=first, last_name=last))
        for first, last in NAMES
    ]
    splice = fibre.skills.get(code="FO-RAC-02")
    ppe = fibre.skills.get(code="FO-SEC-01")

    page = new_page(width=1024, height=768, has_touch=True, is_mobile=False)
    login(page, cast.trainer_a.email)
    page.goto(cohort.get_absolute_url())
    page.get_by_role("link", name="Grille des compétences").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grille des compétences")
    matrix_url = page.url
    assert_accessible(page, "competences-grille")

    def cell(enrolment, skill):
        return page.locator(f"#cellule-{enrolment.pk}-{skill.pk}")

    dialog = page.locator("#panneau-observation")

    # Tap a cell: the quick form opens in a dialog, without leaving the page.
    cell(enrolments[0], splice).get_by_role("button").tap()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Observer Inès Benali")
    assert_accessible(page, "competences-formulaire-rapide")
    # Saving without a level: the French error comes back in the dialog, nothing written.
    dialog.get_by_role("button", name="Enregistrer l'observation").tap()
    expect(dialog.get_by_text("Choisissez le niveau observé.")).to_be_visible()
    assert_accessible(page, "competences-formulaire-erreur")
    dialog.locator("label[for=id_level_2]").tap()  # Acquis
    dialog.get_by_label("Commentaire").fill("Soudure propre, pertes mesurées faibles")
    dialog.get_by_label("Photo").set_input_files(
        files=[{"name": "soudure.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    dialog.get_by_role("button", name="Enregistrer l'observation").tap()
    expect(dialog).to_be_hidden()
    expect(cell(enrolments[0], splice)).to_contain_text("Acquis")
    expect(page.locator("#statut-grille")).to_contain_text("Observation enregistrée : Inès Benali")
    expect(page.locator(f"#acquis-{enrolments[0].pk}")).to_have_text("1")
    assert page.url == matrix_url
    # Nothing sticks out of the scrolling frame: the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    assert_accessible(page, "competences-grille-mise-a-jour")

    # The other learners, one tap each.
    for enrolment, level in zip(enrolments[1:], ("id_level_1", "id_level_3", "id_level_0"), strict=True):
        cell(enrolment, splice).get_by_role("button").tap()
        expect(dialog).to_be_visible()
        dialog.locator(f"label[for={level}]").tap()
        dialog.get_by_role("button", name="Enregistrer l'observation").tap()
        expect(dialog).to_be_hidden()
    expect(cell(enrolments[2], splice)).to_contain_text("Maîtrisé")
    expect(cell(enrolments[1], splice)).to_contain_text("En cours")

    # The keyboard: Tab to a cell, Enter opens the form, arrows choose, Enter saves; focus comes back.
    target = cell(enrolments[1], ppe).get_by_role("button")
    page.get_by_role("link", name="Yanis Morel").focus()
    page.keyboard.press("Tab")  # from his name to his first skill
    expect(target).to_be_focused()
    assert target.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    first_level = dialog.locator("#id_level_0")
    expect(first_level).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(dialog.locator("#id_level_2")).to_be_checked()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(cell(enrolments[1], ppe)).to_contain_text("Acquis")
    expect(cell(enrolments[1], ppe).get_by_role("button")).to_be_focused()

    # Escape closes the form without saving.
    cell(enrolments[3], ppe).get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(cell(enrolments[3], ppe).get_by_role("button")).to_be_focused()

    # One exercise for the whole group.
    page.get_by_role("link", name="Exercice de groupe").tap()
    assert_accessible(page, "competences-exercice-groupe")
    cleave = fibre.skills.get(code="FO-RAC-01")
    page.get_by_label("Compétence travaillée").select_option(value=str(cleave.pk))
    page.locator("label[for=id_level_1]").tap()
    page.get_by_label("Léo Martin").uncheck()
    page.get_by_label("Commentaire").fill("Atelier clivage")
    page.get_by_role("button", name="Enregistrer l'exercice").tap()
    expect(page.get_by_role("status").first).to_contain_text("Exercice enregistré pour 3 jeunes")
    expect(cell(enrolments[0], cleave)).to_contain_text("En cours")
    expect(cell(enrolments[3], cleave)).to_contain_text("—")
    assert_accessible(page, "competences-apres-exercice")

    # Inès's progress, with her photo.
    page.get_by_role("link", name="Inès Benali").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progression d'Inès Benali")
    expect(page.get_by_role("img", name="Photo : soudure.jpg")).to_be_visible()
    assert_accessible(page, "competences-progression")

    assert Observation.objects.filter(enrolment__cohort=cohort).count() == 4 + 1 + 3
    assert Evidence.objects.count() == 1
