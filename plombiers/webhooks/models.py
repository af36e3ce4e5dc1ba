from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Q

from plombiers.accounts.enums import ORGANISATION_ROLES, Role
from plombiers.accounts.models import Membership
from plombiers.lib.scoping import scoped
from plombiers.network.models import Organisation
from plombiers.privacy.crypto import EncryptedTextField

from .enums import OPEN_STATUSES, DeliveryStatus, WebhookEvent


class SubscriptionQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The members of the subscribing organisation (prescriber, funder); the network staff of its
        network. Nobody else, not even the schools the events are about."""
        mine = Membership.objects.filter(user=user)
        return self.filter(
            Q(organisation__in=mine.filter(role__in=ORGANISATION_ROLES).values("organisation"))
            | Q(organisation__network__in=mine.filter(role=Role.NETWORK_STAFF).values("network"))
        )

    def active(self):
        return self.filter(active=True)


class Subscription(models.Model):
    """A partner system's URL that receives, signed, the events its organisation may read."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name="organisation"
    )
    url = models.URLField("adresse de réception", max_length=500)
    events = models.JSONField("événements", default=list)
    description = models.CharField("description", max_length=200, blank=True)
    # The HMAC key: shown once at creation, encrypted at rest, never given back by page or API.
    secret = EncryptedTextField("secret")
    active = models.BooleanField("active", default=True)
    # `impact.updated`: a digest of the figures last sent, so that a night without change sends nothing.
    impact_digest = models.CharField("empreinte des derniers indicateurs envoyés", max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="créée par",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = "abonnement webhook"
        verbose_name_plural = "abonnements webhook"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.url

    def event_labels(self) -> list[str]:
        return [WebhookEvent(event).label for event in self.events if event in WebhookEvent.values]


class DeliveryQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Exactly the deliveries of the subscriptions the user sees."""
        return self.filter(subscription__in=Subscription.objects.visible_to(user))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Delivery(models.Model):
    """One event sent (or to send) to one subscription, with its attempts. `event_id` is the body's
    `id` (the same for a delivery sent again with « Renvoyer »), `uuid` the `Plombiers-Delivery`."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name="abonnement"
    )
    uuid = models.UUIDField("identifiant de livraison", default=uuid4, unique=True, editable=False)
    event_id = models.UUIDField("identifiant de l'événement", default=uuid4, db_index=True)
    event = models.CharField("événement", max_length=30, choices=WebhookEvent.choices)
    payload = models.JSONField("corps")
    status = models.CharField(
        "statut", max_length=15, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochain essai", null=True, blank=True)
    last_attempt_at = models.DateTimeField("dernier essai", null=True, blank=True)
    response_code = models.PositiveSmallIntegerField("code de réponse", null=True, blank=True)
    response_excerpt = models.CharField("extrait de la réponse", max_length=500, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    delivered_at = models.DateTimeField("livrée le", null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = "livraison webhook"
        verbose_name_plural = "livraisons webhook"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} → {self.subscription_id}"
