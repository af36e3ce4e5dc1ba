import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from plombiers.accounts.models import school_staff_q, scoped
from plombiers.cohorts.models import Enrolment, prescribed_by_q
from plombiers.network.models import School

from .enums import AttestationState

#: Positions in a school's status list. The W3C minimum (131,072 entries, 16 kB) gives holders
#: herd privacy: a verifier fetching the list learns nothing about which credential it checks.
STATUS_LIST_SIZE = 131_072


class IssuerKey(models.Model):
    """The public half of a school's Ed25519 signing key. The private half lives outside the
    database (see `keys.py`). Keys are never deleted: a rotated key stays published so that the
    credentials it signed still verify."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="issuer_keys")
    public_key_multibase = models.CharField("clé publique (Multikey)", max_length=60, unique=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    retired_at = models.DateTimeField("remplacée le", null=True, blank=True)

    class Meta:
        verbose_name = "clé de l'émetteur"
        verbose_name_plural = "clés des émetteurs"
        ordering = ["school", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"], condition=Q(retired_at__isnull=True), name="issuer_key_one_current"
            )
        ]

    def __str__(self):
        return f"{self.school} — {self.public_key_multibase[:16]}…"


class StatusList(models.Model):
    """A school's BitstringStatusList credential, stored exactly as signed and re-signed on
    every revocation; `next_index` hands out positions to new attestations."""

    school = models.OneToOneField(School, on_delete=models.PROTECT, related_name="status_list")
    next_index = models.PositiveIntegerField(default=0)
    credential = models.TextField("credential signé", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "liste de statut"

    def __str__(self):
        return f"Liste de statut — {self.school}"


class AttestationQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's team and network staff; the prescriber of the young person; the learner."""
        return self.filter(
            school_staff_q(user, "school")
            | prescribed_by_q(user, "enrolment")
            | Q(enrolment__learner__user=user)
        )

    def valid(self):
        return self.filter(revoked_at__isnull=True)


class Attestation(models.Model):
    """An attestation de compétences: a frozen snapshot and the Open Badges 3.0 credential signed
    from it. Never edited: a mistake is revoked and a new attestation issued."""

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="attestations", verbose_name="inscription"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="attestations")
    partial = models.BooleanField("attestation partielle (parcours interrompu)", default=False)
    snapshot = models.JSONField("contenu figé")
    # The JSON text exactly as signed: a JSONField could reorder keys (jsonb) on PostgreSQL.
    credential = models.TextField("credential Open Badges 3.0 signé")
    status_index = models.PositiveIntegerField("position dans la liste de statut")
    issued_at = models.DateTimeField("délivrée le")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.TextField("motif de la révocation", blank=True)
    # A credential re-signed in a compliant form takes over the public id (the holder's links
    # and QR codes keep working); the old row, revoked, points to it.
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name="remplacée par",
    )

    objects = AttestationQuerySet.as_manager()

    class Meta:
        verbose_name = "attestation de compétences"
        verbose_name_plural = "attestations de compétences"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "status_index"], name="attestation_status_index_unique"
            ),
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(revoked_at__isnull=True), name="attestation_one_valid"
            ),
            models.CheckConstraint(
                name="attestation_revocation_has_reason",
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
            ),
            models.CheckConstraint(
                name="attestation_replaced_is_revoked",
                condition=Q(replaced_by__isnull=True) | Q(revoked_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"Attestation {self.public_id} — {self.snapshot.get('learner', {}).get('name', '')}"

    def get_absolute_url(self):
        return reverse("credentials:attestation_detail", args=[self.public_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def state(self) -> AttestationState:
        return AttestationState.REVOKED if self.is_revoked else AttestationState.VALID

    @property
    def document(self) -> dict:
        return json.loads(self.credential)

    def get_verification_url(self):
        return reverse("credentials:verify_page", args=[self.public_id])

    def get_credential_url(self):
        return reverse("credentials:credential_json", args=[self.public_id])
