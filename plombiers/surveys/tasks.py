"""Background work of the surveys app (django-tasks: a database queue, `plombiers db_worker`)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from plombiers.operations.mail import send_mail_once


@task()
def send_survey_invitation(invitation_id: int) -> None:
    """E-mail one person the signed link of their questionnaire (unless answered or expired)."""
    from .models import SurveyInvitation
    from .questionnaires import questionnaire

    invitation = SurveyInvitation.objects.select_related("cohort__school").get(pk=invitation_id)
    if invitation.is_answered or invitation.is_expired() or not invitation.email:
        return
    context = {
        "invitation": invitation,
        "questionnaire": questionnaire(invitation.audience, invitation.questionnaire_version),
        "url": settings.SITE_URL + invitation.get_answer_url(),
    }
    send_mail_once(
        key=f"surveys.invitation:{invitation.pk}",
        subject=f"{invitation.cohort.school.name} : votre avis sur la formation en deux minutes"
        if invitation.audience == "learner"
        else f"{invitation.cohort.school.name} : votre avis nous intéresse",
        message=render_to_string("surveys/email/invitation.txt", context),
        recipient_list=[invitation.email],
        then=lambda: SurveyInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now()),
    )
