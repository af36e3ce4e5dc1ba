import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from plombiers.accounts.models import scoped
from plombiers.cohorts.models import Enrolment
from plombiers.lib.validators import validate_rome_code
from plombiers.network.models import Organisation
from plombiers.privacy.crypto import EncryptedTextField

from .enums import (
    CATEGORY_OF,
    POSITIVE_CATEGORIES,
    ExitCategory,
    ExitType,
    FollowUpHorizon,
    FollowUpSource,
    FollowUpStatus,
)


def category_matches_type(field: str = "exit_type") -> Q:
    """The database holds the mapping too: a category that contradicts its type is refused."""
    condition = Q()
    for category in ExitCategory.values:
        types = [t for t, c in CATEGORY_OF.items() if c == category]
        condition |= Q(category=category, **{f"{field}__in": types})
    return condition


class ExitQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Exactly the enrolments the user may see."""
        return self.filter(enrolment__in=Enrolment.objects.visible_to(user))

    def positive(self):
        return self.filter(category__in=POSITIVE_CATEGORIES)

    def counted(self):
        """The denominator of the positive-exit rate: every exit but the neutralised ones."""
        return self.exclude(category=ExitCategory.NEUTRALISED)

    def with_list_related_data(self):
        return self.select_related("enrolment__learner", "enrolment__cohort__school", "employer")


class Exit(models.Model):
    """The situation of a young person when their enrolment ends (completed or dropped out)."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="exit", verbose_name="inscription"
    )
    exit_date = models.DateField("date de sortie", db_index=True)
    exit_type = models.CharField("situation à la sortie", max_length=30, choices=ExitType.choices)
    category = models.CharField("catégorie", max_length=20, choices=ExitCategory.choices, db_index=True)
    employer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hired_exits",
        verbose_name="employeur (entreprise partenaire)",
    )
    employer_name = models.CharField("employeur ou organisme", max_length=200, blank=True)
    rome_code = models.CharField("code ROME", max_length=5, blank=True, validators=[validate_rome_code])
    weekly_hours = models.DecimalField(
        "heures par semaine", max_digits=4, decimal_places=1, null=True, blank=True
    )
    hired_by_internship_host = models.BooleanField("embauche par une entreprise de stage", default=False)
    comment = EncryptedTextField("précisions", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField("enregistrée le", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExitQuerySet.as_manager()

    class Meta:
        verbose_name = "sortie"
        ordering = ["-exit_date", "pk"]
        constraints = [
            models.CheckConstraint(name="exit_category_matches_type", condition=category_matches_type()),
            models.CheckConstraint(
                name="exit_weekly_hours_range",
                condition=Q(weekly_hours__isnull=True) | Q(weekly_hours__gt=0, weekly_hours__lte=60),
            ),
        ]
        indexes = [models.Index(fields=["category", "exit_date"])]

    def __str__(self):
        return f"{self.enrolment.learner} — {self.get_exit_type_display()}"

    def save(self, *args, **kwargs):
        self.category = CATEGORY_OF[self.exit_type]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("outcomes:exit_detail", args=[self.pk])

    @property
    def is_positive(self) -> bool:
        return self.category in POSITIVE_CATEGORIES


def new_link_nonce() -> str:
    """The random part of a follow-up's link: replacing it retires every link sent before."""
    return secrets.token_hex(16)


class FollowUpQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        return self.filter(exit__in=Exit.objects.visible_to(user))

    def due(self):
        return self.filter(status=FollowUpStatus.DUE)

    def with_list_related_data(self):
        return self.select_related(
            "exit__enrolment__learner", "exit__enrolment__cohort__school", "exit__employer"
        )


class FollowUp(models.Model):
    """The situation of a young person 1, 3, 6 or 12 months after their exit."""

    exit = models.ForeignKey(Exit, on_delete=models.CASCADE, related_name="follow_ups", verbose_name="sortie")
    horizon = models.PositiveSmallIntegerField("échéance", choices=FollowUpHorizon.choices)
    due_on = models.DateField("à faire le", db_index=True)
    status = models.CharField(
        "état", max_length=15, choices=FollowUpStatus.choices, default=FollowUpStatus.DUE, db_index=True
    )
    situation_type = models.CharField("situation", max_length=30, choices=ExitType.choices, blank=True)
    category = models.CharField("catégorie", max_length=20, choices=ExitCategory.choices, blank=True)
    employer_name = models.CharField("employeur ou organisme", max_length=200, blank=True)
    comment = EncryptedTextField("précisions", blank=True)
    source = models.CharField("renseigné par", max_length=15, choices=FollowUpSource.choices, blank=True)
    answered_at = models.DateTimeField("renseigné le", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # In the young person's signed link: a new one when the link is sent again.
    link_nonce = models.CharField(max_length=32, default=new_link_nonce, editable=False)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "suivi"
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["exit", "horizon"], name="follow_up_once_per_horizon"),
            models.CheckConstraint(
                name="follow_up_category_matches_situation",
                condition=(Q(situation_type="", category="") | category_matches_type("situation_type")),
            ),
            models.CheckConstraint(
                name="follow_up_answered_has_situation",
                condition=Q(status=FollowUpStatus.DUE) | ~Q(situation_type=""),
            ),
        ]
        indexes = [models.Index(fields=["horizon", "category"])]

    def __str__(self):
        return f"{self.exit.enrolment.learner} — suivi à {self.get_horizon_display()}"

    def save(self, *args, **kwargs):
        self.category = CATEGORY_OF[self.situation_type] if self.situation_type else ""
        super().save(*args, **kwargs)

    @property
    def is_positive(self) -> bool:
        return self.category in POSITIVE_CATEGORIES
