from django.conf import settings
from django.db import models
from django.db.models import Q

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, scoped
from plombiers.referrals.models import Learner

from .enums import RectificationField, RectificationStatus

# Who handles rectification requests: the school's direction and its social workers.
RECTIFIERS = (Role.SCHOOL_MANAGER, Role.SOCIAL_WORKER)


class RectificationRequestQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The young person; the school's direction and social workers; the network's staff."""
        mine = Membership.objects.filter(user=user)
        return self.filter(
            Q(learner__user=user)
            | Q(learner__school__in=mine.filter(role__in=RECTIFIERS).values("school"))
            | Q(learner__school__network__in=mine.filter(role=Role.NETWORK_STAFF).values("network"))
        )

    def open(self):
        return self.filter(status=RectificationStatus.OPEN)


class RectificationRequest(models.Model):
    """A young person asks for a correction of their data (RGPD art. 16)."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="rectification_requests")
    field = models.CharField("donnée à corriger", max_length=20, choices=RectificationField.choices)
    requested_value = models.CharField("valeur demandée", max_length=300)
    message = models.TextField("message", blank=True, max_length=2000)
    status = models.CharField(
        "état", max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    created_at = models.DateTimeField("demandée le", auto_now_add=True)
    decided_at = models.DateTimeField("traitée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField("motif", blank=True, max_length=2000)

    objects = RectificationRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de rectification"
        verbose_name_plural = "demandes de rectification"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "learner"])]

    def __str__(self):
        return f"{self.learner} — {self.get_field_display()} ({self.get_status_display()})"
