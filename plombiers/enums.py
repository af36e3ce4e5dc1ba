"""What every status enum shares: its French label (the TextChoices label) and its badge.

A status enum subclasses `StatusChoices` and says, in `tones()`, how each of its members reads at a
glance (a member left out is neutral). The tone gives the badge its style *and* its shape: the
label is always written out and a symbol goes with the colour, so that no meaning rests on colour
alone. Templates show it with `{% load status %}{% status_badge obj %}` (plombiers/templatetags/status.py);
nothing compares a status with a bare string: code uses the members, templates `obj|status_is:"NAME"`.
"""

import enum
from typing import NamedTuple

from django.db import models


class Tone(enum.StrEnum):
    POSITIVE = "positive"  # reached its good end: admitted, hired, done, paid
    ACTIVE = "active"  # under way
    WAITING = "waiting"  # someone has something to do
    NEUTRAL = "neutral"  # not started, or nothing to say
    CLOSED = "closed"  # ended without a fault: cancelled, expired, filled
    FINAL = "final"  # a decision that closes the way: refused, redirected
    PROBLEM = "problem"  # ended badly, or needs attention: interrupted, rejected


class Badge(NamedTuple):
    css: str  # Bootstrap 5 classes (contrast-checked pairs)
    symbol: str  # the shape that goes with the colour (hidden from screen readers: the label says it)


BADGES = {
    Tone.POSITIVE: Badge("text-bg-success", "✔"),
    Tone.ACTIVE: Badge("text-bg-primary", "▶"),
    Tone.WAITING: Badge("text-bg-warning", "●"),
    Tone.NEUTRAL: Badge("text-bg-light border", "○"),
    Tone.CLOSED: Badge("text-bg-secondary", "–"),
    Tone.FINAL: Badge("text-bg-dark", "■"),
    Tone.PROBLEM: Badge("text-bg-danger", "✖"),
}


class StatusChoices(models.TextChoices):
    """A workflow's statuses: value (stored), label (French), tone (its badge)."""

    @classmethod
    def tones(cls) -> dict:
        return {}

    @property
    def tone(self) -> Tone:
        return self.tones().get(self, Tone.NEUTRAL)

    @property
    def badge(self) -> Badge:
        return BADGES[self.tone]

    @classmethod
    def for_field(cls, field) -> type["StatusChoices"] | None:
        """The status enum whose choices a model field holds (None when it holds no status)."""
        choices = [tuple(choice) for choice in field.choices or ()]
        return next((enum_class for enum_class in all_statuses() if enum_class.choices == choices), None)


def all_statuses() -> list[type[StatusChoices]]:
    """Every status enum of the project (each is imported with its app's models)."""
    found, todo = [], list(StatusChoices.__subclasses__())
    while todo:
        enum_class = todo.pop()
        found.append(enum_class)
        todo.extend(enum_class.__subclasses__())
    return sorted(found, key=lambda enum_class: (enum_class.__module__, enum_class.__name__))
