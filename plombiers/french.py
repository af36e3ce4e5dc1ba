"""Template filters for French sentences, built into every template (settings.TEMPLATES):
`{{ learner|de }}` gives « d'Inès » or « de Bilal », `{{ name|que }}` « qu'Inès »."""

from django import template

from plombiers.lib import text

register = template.Library()
register.filter("de", text.de)
register.filter("que", text.que)
