"""Reads shared by the attestations' pages and the director's home."""

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Enrolment

from .models import Attestation


def to_issue(user):
    """Enrolments ended (completed or interrupted, with an end date) with no valid attestation, of a
    cohort with a skills framework, in the schools where the user issues attestations (their
    management, or their network): what `services.check_issuable` lets through. Oldest end first."""
    valid = Attestation.objects.filter(revoked_at__isnull=True)
    return (
        Enrolment.objects.visible_to(user)
        .filter(
            user.management_q("cohort__school"),
            status__in=(EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT),
            end_date__isnull=False,
            cohort__framework__isnull=False,
        )
        .exclude(pk__in=valid.values("enrolment"))
        .select_related("learner", "cohort__school")
        .order_by("end_date", "pk")
    )
