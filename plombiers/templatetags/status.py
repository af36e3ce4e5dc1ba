"""Statuses in templates: `{% status_badge obj %}` (its label in a badge whose style and shape come
from the status enum, `plombiers/enums.py`) and `obj|status_is:"NAME"` (a comparison with a member,
never with a bare value). Registered in settings as the `status` library."""

from django import template
from django.db import models
from django.utils.html import format_html

from plombiers.enums import StatusChoices

register = template.Library()
_ENUMS: dict = {}


def _member(obj, field_name: str = "status") -> StatusChoices | None:
    """The status of `obj` as a member of its enum (or `obj` itself when it is already a member)."""
    if obj is None or isinstance(obj, StatusChoices):
        return obj
    if not isinstance(obj, models.Model):
        raise template.TemplateSyntaxError(f"Pas de statut à lire sur {obj!r}.")
    value = getattr(obj, field_name)
    if isinstance(value, StatusChoices):  # set from a member, or a property (Alert.status)
        return value
    field = obj._meta.get_field(field_name)
    if field not in _ENUMS:
        _ENUMS[field] = StatusChoices.for_field(field)
    enum_class = _ENUMS[field]
    if enum_class is None:
        raise template.TemplateSyntaxError(f"{field} ne tient pas un statut (StatusChoices).")
    return enum_class(getattr(obj, field_name))


@register.simple_tag
def status_badge(obj, field_name: str = "status", *, label_id: str = ""):
    """The status as a badge: the symbol (hidden from screen readers) and the French label (in an
    element of its own when `label_id` names it, for a page that updates or reads it)."""
    status = _member(obj, field_name)
    if status is None:
        return ""
    badge = status.badge
    label = format_html('<span id="{}">{}</span>', label_id, status.label) if label_id else status.label
    return format_html(
        '<span class="badge {}"><span aria-hidden="true">{}</span> {}</span>', badge.css, badge.symbol, label
    )


@register.filter
def status_is(obj, name: str) -> bool:
    """`obj|status_is:"ACTIVE"`: whether obj's status is the member of that name (an unknown name is
    an error, not a silent False)."""
    status = _member(obj)
    if status is None:
        return False
    try:
        return status == type(status)[name]
    except KeyError:
        raise template.TemplateSyntaxError(f"{type(status).__name__} n'a pas de statut « {name} ».") from None
