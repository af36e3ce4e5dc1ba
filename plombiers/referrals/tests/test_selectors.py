"""Who reads a referral's reason: the one rule that the page and the API both apply."""

from plombiers.referrals import services
from plombiers.referrals.enums import DecisionReason, ReferralStatus
from plombiers.referrals.selectors import referral_reading
from plombiers.referrals.tests.factories import ReferralFactory

S = ReferralStatus


def _refused(cast, *, shared: bool):
    referral = ReferralFactory(school=cast.school_a, created_by=cast.prescriber)
    services.referral_transition(
        referral=referral,
        to=S.REFUSED,
        by=cast.manager_a,
        reason=DecisionReason.BARRIERS,
        reason_detail="Santé",
        reason_shared=shared,
        note="Note de l'école",
    )
    referral.refresh_from_db()
    return referral


def test_the_school_reads_everything(cast):
    referral = _refused(cast, shared=False)
    for user in (cast.manager_a, cast.trainer_a, cast.staff):
        reading = referral_reading(referral, user)
        assert reading.school_side and reading.shows_reason
        assert (reading.reason, reading.reason_detail, reading.reason_shared) == ("freins", "Santé", False)
        event = referral.events.latest("pk")
        assert (reading.event_reason(event), reading.event_note(event)) == ("freins", "Note de l'école")


def test_the_prescriber_reads_a_shared_reason_only_and_never_the_school_notes(cast):
    hidden = referral_reading(_refused(cast, shared=False), cast.prescriber)
    assert not hidden.school_side and not hidden.shows_reason
    assert (hidden.reason, hidden.reason_detail, hidden.reason_shared) == ("", "", None)
    referral = _refused(cast, shared=True)
    shown = referral_reading(referral, cast.prescriber)
    assert (shown.reason, shown.reason_detail, shown.reason_shared) == ("freins", "Santé", None)
    event = referral.events.latest("pk")
    assert (shown.event_reason(event), shown.event_note(event)) == ("", "")
