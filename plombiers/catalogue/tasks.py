"""Background work of the catalogue (django-tasks: a database queue, `plombiers db_worker`)."""

from django.conf import settings
from django.template.loader import render_to_string
from django_tasks import task

from plombiers.lib.text import de
from plombiers.operations.mail import send_mail_once


@task()
def send_self_referral_notice(referral_id: int) -> None:
    """E-mail the school's direction (its managers; the school's address when it has none) that a
    young person applied from the catalogue (once per application). First name and initial only:
    the rest is read in Plombiers, behind the login."""
    from plombiers.accounts.enums import Role
    from plombiers.accounts.models import User
    from plombiers.referrals.models import Referral

    referral = Referral.objects.select_related("learner", "school").get(pk=referral_id)
    school = referral.school
    recipients = sorted(
        set(
            User.objects.filter(
                is_active=True, memberships__role=Role.SCHOOL_MANAGER, memberships__school=school
            ).values_list("email", flat=True)
        )
    ) or ([school.email] if school.email else [])
    if not recipients:
        return
    context = {"referral": referral, "school": school, "site_url": settings.SITE_URL}
    send_mail_once(
        key=f"catalogue.self_referral:{referral.pk}",
        subject=f"Candidature directe {de(referral.learner.first_name)} {referral.learner.last_name[:1]}. "
        f"à {school.name}",
        message=render_to_string("catalogue/email/self_referral.txt", context),
        recipient_list=recipients,
    )
