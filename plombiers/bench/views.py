"""The floor of the page measures: a bare Django view rendering a template of the same size.

It goes through the same middleware as the real pages (session, authentication, CSRF, CSP…)
but reads nothing from the database: what a page costs beyond it is the application's own work.
Routed only in the bench's urlconf (`plombiers.bench.urls`), never in production.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render

from plombiers.skills.enums import LEVEL_ICONS, LEVEL_SHORT, Level


@login_not_required  # also the floor of a public page, read without an account
def floor(request, rows: int, cols: int):
    levels = list(Level)
    table = [
        [(LEVEL_ICONS[levels[(r + c) % 4]], LEVEL_SHORT[levels[(r + c) % 4]]) for c in range(cols)]
        for r in range(rows)
    ]
    headers = [f"Compétence {c + 1}" for c in range(cols)]
    return render(
        request,
        "bench/floor.html",
        {"rows": [(f"Jeune {r + 1}", cells) for r, cells in enumerate(table)], "headers": headers},
    )


def floor_json(request, items: int, fields: int):
    """The floor of an API list: `{"items": [...], "count": n}` as the API pages them, `items`
    objects of `fields` short values, through the same middleware; nothing read."""
    objects = [{f"champ_{f}": f"Valeur {i}-{f}" for f in range(fields)} for i in range(items)]
    return JsonResponse({"items": objects, "count": items})
