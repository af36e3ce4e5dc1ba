"""The impact dashboard in a real browser, for network staff, a school manager and a funder, on a
desktop and a tablet: the charts drawn beside their tables, the filters, a figure opened down to
its learners (never for the funder). axe-core on every page; screenshots kept as artifacts."""

from playwright.sync_api import expect

from plombiers.conftest import assert_accessible, login
from plombiers.impact.tests import world as world_module

DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180, "has_touch": True}


def _charts_drawn(page):
    """Four charts drawn by Chart.js. Polled with `evaluate` (run through the DevTools protocol):
    `wait_for_function` compiles its predicate in the page, which the CSP (no unsafe-eval) may refuse."""
    expect(page.locator("canvas[data-chart]")).to_have_count(4)
    drawn = "typeof Chart !== 'undefined' && Object.keys(Chart.instances).length === 4"
    for _ in range(200):
        if page.evaluate(drawn):
            return
        page.wait_for_timeout(50)
    assert page.evaluate(drawn), "the charts were not drawn"


def test_the_dashboard_for_staff_a_manager_and_a_funder(new_page, cast):
    world_module.build(cast)
    for size_name, size in (("bureau", DESKTOP), ("tablette", TABLET)):
        # Network staff: the network, every school, a figure opened down to its learners.
        page = new_page(**size)
        login(page, cast.staff.email)
        page.get_by_role("button", name="Réseau").click()
        page.get_by_role("link", name="Impact", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Impact — Réseau de test")
        _charts_drawn(page)
        expect(page.get_by_role("table", name="Indicateurs par école")).to_contain_text("École B Roubaix")
        assert_accessible(page, f"impact-reseau-{size_name}")
        page.get_by_label("Année", exact=True).select_option("2025")
        page.get_by_label("Tableau par", exact=True).select_option("region")
        page.get_by_role("button", name="Appliquer").click()
        expect(page.get_by_role("heading", name="Par région")).to_be_visible()
        expect(page.get_by_role("table", name="Indicateurs par région")).to_contain_text("Île-de-France")
        assert_accessible(page, f"impact-reseau-filtre-{size_name}")
        page.get_by_role("table", name="Indicateurs par région").get_by_role(
            "link", name="voir les jeunes du numérateur"
        ).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Sorties positives")
        expect(page.get_by_role("table")).to_be_visible()
        assert_accessible(page, f"impact-jeunes-{size_name}")

        # A school manager: their school, its cohorts.
        page = new_page(**size)
        login(page, cast.manager_a.email)
        page.goto("/impact/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Impact — École A Chelles")
        _charts_drawn(page)
        expect(page.get_by_role("table", name="Indicateurs par promotion")).to_contain_text("A1")
        expect(page.get_by_role("link", name="Rapport 2025 (PDF)")).to_be_visible()
        assert_accessible(page, f"impact-ecole-{size_name}")

        # The funder: aggregates of the school it funds, no link to any learner.
        page = new_page(**size)
        login(page, cast.funder.email)
        page.get_by_role("link", name="Résultats des écoles que vous financez").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Impact — Fondation A")
        _charts_drawn(page)
        expect(page.get_by_role("table", name="Indicateurs par école")).to_contain_text("École A Chelles")
        expect(page.get_by_role("main")).not_to_contain_text("École B Roubaix")
        assert page.locator("a[href*='/impact/apprenants/']").count() == 0
        assert_accessible(page, f"impact-financeur-{size_name}")


def test_the_method_page(new_page, cast):
    page = new_page(**TABLET)
    page.goto("/impact/methode/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Comment les indicateurs d'impact sont calculés"
    )
    expect(page.get_by_role("table")).to_contain_text("Contrat d'apprentissage")
    assert_accessible(page, "impact-methode")


def test_a_consolidated_network_dashboard(new_page, cast):
    """The network's dashboard reads the rollup kept at every write: the page says when it was last
    checked in full, and the network staff check it again from there (the task runs at once in
    tests); phone size, keyboard only."""
    from plombiers.impact import rollup

    world_module.build(cast)
    rollup.refresh()
    page = new_page(width=390, height=844, has_touch=True)
    login(page, cast.staff.email)
    page.goto("/impact/reseau/")
    notice = page.get_by_role("status").filter(has_text="Dernier contrôle complet le")
    expect(notice).to_be_visible()
    _charts_drawn(page)
    expect(page.get_by_role("table", name="Indicateurs par école")).to_contain_text("École B Roubaix")
    assert_accessible(page, "impact-reseau-consolide-telephone")
    button = notice.get_by_role("button", name="Recalculer maintenant")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Cumuls recalculés : 2 écoles")).to_be_visible()
    assert_accessible(page, "impact-reseau-recalcule-telephone")
