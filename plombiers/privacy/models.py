from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from plombiers.lib.scoping import scoped


class AuditEventQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Network staff read their network's trail; a school manager reads their school's. The
        rule is the user's (`User.management_q`): privacy sits below accounts and imports none of it."""
        return self.filter(user.management_q("school"))


class AuditEvent(models.Model):
    """Who did what to which object, and when. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField("action", max_length=80)
    object_type = models.CharField("type d'objet", max_length=80, blank=True)
    object_id = models.CharField("identifiant", max_length=64, blank=True)
    school = models.ForeignKey(
        "network.School", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    details = models.JSONField("détails", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return (
            f"{self.created_at:%d/%m/%Y %H:%M} {self.actor} {self.action} {self.object_type}#{self.object_id}"
        )


class RetentionSetting(models.Model):
    """A network's own duration for one retention rule (`retention.RULES`); the default otherwise."""

    network = models.ForeignKey(
        "network.Network", on_delete=models.CASCADE, related_name="retention_settings", verbose_name="réseau"
    )
    key = models.CharField("règle", max_length=40)
    months = models.PositiveSmallIntegerField("durée (mois)")

    class Meta:
        verbose_name = "durée de conservation"
        verbose_name_plural = "durées de conservation"
        constraints = [
            models.UniqueConstraint(fields=["network", "key"], name="retention_setting_one_per_rule"),
            models.CheckConstraint(name="retention_setting_months_positive", condition=Q(months__gte=1)),
        ]

    def __str__(self):
        return f"{self.network} — {self.key} : {self.months} mois"


class ErasureDecision(models.TextChoices):
    PENDING = "pending", "à décider"
    ACCEPTED = "accepted", "acceptée : personne anonymisée"
    REFUSED = "refused", "refusée"


class ErasureRequestQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's manager and the network staff: those who decide."""
        return self.filter(user.management_q("learner__school"))


class ErasureRequest(models.Model):
    """A request to erase a person's data (RGPD art. 17) and its decision. On acceptance the person
    is anonymised at once, except what a legal obligation keeps (`kept`)."""

    learner = models.ForeignKey(
        "referrals.Learner", on_delete=models.CASCADE, related_name="erasure_requests", verbose_name="jeune"
    )
    requested_at = models.DateTimeField("demandée le", default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="enregistrée par",
    )
    reason = models.TextField("motif de la demande")
    decision = models.CharField(
        "décision", max_length=10, choices=ErasureDecision.choices, default=ErasureDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidée par",
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    refusal_reason = models.TextField("motif du refus", blank=True)
    kept = models.TextField("conservé au titre d'une obligation légale", blank=True)

    objects = ErasureRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande d'effacement"
        verbose_name_plural = "demandes d'effacement"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="erasure_decided_has_date",
                condition=Q(decision=ErasureDecision.PENDING) | Q(decided_at__isnull=False),
            ),
            models.CheckConstraint(
                name="erasure_refusal_has_reason",
                condition=~Q(decision=ErasureDecision.REFUSED) | ~Q(refusal_reason=""),
            ),
        ]

    def __str__(self):
        return f"Demande d'effacement n° {self.pk}"
