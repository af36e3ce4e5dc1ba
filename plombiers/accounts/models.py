import hashlib
import secrets
from functools import cached_property

from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from plombiers.lib.scoping import scoped

from .enums import ORGANISATION_ROLES, SCHOOL_ROLES, LoginOutcome, Role, TokenScope


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in with an e-mail address; what they see comes from memberships."""

    username = None
    email = models.EmailField("adresse e-mail", unique=True)
    # When this person first logged in without the two-factor authentication their role requires:
    # the grace period (settings.PLOMBIERS_MFA_GRACE_DAYS) runs from there (see accounts/mfa.py).
    mfa_grace_started_at = models.DateTimeField(
        "début du délai pour activer la double authentification", null=True, blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur·rice"
        verbose_name_plural = "utilisateur·rices"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def check_password(self, raw_password):
        """Django's check, whose rehash (a stronger hasher or more iterations, at login) keeps the
        API tokens alive: the password is the same, only its hash changed."""

        def rehash(raw_password):
            previous = self.password
            self.set_password(raw_password)
            self._password = None
            self.save(update_fields=["password"])
            self.api_tokens.filter(password_fingerprint=password_fingerprint(previous)).update(
                password_fingerprint=password_fingerprint(self.password)
            )

        return check_password(raw_password, self.password, rehash)

    @cached_property
    def membership_list(self) -> list["Membership"]:
        """Memberships with their scope, fetched once per request."""
        return list(self.memberships.select_related("network", "school", "organisation"))

    @property
    def loaded_memberships(self) -> list["Membership"] | None:
        """`membership_list` if this request has already read it, else None: a queryset's rules
        (`visible_to`) then read the memberships in their own subqueries rather than in a query
        of their own (an API call authenticated by a token never needs them otherwise)."""
        return self.__dict__.get("membership_list")

    @cached_property
    def roles(self) -> set[str]:
        return {m.role for m in self.membership_list}

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles.intersection(roles))

    def school_ids(self, *roles: str) -> set[int]:
        roles = roles or SCHOOL_ROLES
        return {m.school_id for m in self.membership_list if m.role in roles and m.school_id}

    def management_q(self, path: str = "school") -> Q:
        """Rows whose school (reached through `path`) the user oversees as network staff or manages:
        who reads an audit trail. A method of the user, so that `privacy`, below `accounts`, asks it
        without importing `accounts`."""
        mine = Membership.objects.filter(user=self)
        return Q(**{f"{path}__network__in": mine.filter(role=Role.NETWORK_STAFF).values("network")}) | Q(
            **{f"{path}__in": mine.filter(role=Role.SCHOOL_MANAGER).values("school")}
        )

    def acts_for(self, school, *roles: str) -> bool:
        """Staff of the school's network, or a member of the school in one of `roles` (any school
        team role when none is given). Read from the memberships already loaded: no query."""
        if self.is_superuser:
            return True
        roles = roles or SCHOOL_ROLES
        return any(
            (m.role == Role.NETWORK_STAFF and m.network_id == school.network_id)
            or (m.role in roles and m.school_id == school.pk)
            for m in self.membership_list
        )


class MembershipQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Staff lists: network staff see their network, school staff their school's team."""
        mine = Membership.objects.filter(user=user)
        return self.filter(
            Q(user=user)
            | Q(school__network__in=mine.filter(role=Role.NETWORK_STAFF).values("network"))
            | Q(network__in=mine.filter(role=Role.NETWORK_STAFF).values("network"))
            | Q(school__in=mine.filter(role__in=SCHOOL_ROLES).values("school"), role__in=SCHOOL_ROLES)
        )


class Membership(models.Model):
    """A role held by a user in a scope: the network, one school, or one organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=32, choices=Role.choices)
    network = models.ForeignKey(
        "network.Network", on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    school = models.ForeignKey(
        "network.School", on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "rattachement"
        verbose_name_plural = "rattachements"
        ordering = ["role", "pk"]
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role=Role.NETWORK_STAFF, network__isnull=False, school__isnull=True)
                    | Q(role__in=[*SCHOOL_ROLES, Role.LEARNER], school__isnull=False, network__isnull=True)
                    | Q(role__in=ORGANISATION_ROLES, organisation__isnull=False, school__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "network"],
                condition=Q(network__isnull=False),
                name="membership_unique_network",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(school__isnull=False),
                name="membership_unique_school",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(organisation__isnull=False),
                name="membership_unique_organisation",
            ),
        ]

    def __str__(self):
        scope = self.school or self.organisation or self.network
        return f"{self.user} — {self.get_role_display()} ({scope})"


def school_staff_q(user, path: str = "school") -> Q:
    """Rows whose school (reached through `path`) the user oversees as network staff or works in."""
    mine = Membership.objects.filter(user=user)
    return Q(**{f"{path}__network__in": mine.filter(role=Role.NETWORK_STAFF).values("network")}) | Q(
        **{f"{path}__in": mine.filter(role__in=SCHOOL_ROLES).values("school")}
    )


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def password_fingerprint(password_hash: str) -> str:
    """What a token remembers of the password it was issued under: a digest of the stored hash, so
    that any change of password (or a reset) kills the token without a signal or a hook."""
    return hashlib.sha256(password_hash.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Not revoked, not expired, of an active user. A token also dies with the password and the
        memberships it was issued under: `ApiToken.holds_for` checks those on the loaded user."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)

    def owned_by(self, user):
        """« Mes jetons d'API »: one's own tokens, whoever one is (a superuser included)."""
        return self.filter(user=user) if user.is_authenticated else self.none()

    def for_raw(self, raw: str):
        return self.active().filter(key_hash=_hash_token(raw)).with_current_memberships()

    def with_current_memberships(self):
        """The number and the sum of the ids of the user's memberships now, in the token's own
        query (an API call costs no query more). Ids only grow, so any change of the set — one
        ended, one added — changes one or the other (an id added is above every id of the set)."""
        memberships = Membership.objects.filter(user=OuterRef("user")).order_by().values("user")
        return self.annotate(
            current_membership_count=Coalesce(Subquery(memberships.annotate(n=Count("pk")).values("n")), 0),
            current_membership_sum=Coalesce(Subquery(memberships.annotate(s=Sum("pk")).values("s")), 0),
        )


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored.

    It expires (`expires_at`), carries a scope (read-only tokens cannot write), and holds only as
    long as the password and the memberships it was issued under: `password_fingerprint` and
    `membership_ids` are compared with the user's at each call. Issued without a second factor to
    someone whose role requires one (during the grace period), it stops at `mfa_deadline`.
    """

    PREFIX = "plb_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nom", max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(
        "portée", max_length=16, choices=TokenScope.choices, default=TokenScope.READ_WRITE
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)
    expires_at = models.DateTimeField("expire le")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    password_fingerprint = models.CharField(max_length=64)
    membership_ids = models.JSONField("rattachements à la création", default=list)
    mfa_deadline = models.DateTimeField(
        "valable sans double authentification jusqu'au", null=True, blank=True
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_created")]

    def __str__(self):
        return f"{self.user} — {self.name or f'{self.created_at:%d/%m/%Y}'}"

    @classmethod
    def new_raw(cls) -> tuple[str, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        return raw, _hash_token(raw)

    @property
    def is_read_only(self) -> bool:
        return self.scope == TokenScope.READ

    def holds_for(self, user: User) -> bool:
        """Still the password and the very memberships it was issued under. No query: the token
        comes from `for_raw`, with its user and the user's memberships now."""
        return (
            self.password_fingerprint == password_fingerprint(user.password)
            and len(self.membership_ids) == self.current_membership_count
            and sum(self.membership_ids) == self.current_membership_sum
        )

    def state(self, user: User, now=None) -> str:
        """In French, for the token list: why a token no longer works, if it does not."""
        now = now or timezone.now()
        if self.revoked_at:
            return "Révoqué"
        if self.expires_at <= now:
            return "Expiré"
        if self.password_fingerprint != password_fingerprint(user.password):
            return "Invalidé : mot de passe changé"
        if sorted(self.membership_ids) != sorted(m.pk for m in user.membership_list):
            return "Invalidé : rattachements modifiés"
        if self.mfa_deadline and self.mfa_deadline <= now:
            return "Invalidé : délivré sans double authentification"
        return "Actif"


class LoginAttemptQuerySet(models.QuerySet):
    def in_window(self, since):
        return self.filter(created_at__gt=since)


class LoginAttempt(models.Model):
    """One counted attempt to authenticate, appended and never updated: the store of the login
    throttle (accounts/throttle.py explains the rules). No lock is taken on it, so logins never
    wait for, nor are refused because of, each other."""

    # An HMAC of the normalised e-mail typed (an account or not): no e-mail in clear here.
    account_key = models.CharField(max_length=64)
    # The client's address (an IPv6 /64 network counts as one address).
    address = models.CharField("adresse IP", max_length=45)
    outcome = models.CharField("résultat", max_length=8, choices=LoginOutcome.choices)
    # Where it came from: "form" (login form, admin, reauthentication), "mfa", "api".
    channel = models.CharField("canal", max_length=8)
    created_at = models.DateTimeField("le", default=timezone.now)

    objects = LoginAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = "tentative de connexion"
        verbose_name_plural = "tentatives de connexion"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["account_key", "created_at"], name="loginattempt_account"),
            models.Index(fields=["address", "created_at"], name="loginattempt_address"),
            models.Index(fields=["created_at"], name="loginattempt_created"),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} depuis {self.address} le {self.created_at:%d/%m/%Y %H:%M}"
