"""`QuickSelect` (plombiers/lib/widgets.py) writes what Django's `Select` writes, without a template
per option."""

import re

import pytest
from django import forms

from plombiers.lib.widgets import NamedModelChoiceField, QuickSelect


def _markup(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize(
    ("choices", "value"),
    [
        ([("", "Toutes"), (2026, "2026"), (2025, "2025")], 2025),
        ([("", "Tous"), ("a&b", "A & <b>")], None),
        ([("x", "X"), ("x", "X bis")], "x"),  # only the first match is selected, as Django does
        ([("", "Toutes"), ("1", "Un")], "inconnu"),
    ],
)
def test_the_same_markup_as_djangos_select(choices, value):
    attrs = {"class": "form-select"}
    django = forms.Select(attrs=attrs, choices=choices).render("annee", value, attrs={"id": "id_annee"})
    quick = QuickSelect(attrs=attrs, choices=choices).render("annee", value, attrs={"id": "id_annee"})
    assert _markup(quick) == _markup(django)


def test_a_model_choice_keeps_its_primary_key(db, cast):
    field = forms.ModelChoiceField(queryset=type(cast.school_a).objects.order_by("pk"), widget=QuickSelect)
    html = field.widget.render("ecole", cast.school_b.pk)
    assert f'<option value="{cast.school_b.pk}" selected>{cast.school_b.name}</option>' in html
    assert html.count("<option") == 3  # the empty choice and the two schools


def test_a_named_model_choice_field_lists_what_djangos_lists_and_cleans_to_the_object(db, cast):
    schools = type(cast.school_a).objects.order_by("name")
    django = forms.ModelChoiceField(queryset=schools, empty_label="Toutes")
    named = NamedModelChoiceField(queryset=schools, empty_label="Toutes", widget=QuickSelect)
    assert list(named.choices) == [("", "Toutes"), *((s.pk, s.name) for s in schools)]
    assert _markup(named.widget.render("ecole", cast.school_b.pk)) == _markup(
        django.widget.render("ecole", cast.school_b.pk)
    )
    assert named.clean(str(cast.school_b.pk)) == cast.school_b
    with pytest.raises(forms.ValidationError):
        named.clean("0")
