"""French sentences: « de » and « que » elided before a vowel or a mute h, in Python and templates."""

import pytest
from django.template import Context, Template

from plombiers.lib.text import de, que


@pytest.mark.parametrize(
    ("name", "with_de", "with_que"),
    [
        ("Inès Arnaud", "d'Inès Arnaud", "qu'Inès Arnaud"),
        ("Élodie", "d'Élodie", "qu'Élodie"),
        ("Hugo", "d'Hugo", "qu'Hugo"),
        ("Œnologie", "d'Œnologie", "qu'Œnologie"),
        ("Bilal Benali", "de Bilal Benali", "que Bilal Benali"),
        ("Yanis", "de Yanis", "que Yanis"),
        ("l’émetteur", "de l’émetteur", "que l’émetteur"),
        ("", "de ", "que "),
    ],
)
def test_elision(name, with_de, with_que):
    assert de(name) == with_de
    assert que(name) == with_que


def test_the_filters_are_built_into_every_template():
    html = Template("Présence {{ a|de }}, présence {{ b|de }}, plus {{ a|que }}").render(
        Context({"a": "Inès", "b": "Bilal"})
    )
    assert html == "Présence d&#x27;Inès, présence de Bilal, plus qu&#x27;Inès"
