"""The test harness: real communes, a named cast of users, a real browser."""

import functools
import inspect
import os
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from plombiers.accounts.enums import Role
from plombiers.accounts.tests.factories import MembershipFactory, UserFactory
from plombiers.network.communes import communes_save, read_communes, read_departements, read_regions
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Commune, Network, Trade
from plombiers.network.tests.factories import OrganisationFactory, PartnershipFactory, SchoolFactory
from plombiers.network.trades import default_trades_ensure

# Playwright's sync API runs an event loop in the test thread; the ORM calls made
# by the test itself around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts"))

# Real communes used by the tests: the 18 demo towns, Paris, Ajaccio, and a few neighbours.
TEST_COMMUNES = [
    "77108",
    "34172",
    "69256",
    "59512",
    "31555",
    "33063",
    "93066",
    "44109",
    "35238",
    "59599",
    "67482",
    "13055",
    "63113",
    "21231",
    "76540",
    "57463",
    "87085",
    "30189",
    "75056",
    "75101",
    "2A004",
    "77284",
    "77373",
    "59350",
    "93008",
    "77305",
    "66136",  # Perpignan and Bastia: the demo's second network
    "2B033",
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """SQLite tests use a file (in memory-backed /dev/shm when there is one), not `:memory:`:
    concurrent transactions then lock and wait as they do in production."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        shm = Path("/dev/shm")  # noqa: S108 — a per-process file name, in the test run only
        folder = shm if shm.is_dir() else Path(tempfile.gettempdir())
        database.setdefault("TEST", {})["NAME"] = str(folder / f"plombiers-test-{os.getpid()}.sqlite3")


PROJECT = Path(__file__).resolve().parent


class StrictTemplateVariable(str):
    """`string_if_invalid` in the tests: strict templates. A variable one of *our* templates names
    and its context lacks fails the test with the variable and the template. Third-party templates
    (allauth's, ninja's) keep Django's silent empty string: they are not ours to fix.

    A `str` (Django's system check asks for one), non-empty so that Django uses it, holding « %s »
    so that Django formats it with the variable's name."""

    def __new__(cls):
        return super().__new__(cls, "%s")

    def __contains__(self, key) -> bool:
        return key == "%s"

    def __mod__(self, variable) -> str:
        for frame in inspect.stack()[1:]:
            template = frame.frame.f_locals.get("self") if frame.function == "render" else None
            origin = getattr(template, "origin", None)
            name = getattr(origin, "name", None)
            if isinstance(name, str) and name.startswith(str(PROJECT)):
                pytest.fail(f"Variable de gabarit inconnue « {variable} » dans {name}", pytrace=False)
            if name is not None:
                break
        return ""


@pytest.fixture(autouse=True, scope="session")
def _strict_templates():
    from django.conf import settings

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(settings.TEMPLATES[0]["OPTIONS"], "string_if_invalid", StrictTemplateVariable())
        yield


TEST_FERNET_KEY = "mW0t9Ck8GJk4wX2Vq3mR1m6dS1b0l8Qw1e9rT2y3u4I="


@pytest.fixture(autouse=True)
def _fernet_keys(monkeypatch):
    """A fixed encryption key for the tests (never the key file of the working directory)."""
    monkeypatch.setenv("FERNET_KEYS", TEST_FERNET_KEY)


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Background tasks run at once in tests; one test checks the real database queue."""
    settings.TASKS = IMMEDIATE_TASKS


@functools.cache
def _commune_data():
    return read_regions(), read_departements(), read_communes(TEST_COMMUNES)


def _communes_load() -> dict:
    """The test communes (and every région and département), by INSEE code: loaded once per
    database (`django_db_setup`), read by each test (one query) — loaded again only after a
    transactional test emptied the tables."""
    present = list(Commune.objects.filter(insee_code__in=TEST_COMMUNES))
    if len({c.insee_code for c in present}) < len(TEST_COMMUNES):
        regions, departements, rows = _commune_data()
        communes_save(regions=regions, departements=departements, communes=rows)
        # Transactional tests flush the tables, data migrations included: put the trades back.
        default_trades_ensure(Trade)
        present = list(Commune.objects.filter(insee_code__in=TEST_COMMUNES))
    return {c.insee_code: c for c in present if c.kind == Commune.Kind.COMMUNE}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The suite's database, with the test communes committed once: 2,000 tests ask for them, and
    writing them for each test (as a rolled-back transaction) was a third of the suite's time on
    PostgreSQL."""
    with django_db_blocker.unblock():
        _communes_load()


@pytest.fixture
def communes(db):
    return _communes_load()


FAST_PASSWORDS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORDS


def _static_storages(storages: dict) -> dict:
    """Pages name the static files as they are in the apps' folders: the tests run no
    collectstatic, so there is no manifest of hashed names (tests/test_page_weight.py serves the
    real, collected files)."""
    return {**storages, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _static_files(settings):
    settings.STORAGES = _static_storages(settings.STORAGES)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, request):
    """Each test its own folder for files — but the tests of a module whose data is `built_once`
    share the folder of the build (the files it wrote, a school's signing key…)."""
    folder = getattr(request.module, BUILT_ONCE_FOLDER, None) or tmp_path
    settings.MEDIA_ROOT = folder / "media"
    settings.CREDENTIAL_KEYS_DIR = folder / "credential_keys"


BUILT_ONCE_FOLDER = "_built_once_folder"


def built_once(build):
    """A module-scoped fixture: data that `build(communes)` makes once for all the tests of a module
    (once per worker), instead of once per test — for builds of several seconds (a part of the
    demo network) read by several tests.

    The build runs in a transaction left open until the module's last test is done, then rolled
    back. Each test, a non-transactional one (`db`: pytest-django leaves a higher-scoped
    transaction alone), runs in a savepoint inside it: what a test writes is undone, and the next
    one sees the data as built. The build runs with what the function-level fixtures give every test
    (fast passwords, tasks at once, the test key, static files) and a folder of its own, which the
    module's tests keep (`_media`). A test must request `db` and must not be transactional (that would
    empty the tables under the build). Python objects the build returns are shared: read them, do
    not change them."""
    from django.db import transaction
    from django.test import override_settings

    @pytest.fixture(scope="module")
    def fixture(request, django_db_setup, django_db_blocker, tmp_path_factory):
        from django.conf import settings

        folder = tmp_path_factory.mktemp("built-once")
        setattr(request.module, BUILT_ONCE_FOLDER, folder)
        overrides = override_settings(
            PASSWORD_HASHERS=FAST_PASSWORDS,
            STORAGES=_static_storages(settings.STORAGES),
            TASKS=IMMEDIATE_TASKS,
            MEDIA_ROOT=folder / "media",
            CREDENTIAL_KEYS_DIR=folder / "credential_keys",
        )
        with pytest.MonkeyPatch.context() as patch, overrides:
            patch.setenv("FERNET_KEYS", TEST_FERNET_KEY)
            with django_db_blocker.unblock():
                atomic = transaction.atomic()
                atomic.__enter__()
                try:
                    value = build(_communes_load())
                except BaseException as error:
                    atomic.__exit__(type(error), error, error.__traceback__)
                    raise
            try:
                yield value
            finally:
                with django_db_blocker.unblock():
                    transaction.set_rollback(True)
                    atomic.__exit__(None, None, None)

    return fixture


@pytest.fixture
def cast(communes):
    """Two schools (A: Chelles, fibre; B: Roubaix, data centre) and one person per role.

    `prescriber` and `funder` belong to organisations partnered with school A only;
    `outsider` has an account and no membership. `staff_other` is the network staff of another
    network on the same instance (`other_network`, a federation hosting its members): everything
    of the cast's network is another network's to them, and answers 404.
    """
    network = Network.objects.create(name="Réseau de test", slug="test")
    other_network = Network.objects.create(name="Réseau voisin", slug="voisin")
    fibre = Trade.objects.get(slug="fibre-optique")
    datacenter = Trade.objects.get(slug="technicien-data-center")
    school_a = SchoolFactory(network=network, name="École A Chelles", trade=fibre, commune=communes["77108"])
    school_b = SchoolFactory(
        network=network, name="École B Roubaix", trade=datacenter, commune=communes["59512"]
    )
    prescriber_org = OrganisationFactory(network=network, kind=OrganisationKind.PRESCRIBER, name="ML Chelles")
    funder_org = OrganisationFactory(network=network, kind=OrganisationKind.FUNDER, name="Fondation A")
    company_a = OrganisationFactory(network=network, kind=OrganisationKind.COMPANY, name="Fibre A")
    company_b = OrganisationFactory(network=network, kind=OrganisationKind.COMPANY, name="Datacenter B")
    for school, organisation in [
        (school_a, prescriber_org),
        (school_a, funder_org),
        (school_a, company_a),
        (school_b, company_b),
    ]:
        PartnershipFactory(school=school, organisation=organisation)

    def member(email, role, *, name=None, **scope):
        user = UserFactory(email=email, **(name or {}))
        MembershipFactory(user=user, role=role, **scope)
        return user

    return SimpleNamespace(
        network=network,
        other_network=other_network,
        school_a=school_a,
        school_b=school_b,
        prescriber_org=prescriber_org,
        funder_org=funder_org,
        company_a=company_a,
        company_b=company_b,
        staff=member("reseau@test.example", Role.NETWORK_STAFF, network=network),
        staff_other=member("reseau@voisin.example", Role.NETWORK_STAFF, network=other_network),
        manager_a=member("direction.a@test.example", Role.SCHOOL_MANAGER, school=school_a),
        trainer_a=member("formation.a@test.example", Role.TRAINER, school=school_a),
        social_worker_a=member("cip.a@test.example", Role.SOCIAL_WORKER, school=school_a),
        manager_b=member("direction.b@test.example", Role.SCHOOL_MANAGER, school=school_b),
        trainer_b=member("formation.b@test.example", Role.TRAINER, school=school_b),
        prescriber=member("prescription@test.example", Role.PRESCRIBER, organisation=prescriber_org),
        # A name no Faker person has: the tests that check a funder's pages never show a learner's
        # name would otherwise meet the funder's own name in the page's header.
        funder=member(
            "financeur@test.example",
            Role.FUNDER,
            organisation=funder_org,
            name={"first_name": "Félicie", "last_name": "Mécène"},
        ),
        learner_a=member("jeune.a@test.example", Role.LEARNER, school=school_a),
        outsider=UserFactory(email="inconnu@test.example"),
    )


# --- a real browser ---------------------------------------------------------


#: The fixtures through which a test reaches the suite's database (pytest-django's).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def pytest_collection_modifyitems(config, items):
    """Every test that drives Chromium is marked `browser`, whatever module it is in, so that
    `pytest -m "not browser"` leaves them all out and `pytest -m browser` runs only them.

    Every test of the demo's builders (plombiers/demo/tests) is marked `demo` (so are, by their own
    `pytestmark`, the tests built on the demo network elsewhere): CI runs them on SQLite, the demo's
    database (`make demo`).

    Every test that never reaches the suite's database (pure functions, files, commands run on their
    own SQLite file) is marked `no_database`: it runs the same whatever `DATABASE_URL` says, so CI
    runs it in one half only (.ci/run). Every test served by a fresh installation of its own
    (`installation`: `plombiers serve`, the pages' weight) is marked `installation`: made once per
    run on SQLite (a minute or two; once per worker on PostgreSQL), CI keeps them in its SQLite half."""
    demo_tests = PROJECT / "demo" / "tests"
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if item.path.is_relative_to(demo_tests):
            item.add_marker(pytest.mark.demo)
        if not item.get_closest_marker("django_db") and not fixtures & DATABASE_FIXTURES:
            item.add_marker(pytest.mark.no_database)
        if "installation" in fixtures:
            item.add_marker(pytest.mark.installation)
    _leave_out_postgresql_tests(config, items)


def _leave_out_postgresql_tests(config, items) -> None:
    """On SQLite, the tests marked `postgresql` (races between concurrent transactions, which SQLite
    runs one at a time) are left out of the run — reported as deselected, not as skipped: there is
    nothing there to run. CI runs them on PostgreSQL."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    left_out = [item for item in items if item.get_closest_marker("postgresql")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # The assertions wait as long as the actions (10 s, `new_page`), not Playwright's 5 s: CI runs
    # the browser tests beside others on two shared cores. A wait, never a measure of speed.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open pages at a viewport size; each gets a fresh context (cookies) and a French locale."""
    contexts = []

    def open_page(width=1280, height=900, **options):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale="fr-FR",
            base_url=live_server.url,
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def assert_accessible(page, name: str) -> None:
    """axe-core on the current page: no violation; a screenshot kept as a test artifact."""
    from axe_playwright_python.sync_playwright import Axe

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"


def login(page, email: str, password: str = "demo-plombiers") -> None:
    page.goto("/comptes/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/comptes/login/" not in url)
    # Roles that read personal data land on the two-factor setup page during their grace period.
    if "/comptes/double-authentification/" in page.url:
        page.get_by_role("link", name="Plus tard").click()
        page.wait_for_url(lambda url: "/comptes/double-authentification/" not in url)
