"""Background work of the internships app (django-tasks: a database queue, `plombiers db_worker`)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import TaskContext, task

from plombiers.internships.enums import InternshipStatus
from plombiers.lib.text import de
from plombiers.operations.mail import send_mail_once

# The team may send a link again (the e-mail was lost): each click is one task, whose id keys the
# e-mail — the same task run again by another worker sends nothing.


@task(takes_context=True)
def send_convention_link(context: TaskContext, signature_id: int) -> None:
    """E-mail one party the personal link to read and accept the convention (unless signed,
    expired or withdrawn)."""
    from . import services
    from .models import ConventionSignature

    signature = ConventionSignature.objects.select_related(
        "internship__enrolment__learner", "internship__enrolment__cohort__school", "internship__site__company"
    ).get(pk=signature_id)
    internship = signature.internship
    if (
        signature.is_signed
        or signature.expires_at <= timezone.now()
        or internship.status != InternshipStatus.TO_SIGN
        or not signature.email
    ):
        return
    school = internship.enrolment.cohort.school
    learner = internship.enrolment.learner
    data = {
        "signature": signature,
        "internship": internship,
        "school": school,
        "learner": f"{learner.first_name} {learner.last_name[:1]}.",
        "url": settings.SITE_URL + services.signing_link(signature),
    }
    send_mail_once(
        key=f"internships.convention_link:{signature.pk}:{context.task_result.id}",
        subject=f"{school.name} : convention de stage à signer ({internship.site.company.name})",
        message=render_to_string("internships/email/convention_link.txt", data),
        recipient_list=[signature.email],
    )


@task(takes_context=True)
def send_evaluation_link(context: TaskContext, evaluation_id: int) -> None:
    """E-mail the tutor the link of their evaluation (unless given or expired)."""
    from . import services
    from .models import TutorEvaluation

    evaluation = TutorEvaluation.objects.select_related(
        "internship__enrolment__learner", "internship__enrolment__cohort__school", "internship__tutor"
    ).get(pk=evaluation_id)
    internship = evaluation.internship
    tutor = internship.tutor
    if evaluation.submitted_at is not None or evaluation.expires_at <= timezone.now() or not tutor.email:
        return
    school = internship.enrolment.cohort.school
    learner = internship.enrolment.learner
    data = {
        "evaluation": evaluation,
        "internship": internship,
        "tutor": tutor,
        "school": school,
        "learner": f"{learner.first_name} {learner.last_name[:1]}.",
        "url": settings.SITE_URL + services.evaluation_link(evaluation),
    }
    learner_name = data["learner"]
    send_mail_once(
        key=f"internships.evaluation_link:{evaluation.pk}:{context.task_result.id}",
        subject=f"{school.name} : votre avis sur le stage {de(learner_name)}",
        message=render_to_string("internships/email/evaluation_link.txt", data),
        recipient_list=[tutor.email],
    )
