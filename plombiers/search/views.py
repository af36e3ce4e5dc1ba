"""The global search: the header's field (htmx, as you type) and the full results page, one view."""

from urllib.parse import urlencode

from django.http import Http404
from django.views.decorators.http import require_GET

from plombiers.views import render_list

from . import selectors
from .forms import SearchForm
from .permissions import may_search

RESULTS = "search/includes/results.html"


@require_GET
def search(request):
    """`?q=`: every group, a few results each (the header's list is this fragment); `&groupe=`: one
    group, page by page. Anybody who may not search finds no such page."""
    if not may_search(request.user):
        raise Http404
    form = SearchForm(request.GET)
    groups, group, query = [], "", ""
    if form.is_valid():
        query, group = form.cleaned_data["q"], form.cleaned_data["groupe"]
        groups = selectors.search(request.user, query, group=group, number=request.GET.get("page"))
    context = {
        "form": form,
        "query": query,
        "group": group,
        "groups": groups,
        "found": sum(g.count for g in groups),
        "group_query": urlencode({"q": query, "groupe": group}),
    }
    return render_list(request, "search/search.html", RESULTS, context)
