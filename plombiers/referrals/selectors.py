"""Reads shared by the referral pages and the API."""

from dataclasses import dataclass

from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Organisation

from .models import Referral, ReferralEvent
from .permissions import reads_as_school


def prescriber_organisations(user):
    """The prescriber structures a referral may be made on behalf of."""
    return Organisation.objects.visible_to(user).filter(kind=OrganisationKind.PRESCRIBER).order_by("name")


@dataclass(frozen=True)
class ReferralReading:
    """What of a referral's decision this person may read: the rule, written once.

    The school's team and the network staff read everything. Anybody else (the prescriber) reads
    the reason of a decision and its detail only once the school chose to share them, never whether
    an unshared reason exists, and never the reasons or notes of the history's events (except the
    notes they wrote themselves)."""

    school_side: bool
    shows_reason: bool
    reason: str
    reason_detail: str
    # Whether the reason was shared with the prescriber: for the school only (None for others).
    reason_shared: bool | None
    user_id: int | None

    def event_reason(self, event: ReferralEvent) -> str:
        return event.reason if self.school_side else ""

    def event_note(self, event: ReferralEvent) -> str:
        return event.note if self.school_side or (event.by_id and event.by_id == self.user_id) else ""


def referral_reading(referral: Referral, user) -> ReferralReading:
    school_side = reads_as_school(user, referral)
    shows_reason = bool(referral.reason) and (school_side or referral.reason_shared)
    return ReferralReading(
        school_side=school_side,
        shows_reason=shows_reason,
        reason=referral.reason if shows_reason else "",
        reason_detail=referral.reason_detail if shows_reason else "",
        reason_shared=referral.reason_shared if school_side else None,
        user_id=user.pk,
    )
