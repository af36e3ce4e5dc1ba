"""`plombiers init`: a network from an empty database, its administrator's first login."""

import io
import subprocess
import sys

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.core.management import CommandError, call_command
from django.urls import reverse

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.cohorts.models import Cohort
from plombiers.frameworks.loader import default_paths
from plombiers.frameworks.models import Framework
from plombiers.lib.initial_data import initial_loads
from plombiers.network.models import Commune, Departement, Network, Organisation, Region, School, Trade
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.models import Learner, Referral
from plombiers.support.enums import DEFAULT_CATEGORIES
from plombiers.support.models import BarrierCategory
from plombiers.tests.conftest import base_environment, plombiers
from plombiers.tests.security.authn import totp_code

PASSWORD = "Un-vrai-mot-de-passe-2026"
EMAIL = "admin@reseau.example"
NETWORK = "Réseau des écoles du Grand Est"


def init(*args, network=NETWORK, admin=EMAIL, communes=("77108",)) -> str:
    out = io.StringIO()
    call_command("init", *args, network=network, admin=admin, communes=list(communes), stdout=out)
    return out.getvalue()


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("PLOMBIERS_ADMIN_PASSWORD", PASSWORD)
    return PASSWORD


def counts() -> dict[str, int]:
    models = [User, Membership, Network, Trade, Framework, BarrierCategory, Commune, AuditEvent]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_an_empty_database_gets_a_network_its_admin_and_the_reference_data(password):
    # Emptier than fresh: without the trades and categories the data migrations create, which init
    # puts back, nor the communes the suite's database holds for the other tests.
    Trade.objects.all().delete()
    BarrierCategory.objects.all().delete()
    for model in (Commune, Departement, Region):
        model.objects.all().delete()
    assert not Framework.objects.exists() and not Commune.objects.exists()

    out = init()

    network = Network.objects.get()
    assert network.name == NETWORK and network.slug == "reseau-des-ecoles-du-grand-est"
    admin = User.objects.get()
    assert admin.email == EMAIL and admin.is_superuser and admin.is_staff
    assert admin.check_password(PASSWORD)
    assert list(admin.memberships.values_list("role", "network")) == [(Role.NETWORK_STAFF, network.pk)]
    # The reference data: the commune asked for, every trade and framework shipped, the categories.
    assert Commune.objects.filter(insee_code="77108").exists()
    assert {"fibre-optique", "technicien-data-center"} <= set(Trade.objects.values_list("slug", flat=True))
    assert Framework.objects.count() == len(default_paths())
    assert Trade.objects.get(slug="fibre-optique").rome_codes == ["F1605", "I1307"]
    assert Trade.objects.get(slug="irve").formacode_codes == ["24066"]  # a trade added as data
    assert set(BarrierCategory.objects.values_list("code", flat=True)) == {c for c, _ in DEFAULT_CATEGORIES}
    # …and nothing fictional.
    for model in (School, Organisation, Cohort, Learner, Referral):
        assert not model.objects.exists(), model
    assert AuditEvent.objects.filter(action="network.init", actor=admin).count() == 1
    assert f"Réseau « {NETWORK} » prêt." in out
    assert "Prochaines étapes" in out and "/comptes/login/" in out and "« Ouvrir une école »" in out


@pytest.mark.django_db
def test_a_second_run_changes_nothing_and_says_so(password, monkeypatch):
    init()
    before = counts()
    password_hash = User.objects.get().password
    monkeypatch.setenv("PLOMBIERS_ADMIN_PASSWORD", "Un-autre-mot-de-passe-2026")

    out = init()

    assert counts() == before
    assert User.objects.get().password == password_hash
    assert "déjà prêt : rien n'a changé" in out


@pytest.mark.django_db
def test_another_network_is_refused_and_nothing_is_written(password):
    Network.objects.create(name="Réseau voisin", slug="voisin")
    before = counts()

    with pytest.raises(CommandError, match="déjà un autre réseau \\(« Réseau voisin »\\)"):
        init()

    assert counts() == before


@pytest.mark.django_db
def test_naming_an_existing_network_only_adds_what_is_missing(password):
    voisin = Network.objects.create(name="Réseau voisin", slug="voisin")
    other = User.objects.create_user(email="deja@reseau.example", password=PASSWORD)
    Membership.objects.create(user=other, role=Role.NETWORK_STAFF, network=voisin)

    out = init(network="Réseau voisin")

    assert Network.objects.get() == voisin
    admin = User.objects.get(email=EMAIL)
    assert admin.memberships.get().network == voisin
    assert other.memberships.get().network == voisin
    assert "réseau « Réseau voisin » créé" not in out and f"compte administrateur·rice {EMAIL} créé" in out


@pytest.mark.django_db
def test_a_weak_password_is_refused_in_french_and_nothing_is_written(monkeypatch):
    monkeypatch.setenv("PLOMBIERS_ADMIN_PASSWORD", "azerty")
    before = counts()

    with pytest.raises(CommandError) as refused:
        init()

    message = str(refused.value)
    assert "Mot de passe refusé" in message
    assert "trop court" in message and "10 caractères" in message
    assert "Rien n'a été écrit" in message
    assert counts() == before


@pytest.mark.django_db
def test_a_password_like_the_address_is_refused(monkeypatch):
    monkeypatch.setenv("PLOMBIERS_ADMIN_PASSWORD", "admin@reseau.example")
    with pytest.raises(CommandError, match="trop semblable"):
        init()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_without_a_password_nor_a_terminal_it_says_how_to_give_one(monkeypatch):
    monkeypatch.delenv("PLOMBIERS_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="PLOMBIERS_ADMIN_PASSWORD"):
        init()
    assert not Network.objects.exists()


@pytest.mark.django_db
def test_at_a_terminal_the_password_is_asked_twice(monkeypatch):
    """getpass is the terminal: what the person types, answered here."""
    monkeypatch.delenv("PLOMBIERS_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    typed = iter([PASSWORD, "pas-le-meme-mot-de-passe"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    with pytest.raises(CommandError, match="pas identiques"):
        init()
    assert not User.objects.exists()

    typed = iter([PASSWORD, PASSWORD])
    init()
    assert User.objects.get().check_password(PASSWORD)


@pytest.mark.django_db
def test_a_bad_address_or_an_empty_name_is_refused(password):
    with pytest.raises(CommandError, match=r"Adresse e-mail .* invalide"):
        init(admin="pas-une-adresse")
    with pytest.raises(CommandError, match="nom du réseau est vide"):
        init(network="  ")
    with pytest.raises(CommandError, match="trop long : 200 caractères au plus"):
        init(network="Réseau " * 40)
    assert not Network.objects.exists()


@pytest.mark.django_db
def test_the_admin_logs_in_at_once_and_is_asked_to_set_up_the_second_factor(client, password):
    """The first login of a fresh installation (the audit saw it fail): the login form, the setup
    page of the second factor, « Plus tard », the home page and the schools' list; then the second
    factor set up through allauth's pages."""
    init()

    response = client.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_setup")
    page = client.get(response["Location"]).content.decode()
    assert "Activez la double authentification" in page and "Plus tard" in page
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("network:school_list")).status_code == 200
    assert client.get("/admin/").status_code == 200

    activate = reverse("mfa_activate_totp")
    response = client.get(activate)
    if response.status_code == 302:  # allauth asks the password again when the login is not recent
        client.post(response["Location"], {"password": PASSWORD})
        client.get(activate)
    secret = client.session[SECRET_SESSION_KEY]
    assert client.post(activate, {"code": totp_code(secret)}).status_code == 302
    assert Authenticator.objects.filter(user__email=EMAIL, type="totp").exists()
    assert client.get(reverse("home")).status_code == 200


def test_the_command_of_an_operator_on_a_fresh_file(tmp_path):
    """As docs/deploy.md runs it, each command in its own process on a new database: refused before
    `migrate` (exit code 1, in French), then the network, then a second run that changes nothing."""
    env = {**base_environment(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'plombiers.sqlite3'}"}
    arguments = [sys.executable, "-m", "plombiers", "init", "--network", NETWORK, "--admin", EMAIL]
    arguments += ["--communes", "77108"]

    def run(extra_env=None):
        return subprocess.run(  # noqa: S603 — our interpreter, our command
            arguments,
            env={**env, **(extra_env or {})},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            stdin=subprocess.DEVNULL,
        )

    refused = run()
    assert refused.returncode == 1
    assert "lancez d'abord « plombiers migrate »" in refused.stderr and "Rien n'a été écrit" in refused.stderr
    plombiers("migrate", "--noinput", "-v0", env=env)
    refused = run()  # no password, no terminal
    assert refused.returncode == 1 and "PLOMBIERS_ADMIN_PASSWORD" in refused.stderr
    done = run({"PLOMBIERS_ADMIN_PASSWORD": PASSWORD})
    assert done.returncode == 0, done.stderr
    assert f"Réseau « {NETWORK} » prêt." in done.stdout and "Prochaines étapes" in done.stdout
    again = run({"PLOMBIERS_ADMIN_PASSWORD": PASSWORD})
    assert again.returncode == 0 and "rien n'a changé" in again.stdout


def test_each_app_declares_its_reference_data_and_the_trades_come_first():
    """The registry (plombiers/lib/initial_data.py): found in the apps, run by order — a framework
    needs its trade."""
    loads = initial_loads()
    assert [load.name for load in loads] == ["métiers", "référentiels de compétences", "catégories de freins"]
    assert [load.order for load in loads] == sorted(load.order for load in loads)
