"""What the exits contribute to the pages of earlier stages (the cohort page), which never import
`outcomes`: the page includes `outcomes/includes/enrolment_exit.html`, which asks here."""

from django import template
from django.core.exceptions import ObjectDoesNotExist

from plombiers.outcomes.permissions import can_record_exit

register = template.Library()


@register.filter
def may_record_exit(user, enrolment) -> bool:
    return can_record_exit(user, enrolment)


@register.filter
def exit_of(enrolment):
    """The enrolment's exit or None: a missing reverse one-to-one raises, which a template would
    otherwise turn into `string_if_invalid` (truthy when templates are strict)."""
    try:
        return enrolment.exit
    except ObjectDoesNotExist:
        return None
