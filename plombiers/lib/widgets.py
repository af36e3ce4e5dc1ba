"""Form widgets (and a field) written in Python where Django's templates or model instances cost
too much."""

from html import escape

from django import forms
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe


class QuickSelect(forms.Select):
    """A `<select>` written here rather than through Django's option templates (one template per
    option: a dashboard's filter of 2,000 schools took longer than the figures it filters). The
    same markup: its attributes, one `<option>` per choice, the first matching one selected (no
    groups of options: none of its forms has any)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        wanted = set(self.format_value(value))
        parts = []
        chosen = False
        for option_value, label in self.choices:
            if isinstance(option_value, ModelChoiceIteratorValue):
                option_value = option_value.value
            text = "" if option_value is None else str(option_value)
            selected = not chosen and text in wanted
            chosen = chosen or selected
            parts.append(
                f'<option value="{escape(text)}"{" selected" if selected else ""}>{escape(str(label))}</option>'
            )
        # The attributes after the options: choices read when listed may set some (a hint).
        final = self.build_attrs(self.attrs, attrs)
        parts = [f'<select name="{escape(name)}"{flatatt(final)}>', *parts, "</select>"]
        return mark_safe("".join(parts))  # noqa: S308 — every value escaped above


class _NamedChoices(ModelChoiceIterator):
    """The choices of a `NamedModelChoiceField`: (primary key, name) rows, no model built per
    option."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class NamedModelChoiceField(forms.ModelChoiceField):
    """A `ModelChoiceField` over a model whose `__str__` is its `name`, listed without building an
    instance per option: a national network's filter holds 2,000 schools. Validation is
    `ModelChoiceField`'s own (the chosen row is read)."""

    iterator = _NamedChoices
