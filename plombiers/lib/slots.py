"""Page blocks that a higher app contributes to a lower app's page, so that the lower app never
reads the higher one (docs/architecture.md, « Les blocs de page »).

A slot is a name (`"school_detail"`); a contributor is a function `(request, obj)` that returns
`(template, context)`, or None when it has nothing to show to this user. An app registers its
contributors in its `AppConfig.ready()`; the lower app's template renders the slot with
`{% load slots %}{% slot "school_detail" school %}`, in the order the apps are installed."""

from collections import defaultdict
from collections.abc import Callable

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

Contributor = Callable[..., tuple[str, dict] | None]

_contributors: dict[str, list[Contributor]] = defaultdict(list)

register = template.Library()


def contribute(slot: str, contributor: Contributor) -> None:
    """Add `contributor` to `slot` (once: `ready()` may run again in tests)."""
    if contributor not in _contributors[slot]:
        _contributors[slot].append(contributor)


def contributors(slot: str) -> list[Contributor]:
    return list(_contributors[slot])


@register.simple_tag(takes_context=True)
def slot(context, name: str, obj) -> str:
    request = context["request"]
    parts = []
    for contributor in contributors(name):
        block = contributor(request, obj)
        if block is not None:
            template_name, block_context = block
            parts.append(render_to_string(template_name, block_context, request=request))
    # Each part is a rendered template (safe); a str.join of several is a plain str, escaped again.
    return mark_safe("".join(parts))  # noqa: S308
