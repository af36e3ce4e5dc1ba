from django import template

from plombiers.documents.permissions import can_download, learner_may_download

register = template.Library()


@register.filter
def may_download_documents(user, cohort) -> bool:
    """The school's team and the network staff: read from the loaded memberships, no query."""
    return can_download(user, cohort)


@register.filter
def learner_documents_ready(enrolment) -> bool:
    return learner_may_download(enrolment)
