"""E-mails are never sent twice for one event, whatever the task that sends them goes through."""

import pytest
from django.core import mail

from plombiers.operations import mail as outbox
from plombiers.operations.models import SentEmail
from plombiers.referrals import services as referral_services
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.models import ReferralEvent
from plombiers.referrals.tasks import send_referral_decision
from plombiers.referrals.tests.factories import ReferralFactory


def send(key="test:1", **kwargs):
    return outbox.send_mail_once(
        key=key, subject="Sujet", message="Corps", recipient_list=["a@test.example"], **kwargs
    )


@pytest.mark.django_db
def test_one_event_one_email():
    assert send() is True
    assert send() is False
    assert len(mail.outbox) == 1
    assert SentEmail.objects.get().state == SentEmail.State.SENT


@pytest.mark.django_db
def test_an_attempt_that_died_while_sending_is_not_sent_again():
    """The worker was killed between the SMTP server's answer and the « sent » mark."""
    SentEmail.objects.create(key="test:1", state=SentEmail.State.SENDING)
    noted = []
    assert send(then=lambda: noted.append("reminded")) is False
    assert mail.outbox == []
    assert noted == ["reminded"], "what the e-mail marks is marked all the same"
    assert SentEmail.objects.get().state == SentEmail.State.UNCERTAIN


@pytest.mark.django_db
def test_a_send_that_failed_gives_the_claim_back(monkeypatch):
    def refused(**kwargs):
        raise ConnectionRefusedError("SMTP")

    monkeypatch.setattr(outbox, "send_mail", refused)
    with pytest.raises(ConnectionRefusedError):
        send()
    assert not SentEmail.objects.exists()
    monkeypatch.undo()
    assert send() is True
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_decision_task_run_twice_mails_the_prescriber_once(cast, django_capture_on_commit_callbacks):
    """The worker died after sending and the task was queued again: no second e-mail."""
    referral = ReferralFactory(school=cast.school_a, prescriber=cast.prescriber)
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_transition(
            referral=referral, to=ReferralStatus.WAITLIST, by=cast.manager_a
        )
    assert len(mail.outbox) == 1
    event = ReferralEvent.objects.filter(referral=referral).latest("pk")
    send_referral_decision.enqueue(event.pk)
    assert len(mail.outbox) == 1
