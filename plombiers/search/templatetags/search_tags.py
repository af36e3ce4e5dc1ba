from django import template

from plombiers.search.permissions import may_search as _may_search

register = template.Library()


@register.filter
def may_search(user) -> bool:
    """`{% if user|may_search %}`: the header's search field (`search.permissions.may_search`)."""
    return _may_search(user)
