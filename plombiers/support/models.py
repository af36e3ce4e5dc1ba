from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, school_staff_q, scoped
from plombiers.accounts.permissions import network_ids
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Network, Organisation, School
from plombiers.referrals.models import Learner, Referral

from .crypto import EncryptedTextField
from .enums import ActionStatus, BarrierLevel, ConsentScope, EntryKind, Visibility


class BarrierCategoryQuerySet(models.QuerySet):
    def of_network(self, network_id: int | None):
        """The shared defaults (no network) and the network's own: what its schools diagnose."""
        return self.filter(Q(network__isnull=True) | Q(network_id=network_id))

    @scoped
    def visible_to(self, user):
        """The shared defaults, and the own categories of the networks the user works in: a category
        one network adds never shows on another network's pages."""
        return self.filter(Q(network__isnull=True) | Q(network__in=network_ids(user)))


class BarrierCategory(models.Model):
    """A kind of barrier (« frein périphérique »): the defaults, plus those a network adds, its own."""

    network = models.ForeignKey(
        Network,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="barrier_categories",
        help_text="vide : catégorie commune à tous les réseaux",
    )
    code = models.SlugField("code", max_length=30, unique=True)
    name = models.CharField("nom", max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    objects = BarrierCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = "catégorie de frein"
        verbose_name_plural = "catégories de freins"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class PartnerServiceQuerySet(models.QuerySet):
    def of_network(self, network_id: int | None):
        """A network's directory: its own organisations' services."""
        return self.filter(organisation__network_id=network_id)

    @scoped
    def visible_to(self, user):
        """The directories of the networks the user works in: a service is its network's (through
        its organisation), never another network's."""
        return self.filter(organisation__network__in=network_ids(user))


class PartnerService(models.Model):
    """A social service of the territorial directory of a network (its organisation's), with the
    barriers it helps with."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="partner_service",
        limit_choices_to={"kind": OrganisationKind.SOCIAL_SERVICE},
    )
    categories = models.ManyToManyField(
        BarrierCategory, related_name="services", verbose_name="freins traités"
    )
    description = models.TextField("ce que propose le service", blank=True)

    objects = PartnerServiceQuerySet.as_manager()

    class Meta:
        verbose_name = "service partenaire"
        verbose_name_plural = "annuaire des services partenaires"

    def __str__(self):
        return str(self.organisation)


def school_team_q(user, learner_path: str = "learner") -> Q:
    """Support rows of the records of the schools this user works in or oversees: support records
    belong to the school that wrote them, through its own record of the young person."""
    return school_staff_q(user, f"{learner_path}__school")


def prescriber_shared_q(user, learner_path: str = "learner") -> Q:
    """Rows of young people this prescriber referred, while the latest answer about sharing with the
    prescriber is yes and was given once this prescriber's referral existed — a consent given to an
    earlier prescriber is not one given to them (needs `with_sharing`). Withdrawing it takes effect
    at once."""
    referred = Referral.objects.filter(
        prescriber=user, learner=OuterRef(learner_path), referred_on__lte=OuterRef("sharing_since")
    )
    return Q(Exists(referred), sharing=True)


def latest_sharing(learner_ref: str = "learner", field: str = "given"):
    """A field of the young person's latest answer about sharing with their prescriber (None: never
    asked)."""
    latest = Consent.objects.filter(learner=OuterRef(learner_ref), scope=ConsentScope.SHARE_PRESCRIBER)
    return Subquery(latest.order_by("-given_on", "-pk").values(field)[:1])


def with_sharing(queryset, learner_ref: str = "learner"):
    return queryset.alias(
        sharing=latest_sharing(learner_ref), sharing_since=latest_sharing(learner_ref, "given_on")
    )


class BarrierQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's team and network staff (the record's school); the young person; a prescriber
        who referred them, only while they agree to share it (categories and levels only — the pages
        and the API never give prescribers the texts)."""
        return with_sharing(self).filter(
            school_team_q(user) | Q(learner__user=user) | prescriber_shared_q(user)
        )


class Barrier(models.Model):
    """One category of barrier for one young person: its level now, since when, lifted when."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="barriers")
    category = models.ForeignKey(BarrierCategory, on_delete=models.PROTECT, related_name="barriers")
    level = models.CharField("niveau", max_length=15, choices=BarrierLevel.choices)
    summary = EncryptedTextField("résumé", blank=True)
    raised_on = models.DateField("repéré le", default=timezone.localdate)
    lifted_on = models.DateField("levé le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = BarrierQuerySet.as_manager()

    class Meta:
        verbose_name = "frein"
        ordering = ["category__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "category"], name="barrier_one_per_category"),
            models.CheckConstraint(
                name="barrier_lifted_after_raised",
                condition=Q(lifted_on__isnull=True) | Q(lifted_on__gte=models.F("raised_on")),
            ),
        ]
        indexes = [models.Index(fields=["level", "lifted_on", "raised_on"])]

    def __str__(self):
        return f"{self.learner} — {self.category} : {self.get_level_display()}"

    @property
    def is_lifted(self) -> bool:
        return self.lifted_on is not None


class ActionQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's team and network staff; the young person. Never a prescriber."""
        return self.filter(school_team_q(user, "barrier__learner") | Q(barrier__learner__user=user))


class Action(models.Model):
    """A step of the action plan that lifts a barrier, often with a partner service."""

    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField("action", max_length=250)
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_actions",
        verbose_name="service partenaire",
        limit_choices_to={"kind": OrganisationKind.SOCIAL_SERVICE},
    )
    due_on = models.DateField("échéance")
    status = models.CharField(
        "statut", max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    outcome = EncryptedTextField("résultat", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = "action"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return self.description


class JournalEntryQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Team entries: the school's staff and the network staff. Confidential entries: the social
        workers of the school, nobody else."""
        social_worker_schools = Membership.objects.filter(user=user, role=Role.SOCIAL_WORKER).values("school")
        return self.filter(
            (Q(visibility=Visibility.TEAM) & school_staff_q(user))
            | Q(visibility=Visibility.CONFIDENTIAL, school__in=social_worker_schools)
        )


class JournalEntry(models.Model):
    """A dated entry of the support journal. Its text is encrypted at rest."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="journal")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("type", max_length=20, choices=EntryKind.choices)
    occurred_on = models.DateField("date", default=timezone.localdate)
    text = EncryptedTextField("texte")
    visibility = models.CharField(
        "visibilité", max_length=15, choices=Visibility.choices, default=Visibility.TEAM
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal d'accompagnement"
        ordering = ["-occurred_on", "-pk"]

    def __str__(self):
        return f"{self.learner} — {self.get_kind_display()} du {self.occurred_on:%d/%m/%Y}"

    @property
    def is_confidential(self) -> bool:
        return self.visibility == Visibility.CONFIDENTIAL


class ConsentQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's team and network staff; the young person."""
        return self.filter(school_team_q(user) | Q(learner__user=user))


class Consent(models.Model):
    """The young person was informed and agreed (or not) to a use of their data."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField("objet", max_length=25, choices=ConsentScope.choices)
    given = models.BooleanField("accord")
    given_on = models.DateField("date", default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = "consentement"
        ordering = ["-given_on", "-pk"]

    def __str__(self):
        return f"{self.learner} — {self.get_scope_display()} : {'oui' if self.given else 'non'}"
