"""Background work of the invitations (django-tasks: a database queue, `plombiers db_worker`)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from plombiers.operations.mail import send_mail_once


@task()
def send_invitation(invitation_id: int, nonce: str) -> None:
    """E-mail the link of one sending of an invitation (once per nonce: a re-send is a new e-mail)."""
    from .models import TeamInvitation

    invitation = TeamInvitation.objects.select_related("school", "network", "invited_by").get(
        pk=invitation_id
    )
    if invitation.nonce != nonce or not invitation.is_pending:
        return  # re-sent since (a newer e-mail carries the link), revoked or accepted
    link = settings.SITE_URL + reverse("invitations:accept", args=[invitation.token()])
    context = {"invitation": invitation, "link": link, "days": settings.PLOMBIERS_INVITATION_DAYS}
    send_mail_once(
        key=f"invitations.send:{invitation.pk}:{nonce}",
        subject=f"Invitation à rejoindre {invitation.school or invitation.network} sur Plombiers",
        message=render_to_string("invitations/email/invitation.txt", context),
        recipient_list=[invitation.email],
    )
