"""The referrals' nightly work: an open referral untouched for 60 days expires."""

from plombiers.lib.nightly import Job

from .services import referrals_expire


def expire() -> str:
    return f"{referrals_expire()} prescription(s) expirée(s) après 60 jours sans suite."


JOBS = [Job(order=20, name="referrals_expire", run=expire)]
