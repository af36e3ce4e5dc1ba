"""Background work of the outcomes app (django-tasks: a database queue, `plombiers db_worker`)."""

import datetime as dt

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from plombiers.operations.mail import send_mail_once


@task()
def notify_follow_ups_due(on: str) -> int:
    """The daily to-do (`plombiers daily` enqueues it): each school with follow-ups falling due
    that day e-mails its social workers a digest, and each young person gets their link. Returns
    the number of follow-ups falling due. Run twice, it sends nothing twice: each e-mail is keyed
    by its school and day, or by its follow-up and link."""
    from .models import FollowUp

    day = dt.date.fromisoformat(on)
    due = FollowUp.objects.due().filter(due_on=day)
    for school_id in due.values_list("exit__enrolment__cohort__school", flat=True).distinct().order_by():
        send_follow_up_digest.enqueue(school_id, on)
    for pk in due.exclude(exit__enrolment__learner__email="").values_list("pk", flat=True).order_by("pk"):
        send_follow_up_link.enqueue(pk)
    return due.count()


@task()
def send_follow_up_digest(school_id: int, on: str) -> int:
    """E-mail the social workers of a school the follow-ups falling due that day (first names and
    the initial of the last name only: the page behind the link shows the rest)."""
    from plombiers.accounts.enums import Role
    from plombiers.accounts.models import User
    from plombiers.network.models import School

    from .models import FollowUp

    day = dt.date.fromisoformat(on)
    school = School.objects.get(pk=school_id)
    follow_ups = list(
        FollowUp.objects.due()
        .filter(due_on=day, exit__enrolment__cohort__school=school)
        .select_related("exit__enrolment__learner", "exit__enrolment__cohort")
        .order_by("exit__enrolment__learner__last_name", "pk")
    )
    recipients = list(
        User.objects.filter(is_active=True, memberships__school=school, memberships__role=Role.SOCIAL_WORKER)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
        .order_by("email")
    )
    if not follow_ups or not recipients:
        return 0
    context = {
        "school": school,
        "day": day,
        "follow_ups": follow_ups,
        "url": settings.SITE_URL + reverse("outcomes:follow_up_list"),
    }
    count = len(follow_ups)
    sent = send_mail_once(
        key=f"outcomes.digest:{school.pk}:{day.isoformat()}",
        subject=f"{school.name} : {count} suivi{'s' if count > 1 else ''} de sortie à faire",
        message=render_to_string("outcomes/email/digest.txt", context),
        recipient_list=recipients,
    )
    return count if sent else 0


@task()
def send_follow_up_link(follow_up_id: int) -> None:
    """E-mail the young person the link of their follow-up (unless answered or closed): once per
    link (a link renewed by the team is a new one)."""
    from . import services
    from .models import FollowUp

    follow_up = FollowUp.objects.select_related(
        "exit__enrolment__learner", "exit__enrolment__cohort__school"
    ).get(pk=follow_up_id)
    learner = follow_up.exit.enrolment.learner
    if services.link_state(follow_up) != "open" or not learner.email:
        return
    context = {
        "follow_up": follow_up,
        "learner": learner,
        "school": follow_up.exit.enrolment.cohort.school,
        "until": services.no_news_on(follow_up),
        "url": settings.SITE_URL + services.follow_up_link(follow_up),
    }
    send_mail_once(
        key=f"outcomes.follow_up_link:{follow_up.pk}:{follow_up.link_nonce}",
        subject=f"{context['school'].name} : que deviens-tu ? (trois questions)",
        message=render_to_string("outcomes/email/follow_up_link.txt", context),
        recipient_list=[learner.email],
    )
