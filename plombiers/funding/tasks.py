"""Background work of the funding app (django-tasks: a database queue, `plombiers db_worker`)."""

from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from plombiers.operations.mail import send_mail_once


@task()
def send_report_reminders() -> int:
    """E-mail a reminder for each report due within 15 days (or late) and not yet done: to the
    school's managers, or to the network staff for a grant of the network itself. Once a week per
    report at most (the date of the reminder is noted with its e-mail: run twice, it sends nothing
    twice). Returns the number of reminders sent."""
    from plombiers.accounts.enums import Role
    from plombiers.accounts.models import Membership

    from .models import GrantReport
    from .services import reports_to_remind

    today = timezone.localdate()
    reports = list(reports_to_remind(today))
    if not reports:
        return 0
    school_ids = {r.grant.school_id for r in reports if r.grant.school_id}
    network_ids = {r.grant.network_id for r in reports if not r.grant.school_id}
    managers, staff = {}, {}
    for m in Membership.objects.filter(
        role=Role.SCHOOL_MANAGER, school__in=school_ids, user__is_active=True
    ).select_related("user"):
        managers.setdefault(m.school_id, []).append(m.user.email)
    for m in Membership.objects.filter(
        role=Role.NETWORK_STAFF, network__in=network_ids, user__is_active=True
    ).select_related("user"):
        staff.setdefault(m.network_id, []).append(m.user.email)
    sent = 0
    for report in reports:
        grant = report.grant
        recipients = managers.get(grant.school_id, []) if grant.school_id else staff.get(grant.network_id, [])
        if not recipients:
            continue
        late = report.due_on < today
        context = {"report": report, "grant": grant, "late": late, "days": (report.due_on - today).days}
        sent += send_mail_once(
            key=f"funding.report_reminder:{report.pk}:{today.isoformat()}",
            subject=f"{'En retard' if late else 'Rappel'} : {report.title} pour {grant.funder.name} "
            f"(à remettre le {report.due_on:%d/%m/%Y})",
            message=render_to_string("funding/email/report_reminder.txt", context),
            recipient_list=sorted(set(recipients)),
            then=lambda pk=report.pk: GrantReport.objects.filter(pk=pk).update(reminded_on=today),
        )
    return sent
