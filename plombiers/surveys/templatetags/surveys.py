from django import template

from plombiers.surveys.results import rate

register = template.Library()


@register.filter
def percent(part, whole) -> str:
    """`{{ answered|percent:invited }}` → « 75 % », or « — » when there is nothing to divide by."""
    value = rate(part or 0, whole or 0)
    return "—" if value is None else f"{value}\u00a0%"
