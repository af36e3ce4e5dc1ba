"""Background work of the referrals app (django-tasks: a database queue, `plombiers db_worker`)."""

from django.conf import settings
from django.template.loader import render_to_string
from django_tasks import task

from plombiers.lib.text import de
from plombiers.operations.mail import send_mail_once


@task()
def send_referral_decision(event_id: int) -> None:
    """E-mail the prescriber the school's decision on their referral (once per decision)."""
    from .models import ReferralEvent

    event = ReferralEvent.objects.select_related(
        "referral__learner", "referral__school", "referral__prescriber"
    ).get(pk=event_id)
    referral = event.referral
    context = {"referral": referral, "event": event, "site_url": settings.SITE_URL}
    send_mail_once(
        key=f"referrals.decision:{event.pk}",
        subject=f"Prescription {de(referral.learner.first_name)} {referral.learner.last_name[:1]}. : "
        f"{event.get_to_status_display().lower()}",
        message=render_to_string("referrals/email/decision.txt", context),
        recipient_list=[referral.prescriber.email],
    )
