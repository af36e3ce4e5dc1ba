import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from plombiers.referrals import services
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.tests.factories import ReferralFactory


@pytest.mark.django_db(transaction=True)
def test_decision_emails_go_through_the_database_queue(cast, settings, mailoutbox):
    """With the production backend the e-mail waits in the database until a worker sends it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    referral = ReferralFactory(school=cast.school_a, prescriber=cast.prescriber)
    services.referral_transition(referral=referral, to=ReferralStatus.WAITLIST, by=cast.manager_a)
    assert DBTaskResult.objects.count() == 1
    assert mailoutbox == []
    call_command("db_worker", "--batch", verbosity=0)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [cast.prescriber.email]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_daily_command_expires_stale_referrals(cast, capsys):
    import datetime as dt

    from django.utils import timezone

    from plombiers.referrals.models import Referral

    referral = ReferralFactory(school=cast.school_a)
    Referral.objects.filter(pk=referral.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=70))
    call_command("daily")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.EXPIRED
    assert "1 prescription(s) expirée(s)" in capsys.readouterr().out
    assert services.referrals_expire() == 0
