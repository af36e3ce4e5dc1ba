from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from plombiers.accounts.models import school_staff_q, scoped
from plombiers.cohorts.models import Enrolment
from plombiers.network.models import School
from plombiers.privacy.crypto import EncryptedTextField

from .enums import AlertStatus, Rule


class AlertQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's team (manager, trainers, social workers) and the network staff; never the
        young person, a prescriber or a funder."""
        return self.filter(school_staff_q(user))

    def open(self):
        return self.filter(acknowledged_at__isnull=True)

    def acknowledged(self):
        return self.filter(acknowledged_at__isnull=False)

    def with_status(self, status: str):
        if status == AlertStatus.OPEN:
            return self.open()
        if status == AlertStatus.ACKNOWLEDGED:
            return self.acknowledged()
        return self

    def with_list_related_data(self):
        return self.select_related("enrolment__learner", "enrolment__cohort", "acknowledged_by")

    def open_first(self):
        """Open alerts first, the newest first; then the acknowledged ones, the latest first."""
        return self.order_by(F("acknowledged_at").desc(nulls_first=True), "-raised_on", "-pk")


class Alert(models.Model):
    """A young person who may be about to drop out, the rule that says so and why, until a member of
    the team acknowledges it with a note of what was done."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="alerts", verbose_name="inscription"
    )
    # The enrolment's school, copied: the menu counts the open alerts of one's schools on every page.
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name="école")
    rule = models.CharField("règle", max_length=20, choices=Rule.choices)
    reason = models.CharField("motif", max_length=500)
    facts = models.JSONField("faits", default=dict, blank=True)
    raised_on = models.DateField("levée le")
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField("prise en compte le", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="prise en compte par",
    )
    note = EncryptedTextField("note", blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = "alerte"
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "rule"],
                condition=Q(acknowledged_at__isnull=True),
                name="alert_one_open_per_rule",
            ),
            models.CheckConstraint(
                name="alert_acknowledged_with_a_note",
                condition=Q(acknowledged_at__isnull=True, note="")
                | (Q(acknowledged_at__isnull=False) & ~Q(note="")),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "acknowledged_at"]),
            models.Index(fields=["enrolment", "rule"]),
        ]

    def __str__(self):
        return f"{self.enrolment.learner} — {self.get_rule_display()} ({self.raised_on:%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("alerts:alert_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def status(self) -> AlertStatus:
        return AlertStatus.OPEN if self.is_open else AlertStatus.ACKNOWLEDGED
