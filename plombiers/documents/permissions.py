"""Who may download the training documents: one predicate per rule, on the base in
`accounts.permissions` (no query beyond the memberships already loaded)."""

from plombiers.accounts.permissions import is_school_side
from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment


def can_download(user, cohort: Cohort) -> bool:
    """The school's team and its network staff: the same rule as `services.visible_cohorts`."""
    if not user.is_authenticated or not user.is_active:
        return False
    return is_school_side(user, cohort.school)


def learner_may_download(enrolment: Enrolment) -> bool:
    """A learner gets their certificat and attestation once their training is over (finished or left)."""
    return enrolment.status != EnrolmentStatus.ACTIVE or enrolment.cohort.status == CohortStatus.FINISHED
