"""Private iCalendar feeds (issue 22): a secret address per person and target, that a phone's
calendar reads without logging in. Only the SHA-256 of the secret is kept, like the API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from plombiers.cohorts.models import Cohort
from plombiers.lib.scoping import scoped

from .enums import FeedKind


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class CalendarFeedQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """A feed is its owner's alone (a superuser's admin aside)."""
        return self.filter(owner=user)

    def active(self):
        return self.filter(revoked_at__isnull=True, owner__is_active=True)

    def for_raw(self, raw: str):
        """The live feed behind a secret, with its owner and target (one query)."""
        return self.active().filter(key_hash=hash_token(raw)).select_related("owner", "cohort__school")


class CalendarFeed(models.Model):
    """One secret address: the half-days of a cohort for one of its trainers, or a young person's
    own planning (half-days, internship weeks, support appointments)."""

    PREFIX = "agd_"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name="titulaire",
    )
    kind = models.CharField("contenu", max_length=10, choices=FeedKind.choices)
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="promotion",
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    last_used_at = models.DateTimeField("dernière lecture", null=True, blank=True)
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = "agenda"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="calendarfeed_target_matches_kind",
                condition=Q(kind=FeedKind.COHORT, cohort__isnull=False)
                | Q(kind=FeedKind.LEARNER, cohort__isnull=True),
            )
        ]
        indexes = [models.Index(fields=["owner", "kind", "cohort"], name="calendarfeed_owner_target")]

    def __str__(self):
        return f"{self.owner} — {self.get_kind_display()}"

    @classmethod
    def new_raw(cls) -> tuple[str, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        return raw, hash_token(raw)


class EventRevision(models.Model):
    """What a feed last said of one event, to number its changes (SEQUENCE) and date them
    (DTSTAMP): a calendar application replaces its copy when the number grows."""

    uid = models.CharField(max_length=200, unique=True)
    digest = models.CharField(max_length=64)
    sequence = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "révision d'un évènement d'agenda"

    def __str__(self):
        return f"{self.uid} ({self.sequence})"
