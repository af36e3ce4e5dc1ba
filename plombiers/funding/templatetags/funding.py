from django import template

from plombiers.funding.money import amount_display

register = template.Library()


@register.filter
def euros(value):
    """« 12 345,67 € », or « — » when there is no amount."""
    return amount_display(value)


@register.filter
def percent(value):
    return "—" if value is None else f"{value} %".replace(".", ",")


@register.filter
def hours(value):
    """A Decimal number of hours, French style: « 30,42 h »."""
    return "—" if value is None else f"{value} h".replace(".", ",")
