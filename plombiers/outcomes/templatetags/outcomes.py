"""What the exits contribute to the pages of earlier stages (the cohort page), which never import
`outcomes`: the page includes `outcomes/includes/enrolment_exit.html`, which asks here."""

from django import template

from plombiers.outcomes.permissions import can_record_exit

register = template.Library()


@register.filter
def may_record_exit(user, enrolment) -> bool:
    return can_record_exit(user, enrolment)
