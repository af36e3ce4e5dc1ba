"""What the public catalogue keeps: the submissions of its application form, per address, for the
rate limit (no personal data: the address is kept under an HMAC; each new submission deletes
those older than a day)."""

from django.db import models
from django.utils import timezone


class ApplicationAttempt(models.Model):
    """One application form sent from an address (an HMAC of it): the rate limit counts them."""

    address_key = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "envoi du formulaire de candidature"
        verbose_name_plural = "envois du formulaire de candidature"

    def __str__(self):
        return f"{self.address_key[:8]}… {self.at:%d/%m/%Y %H:%M}"
