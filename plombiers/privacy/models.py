import contextvars

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from plombiers.lib.scoping import scoped

from .chain import GENESIS, canonical_details, hash_of

# Set only by `services.audit_prune_before`, the one sanctioned way to delete audit events.
_pruning = contextvars.ContextVar("audit_pruning", default=False)


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit event."""

    def __init__(self, what: str = "modifié ou supprimé"):
        super().__init__(f"Le journal d'audit ne peut pas être {what} (ajout seulement).")


class AuditEventQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Network staff read their network's trail; a school manager reads their school's. The
        rule is the user's (`User.management_q`): privacy sits below accounts and imports none of it."""
        return self.filter(user.management_q("school"))

    def update(self, **kwargs):
        raise AppendOnlyError("modifié")

    def delete(self):
        if not _pruning.get():
            raise AppendOnlyError("supprimé")
        return super().delete()

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("modifié")

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if kwargs.get("update_conflicts") or kwargs.get("ignore_conflicts"):
            raise AppendOnlyError("modifié")
        with transaction.atomic(using=self.db, savepoint=False):
            chain_append(objs)
            return super().bulk_create(objs, *args, **kwargs)


class AuditEvent(models.Model):
    """Who did what to which object, and when. Append-only, and chained by hashes (see chain.py).

    The actor and the school are kept as plain ids when their row is deleted (no constraint, no
    SET NULL): the trail may not change, and the hash covers them.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField("action", max_length=80)
    object_type = models.CharField("type d'objet", max_length=80, blank=True)
    object_id = models.CharField("identifiant", max_length=64, blank=True)
    school = models.ForeignKey(
        "network.School",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)
    details = models.JSONField("détails", default=dict, blank=True)
    prev_hash = models.CharField("empreinte précédente", max_length=64, blank=True, editable=False)
    hash = models.CharField("empreinte", max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.actor_id} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("modifié")
        with transaction.atomic(using=kwargs.get("using") or "default", savepoint=False):
            chain_append([self])
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not _pruning.get():
            raise AppendOnlyError("supprimé")
        return super().delete(*args, **kwargs)


class AuditChainHead(models.Model):
    """The single row every writer of the audit trail locks: the hash of the last event."""

    last_hash = models.CharField(max_length=64, blank=True)
    length = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "tête de la chaîne d'audit"

    def __str__(self):
        return f"{self.length} événements, dernier {self.last_hash[:12]}"


class AuditChainAnchor(models.Model):
    """A purge of the oldest audit events: the chain now starts after `last_hash`."""

    pruned_at = models.DateTimeField("date de la purge", default=timezone.now)
    pruned_before = models.DateTimeField("événements antérieurs à")
    last_event_id = models.BigIntegerField("dernier événement supprimé", null=True)
    last_hash = models.CharField("empreinte du dernier événement supprimé", max_length=64, blank=True)
    count = models.PositiveIntegerField("événements supprimés", default=0)

    class Meta:
        verbose_name = "ancre de la chaîne d'audit"
        ordering = ["-pk"]

    def __str__(self):
        return f"purge du {self.pruned_at:%d/%m/%Y} : {self.count} événements avant le {self.pruned_before:%d/%m/%Y}"


def chain_head_lock() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # a flushed test database, or the very first event
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def chain_append(events: list[AuditEvent]) -> None:
    """Link new events after the head, in order, and move the head (the caller inserts them in the
    same transaction)."""
    if not events:
        return
    head = chain_head_lock()
    prev = head.last_hash or GENESIS
    for event in events:
        if event.pk is not None:
            raise AppendOnlyError("modifié")
        event.details = canonical_details(event.details)
        event.prev_hash = prev
        event.hash = prev = hash_of(event)
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev, length=models.F("length") + len(events))


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
