from django import template
from django.utils.safestring import SafeString, mark_safe

from plombiers.impact.cells import secret_html

register = template.Library()


@register.simple_tag
def secret_mark(mark: str) -> SafeString:
    """A figure hidden by the statistical secret: its mark (« < 5 » or « s ») and what it means."""
    return mark_safe(secret_html(mark))  # noqa: S308 — secret_html escapes the mark
