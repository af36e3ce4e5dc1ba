"""The global search in a real browser (issue 21): at desktop size a school manager types a name in
the header, the results open under the field, the keyboard reaches one (down arrow) and opens it;
Escape closes the list; axe-core clean with the list open, no console error (CSP: no inline
script or style, htmx attributes and a static script only)."""

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import assert_accessible, login
from plombiers.referrals.tests.factories import LearnerFactory

DESKTOP = {"width": 1280, "height": 900}


def test_typing_in_the_header_and_reaching_a_result_with_the_keyboard(new_page, cast):
    cohort = CohortFactory(school=cast.school_a, name="Promotion fibre automne")
    ines = LearnerFactory(school=cast.school_a, first_name="Inès", last_name="Arnaud")
    EnrolmentFactory(cohort=cohort, learner=ines)
    LearnerFactory(school=cast.school_b, first_name="Inès", last_name="Arnoux")  # school B: never found

    page = new_page(**DESKTOP)
    page.set_default_navigation_timeout(60_000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, cast.manager_a.email)
    page.goto("/")

    field = page.get_by_role("searchbox", name="Rechercher une personne, une entreprise, une promotion")
    field.focus()
    page.keyboard.type("ines arn")
    results = page.locator("#recherche-globale-resultats")
    link = results.get_by_role("link", name="Inès Arnaud")
    link.wait_for()
    assert "Arnoux" not in results.inner_text()
    assert page.locator("#recherche-globale-statut").inner_text() == "1 résultat pour « ines arn »."
    assert_accessible(page, "recherche-globale")

    # Escape closes the list and leaves the words; the down arrow opens it again on the first result.
    page.keyboard.press("Escape")
    assert results.is_hidden()
    assert field.input_value() == "ines arn"
    page.keyboard.press("ArrowDown")
    assert link.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{ines.get_absolute_url()}")

    # Enter in the field: the full results page.
    page.goto("/")
    field.fill("fibre")
    field.press("Enter")
    page.wait_for_url("**/recherche/?q=fibre")
    page.get_by_role("heading", name="Promotions").wait_for()
    assert not errors, errors
