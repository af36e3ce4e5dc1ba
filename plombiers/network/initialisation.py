"""`plombiers init`: a network starts from an empty database, with no fictional data.

What it writes, in one transaction (an error and nothing is written): the French communes, the
reference data every network starts with (each app's `initial_data.LOADS`: trades, competency
frameworks, barrier categories — plombiers/lib/initial_data.py), the network, and its first
administrator: a superuser who is also the network's staff, who logs in at once and sets up the
second factor at the first login (accounts/mfa.py, the grace period).

Idempotent: run again with the same network, it adds only what is missing and changes nothing
else (never the administrator's password). It refuses a database that already holds another network
unless `--network` names one of them. See docs/replicate.md."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation
from django.utils.text import slugify

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.lib.initial_data import LoadError, initial_loads
from plombiers.privacy.services import audit_log

from .communes import communes_load
from .models import Commune, Network

# Fewer communes than this and the whole country is loaded (the data set has about 37,000 rows,
# communes déléguées included; the demo uses the same threshold).
COMMUNES_LOADED = 30_000


class InitError(Exception):
    """A refusal, in French, for the person at the terminal: nothing was written."""


@dataclass
class InitReport:
    network: Network
    admin: User
    done: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.done)


def not_migrated() -> str:
    """The sentence for a database whose migrations are not all applied, or "" when they are."""
    pending = pending_migrations()
    if not pending:
        return ""
    return (
        f"La base n'est pas à jour ({len(pending)} migration(s) à appliquer, dont {pending[0]}) : "
        "lancez d'abord « plombiers migrate »."
    )


def pending_migrations() -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def password_check(password: str, *, email: str) -> None:
    """Django's validators (settings.AUTH_PASSWORD_VALIDATORS), their messages in French."""
    with translation.override("fr"):
        try:
            validate_password(password, user=User(email=email))
        except ValidationError as error:
            raise InitError("Mot de passe refusé : " + " ".join(error.messages)) from None


def network_slug(name: str) -> str:
    return slugify(name)[: Network._meta.get_field("slug").max_length]


def network_find(name: str) -> Network | None:
    name = name.strip()
    return (
        Network.objects.filter(slug=network_slug(name)).first() or Network.objects.filter(name=name).first()
    )


def network_init_check(*, name: str, admin_email: str) -> tuple[Network | None, User | None]:
    """Refuse before asking anything: an unmigrated database, a bad address, another network.
    Returns the network and the administrator when they exist already."""
    refusal = not_migrated()
    if refusal:
        raise InitError(refusal)
    name = name.strip()
    if not name or not slugify(name):
        raise InitError("Le nom du réseau est vide : --network « Nom du réseau ».")
    limit = Network._meta.get_field("name").max_length
    if len(name) > limit:
        raise InitError(f"Le nom du réseau est trop long : {limit} caractères au plus.")
    try:
        validate_email(admin_email)
    except ValidationError:
        raise InitError(f"Adresse e-mail de l'administrateur·rice invalide : « {admin_email} ».") from None
    network = network_find(name)
    if network is None:
        others = list(Network.objects.values_list("name", flat=True)[:3])
        if others:
            raise InitError(
                "Cette base contient déjà un autre réseau ("
                + ", ".join(f"« {other} »" for other in others)
                + ") : « plombiers init » ne crée un réseau que dans une base vide. Pour compléter un "
                "réseau existant, donnez son nom à --network."
            )
    admin = User.objects.filter(email__iexact=admin_email).first()
    return network, admin


@transaction.atomic
def network_init(
    *, name: str, admin_email: str, password: str | None, communes: Iterable[str] | None = None
) -> InitReport:
    """Create what is missing, in one transaction. `password` is needed only when the administrator
    has no account yet; `communes`: only these INSEE codes (by default the whole country, unless it
    is already loaded)."""
    network, admin = network_init_check(name=name, admin_email=admin_email)
    if admin is None:
        if not password:
            raise InitError("Il faut un mot de passe pour le compte de l'administrateur·rice.")
        password_check(password, email=admin_email)
    done: list[str] = []

    codes = list(communes or [])
    missing = (
        [code for code in codes if not Commune.objects.filter(insee_code=code).exists()]
        if codes
        else ([] if Commune.objects.count() >= COMMUNES_LOADED else None)
    )
    if missing is None or missing:
        count = communes_load(only=missing)
        done.append(f"{count} commune(s) chargée(s)")
    for load in initial_loads():
        try:
            message = load.run()
        except LoadError as error:
            raise InitError(f"{load.name} : {error}") from None
        if message:
            done.append(message)

    if network is None:
        name = name.strip()
        network = Network.objects.create(name=name, slug=network_slug(name))
        done.append(f"réseau « {network.name} » créé")
    if admin is None:
        admin = User.objects.create_superuser(email=admin_email, password=password)
        done.append(f"compte administrateur·rice {admin.email} créé")
    elif not (admin.is_superuser and admin.is_staff):
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
        done.append(f"{admin.email} devient administrateur·rice")
    _membership, created = Membership.objects.get_or_create(
        user=admin, role=Role.NETWORK_STAFF, network=network
    )
    if created:
        done.append(f"{admin.email} rattaché·e à la tête de réseau")
    if done:
        audit_log(actor=admin, action="network.init", obj=network, details={"done": done})
    return InitReport(network=network, admin=admin, done=done)
