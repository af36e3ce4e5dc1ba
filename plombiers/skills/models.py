import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Max, Q
from django.urls import reverse

from plombiers.accounts.models import school_staff_q, scoped
from plombiers.cohorts.models import Enrolment, prescribed_by_q
from plombiers.frameworks.models import Skill

from .enums import Context, Level


class ObservationQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's team and network staff; the learner's prescriber and the learner themself."""
        return self.filter(
            school_staff_q(user, "enrolment__cohort__school")
            | prescribed_by_q(user, "enrolment")
            | Q(enrolment__learner__user=user)
        )

    def detailed_for(self, user):
        """Observations read in full, with comments and evidence: the school's team, network staff and
        the learner. A prescriber reads only the summary (acquired skills per block)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(
            school_staff_q(user, "enrolment__cohort__school") | Q(enrolment__learner__user=user)
        )

    def current(self):
        """The latest observation of each (enrolment, skill): the current level. Corrections are
        new observations, so the latest recorded one wins."""
        latest = self.values("enrolment", "skill").annotate(last=Max("pk")).values("last")
        return self.filter(pk__in=latest)


class Observation(models.Model):
    """A trainer (or a tutor) saw a learner perform a gesture at a level. Append-only."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="observations")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="observations")
    level = models.CharField("niveau", max_length=12, choices=Level.choices)
    observed_on = models.DateField("date")
    context = models.CharField("contexte", max_length=10, choices=Context.choices, default=Context.PLATFORM)
    is_positioning = models.BooleanField("positionnement d'entrée", default=False)
    comment = models.TextField("commentaire", blank=True)
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="observé par",
    )
    observer_name = models.CharField("nom de l'observateur·rice", max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = "observation"
        ordering = ["-observed_on", "-pk"]
        indexes = [models.Index(fields=["enrolment", "skill", "id"], name="observation_current")]

    def __str__(self):
        return f"{self.enrolment.learner} — {self.skill.code} : {self.get_level_display()}"


def evidence_path(instance, filename: str) -> str:
    # A random name: the original one stays in the database, never in a URL.
    return f"evidence/{instance.observation.enrolment.cohort_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class Evidence(models.Model):
    """A photo, an OTDR trace or a PDF attached to an observation; served only after a permission check."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=250)
    kind = models.CharField("type", max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    original_name = models.CharField("nom d'origine", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "preuve"
        verbose_name_plural = "preuves"
        ordering = ["pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("skills:evidence_file", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return self.kind in ("jpeg", "png", "webp")
