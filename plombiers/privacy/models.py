from django.conf import settings
from django.db import models

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
