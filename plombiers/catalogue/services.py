"""Writes of the public catalogue: a young person's application (« candidature directe »), through
the referral service, and the rate limit of the form."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from plombiers.cohorts.models import Cohort
from plombiers.privacy.services import audit_log
from plombiers.referrals.enums import ReferralSource
from plombiers.referrals.models import Referral
from plombiers.referrals.services import referral_create

from . import tasks
from .models import ApplicationAttempt

#: Applications sent from one address within `RATE_WINDOW` before the form answers 429.
RATE_LIMIT = 5
RATE_WINDOW = dt.timedelta(hours=1)
#: A person needs more than this to fill the form; a robot posts at once.
MIN_FILL_SECONDS = 3


def _address_key(address: str) -> str:
    return salted_hmac("plombiers.catalogue.address", address or "").hexdigest()


def application_rate_limited(*, address: str, now: dt.datetime | None = None) -> bool:
    """Whether this address has sent `RATE_LIMIT` applications within the window (one query)."""
    now = now or timezone.now()
    recent = ApplicationAttempt.objects.filter(address_key=_address_key(address), at__gt=now - RATE_WINDOW)
    return recent.count() >= RATE_LIMIT


@transaction.atomic
def application_attempt_record(*, address: str, now: dt.datetime | None = None) -> None:
    """Count one application sent from this address; forget those older than a day."""
    now = now or timezone.now()
    ApplicationAttempt.objects.filter(at__lt=now - max(RATE_WINDOW, dt.timedelta(days=1))).delete()
    ApplicationAttempt.objects.create(address_key=_address_key(address), at=now)


def _motivation(cohort: Cohort, learner_data: dict[str, Any], expectations: str) -> str:
    """The session wanted, the contact left (kept here too: a self-referral never writes into a
    record the school already has), and what the young person expects."""
    lines = [f"Session visée : {cohort.name}, du {cohort.start_date:%d/%m/%Y} au {cohort.end_date:%d/%m/%Y}."]
    contact = [v for v in (learner_data.get("phone"), learner_data.get("email")) if v]
    if contact:
        lines.append(f"Coordonnées laissées : {' · '.join(contact)}.")
    if expectations.strip():
        lines.append(f"Ce que j'attends de la formation : {expectations.strip()}")
    return "\n\n".join(lines)


@transaction.atomic
def self_referral_create(
    *, cohort: Cohort, learner_data: dict[str, Any], expectations: str, contact_consent: bool
) -> Referral | None:
    """A young person applies to a cohort of the catalogue: a referral of source « candidature
    directe », without prescriber, made by the referral service (same duplicate rules, same
    eligibility), and an e-mail to the school's direction once it is committed.

    None when the school already has an open referral of this person: the applicant sees the same
    confirmation as anybody (a public form never tells whether a person is known), nothing is
    written but an audit event without personal data."""
    if not contact_consent:
        raise ValidationError(
            {"contact_consent": "Sans votre accord pour être contacté·e, l'école ne peut pas vous rappeler."}
        )
    try:
        result = referral_create(
            by=None,
            school=cohort.school,
            learner_data=learner_data,
            motivation=_motivation(cohort, learner_data, expectations),
            source=ReferralSource.SELF_REFERRAL,
            contact_consent=True,
        )
    except ValidationError as error:
        if getattr(error, "code", None) != "duplicate_referral":
            raise
        audit_log(
            actor=None,
            action="catalogue.self_referral.duplicate",
            school=cohort.school,
            details={"cohort": cohort.pk},
        )
        return None
    referral = result.referral
    audit_log(actor=None, action="catalogue.self_referral", obj=referral, details={"cohort": cohort.pk})
    transaction.on_commit(lambda: tasks.send_self_referral_notice.enqueue(referral.pk))
    return referral
