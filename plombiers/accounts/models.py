import functools
import hashlib
import secrets
from functools import cached_property

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q

from .enums import ORGANISATION_ROLES, SCHOOL_ROLES, Role


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

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur·rice"
        verbose_name_plural = "utilisateur·rices"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    @cached_property
    def membership_list(self) -> list["Membership"]:
        """Memberships with their scope, fetched once per request."""
        return list(self.memberships.select_related("network", "school", "organisation"))

    @cached_property
    def roles(self) -> set[str]:
        return {m.role for m in self.membership_list}

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles.intersection(roles))

    def school_ids(self, *roles: str) -> set[int]:
        roles = roles or SCHOOL_ROLES
        return {m.school_id for m in self.membership_list if m.role in roles and m.school_id}

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


def scoped(method):
    """The access rule every `visible_to`/`editable_by` starts with: an anonymous or deactivated
    user gets nothing, a superuser everything; the method decides for everybody else."""

    @functools.wraps(method)
    def wrapper(self, user, *args, **kwargs):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return method(self, user, *args, **kwargs)

    return wrapper


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


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)

    def for_raw(self, raw: str):
        return self.active().filter(key_hash=_hash_token(raw))


class ApiToken(models.Model):
    """A revocable bearer token for the API; only its SHA-256 is stored."""

    PREFIX = "plb_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nom", max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} — {self.name or self.created_at:%d/%m/%Y}"

    @classmethod
    def new_raw(cls) -> tuple[str, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        return raw, _hash_token(raw)
