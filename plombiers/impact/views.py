"""The impact pages: a dashboard per scope, the learners behind a figure, the methodology, the
open data and the yearly funder report. Thin: the scope is resolved against the user
(`access.resolve_scope`, 404 otherwise), the figures come from `selectors`, and those that leave
the school team hide their small cells (`secrecy`)."""

from functools import lru_cache
from urllib.parse import quote_plus, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from plombiers.lib.secrecy import LEGEND, THRESHOLD
from plombiers.outcomes.enums import CATEGORY_OF, POSITIVE_CATEGORIES, ExitCategory, ExitType
from plombiers.referrals.models import Learner
from plombiers.views import paginate

from . import exports, opendata, secrecy
from .access import default_scope, resolve_scope
from .api import network_scope
from .cells import cell_html
from .forms import DashboardFilterForm
from .selectors import (
    FUNNEL,
    GROUPS,
    HORIZONS,
    INDICATOR,
    INDICATORS,
    MEASURE_LABELS,
    MEASURES,
    TARGET,
    Figure,
    Scope,
    Table,
    below_target_rows,
    dashboard_tables,
    indicators,
    measure_learners,
    measures_of,
)
from .tasks import refresh_rollup

DEFAULT_GROUP = {"network": "school", "funder": "school", "school": "cohort", "cohort": "year"}
HEADLINE = ["positive_exit_rate", "durable_job_rate", "completion_rate", "dropout_rate", "attendance_rate"]
GROUP_COLUMNS = [
    "started",
    "completed",
    "positive_exits",
    "positive_exit_rate",
    "durable_job_rate",
    "positive_exit_rate_6m",
    "dropout_rate",
    "attendance_rate",
]
YEAR_COLUMNS = [*FUNNEL, "positive_exit_rate", "durable_job_rate", "dropout_rate"]
POPULATION = ["women_share", "qpv_share", "rqth_share", "non_qualified_share", "barriers_lifted_rate"]
TRAINING = ["attendance_rate", "skills_per_learner", "time_to_first_job"]
GROUP_PAGE_SIZE = 50
HORIZON_KEYS = ["positive_exit_rate", *[f"positive_exit_rate_{h}m" for h in HORIZONS]]


# --- cells: a figure and the links to the learners behind it ------------------------------------


@lru_cache
def _learners_path(script_prefix: str) -> str:
    return reverse("impact:learners")


class _Links:
    """The links of one dashboard to the learners behind its figures: the path, scope and id before
    the measure, the filters after it (the order `urlencode` of the whole would give), each measure
    quoted once — a national dashboard has about 800 of them."""

    def __init__(self, scope: Scope, filters):
        head = f"{_learners_path(get_script_prefix())}?{urlencode({'scope': scope.kind, 'id': scope.ident})}"
        tail = urlencode(filters.as_params())
        self.head, self.tail = f"{head}&measure=", f"&{tail}" if tail else ""
        self.measures: dict[str, str] = {}

    def url(self, measure: str, group=None, value=None) -> str:
        url = self.measures.get(measure)
        if url is None:
            url = self.measures[measure] = f"{self.head}{quote_plus(measure)}{self.tail}"
        if group:
            # A value is a primary key or a year (an integer: nothing to quote) or empty.
            shown = "" if value is None else value if isinstance(value, int) else quote_plus(str(value))
            url += f"&group={quote_plus(group)}&value={shown}"
        return url


def _cell(links: _Links | None, figure: Figure, group=None, value=None) -> dict:
    """A figure and its HTML, with the links to the learners behind it when `links` (the reader may
    list them)."""
    indicator = figure.indicator
    num_url = den_url = None
    if links is not None:
        num_url = links.url(indicator.num, group, value)
        if indicator.den:
            den_url = links.url(indicator.den, group, value)
    return {"figure": figure, "html": cell_html(figure, num_url, den_url)}


def _rows(links: _Links | None, table, keys, rows=None) -> list[SafeString]:
    """The lines of a table, each written whole (`<tr>…</tr>`): a template loop per cell cost as
    much as the figures on a national dashboard."""
    group = table.group
    indicators = [INDICATOR[k] for k in keys]
    lines = []
    for row in table.rows if rows is None else rows:
        cells = "".join(
            f'<td class="text-end">{_cell(links, row.figure(i), group, row.key)["html"]}</td>'
            for i in indicators
        )
        lines.append(mark_safe(f'<tr><th scope="row">{escape(row.label)}</th>{cells}</tr>'))  # noqa: S308 — cells escaped, label escaped here
    return lines


def _chart(title, labels, values, *, percent=True, target=True, kind="bar") -> dict:
    return {
        "title": title,
        "type": kind,
        "labels": labels,
        "values": values,
        "percent": percent,
        "target": int(TARGET * 100) if target else None,
    }


def _percents(rows, key) -> list:
    indicator = INDICATOR[key]
    return [row.figure(indicator).percent for row in rows]


# --- the dashboard -----------------------------------------------------------------------------


def _export(table, scope: Scope, fmt: str, name: str) -> HttpResponse:
    filename = f"impact-{slugify(scope.label)}-{name}"
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    response = HttpResponse(
        exports.as_xlsx(table, f"{scope.label} — {name}"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


#: The measures each table of the page shows (its columns, and its chart: the positive-exit rate).
SHOWN = (measures_of(YEAR_COLUMNS), measures_of(GROUP_COLUMNS))


def _tables(scope: Scope, filters, group: str, *, page: bool = False, window=None):
    """The total, the table by year and the table by `group` of a dashboard, protected together
    when they leave the school team: its exports show the same cells as the page. For the page of
    a reader who sees exact figures, the tables hold only the measures the page shows — and, with
    `window` (offset, limit), the table by school only that page of its rows."""
    shown = SHOWN if page and not scope.protected else None
    total, by_year, by_group = dashboard_tables(scope, filters, group, shown, window if shown else None)
    secrecy.protect(scope, filters, total, {"year": by_year.rows, group: by_group.rows})
    return total, by_year, by_group


def _page_number(request) -> int:
    """The page asked for in `?page=`, as `Paginator.get_page` reads it (1 when it is no number)."""
    try:
        return min(max(1, int(request.GET.get("page", 1))), 10**9)  # past the end: the last page
    except (TypeError, ValueError):
        return 1


class _Pages:
    """The rows of a table read one page at a time, for a `Paginator`: as long as the whole table;
    the page read with the dashboard's other tables served as it is, any other (a page past the
    end, for which the paginator shows the last one) read when asked."""

    def __init__(self, table: Table, offset: int, read):
        self.table, self.offset, self.read = table, offset, read

    def __len__(self) -> int:
        return self.table.count

    def __getitem__(self, index: slice) -> list:
        if index.start == self.offset:
            return self.table.rows
        return self.read(index.start, index.stop - index.start)


def _dashboard(request, scope: Scope):
    form = DashboardFilterForm(request.GET or None, scope=scope, default_group=DEFAULT_GROUP[scope.kind])
    filters, group = form.filters(), form.group()
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        name = request.GET.get("table", "groupes")
        wanted = {"ensemble": None, "annees": "year", "groupes": group}
        if name not in wanted:
            raise Http404("Tableau inconnu.")
        if not scope.protected:
            return _export(indicators(scope, filters, wanted[name]), scope, fmt, name)
        total, by_year, by_group = _tables(scope, filters, group)
        table = {"ensemble": Table(scope, filters, None, [total]), "annees": by_year}.get(name, by_group)
        return _export(table, scope, fmt, name)

    # `?sous_objectif=1` (the network staff's home links here): only the rows whose positive-exit
    # rate is below the target, compared unrounded (`Figure.meets_target`).
    below_target = request.GET.get("sous_objectif") == "1"
    # A national network has 2,000 schools: the table (and its chart) by page, the export in full;
    # the page alone read for a reader of exact figures (the rows of a protected table are
    # protected together, all of them).
    window = None
    if group == "school" and not below_target and not scope.protected:
        window = ((_page_number(request) - 1) * GROUP_PAGE_SIZE, GROUP_PAGE_SIZE)
    total, by_year, by_group = _tables(scope, filters, group, page=True, window=window)
    totals = total.figures
    if below_target:
        by_group = Table(scope, filters, group, below_target_rows(by_group.rows))
    rows = by_group.rows
    if by_group.count is not None:

        def read(offset, limit):
            return _tables(scope, filters, group, page=True, window=(offset, limit))[2]

        if not by_group.rows and window[0]:  # past the end: how long the table is, from its start
            by_group, window = read(0, GROUP_PAGE_SIZE), (0, GROUP_PAGE_SIZE)
        rows = _Pages(by_group, window[0], lambda offset, limit: read(offset, limit).rows)
    group_page = paginate(request, rows, GROUP_PAGE_SIZE)
    charts = {
        "funnel": _chart(
            "Du repérage à la sortie positive",
            [INDICATOR[k].label for k in FUNNEL],
            [totals[k].value for k in FUNNEL],
            percent=False,
            target=False,
        ),
        "years": _chart(
            "Taux de sorties positives par année de sortie",
            [r.label for r in by_year.rows],
            _percents(by_year.rows, "positive_exit_rate"),
        ),
        "horizons": _chart(
            "Taux de sorties positives à la sortie et aux suivis",
            ["À la sortie", *[f"À {h} mois" for h in HORIZONS]],
            [totals[k].percent for k in HORIZON_KEYS],
        ),
        "groups": _chart(
            f"Taux de sorties positives par {GROUPS[group].lower()}"
            + (
                f" ({group_page.start_index()} à {group_page.end_index()} sur {group_page.paginator.count})"
                if group_page.paginator.num_pages > 1
                else ""
            ),
            [r.label for r in group_page],
            _percents(group_page, "positive_exit_rate"),
        ),
    }
    base_params = {k: v for k, v in request.GET.items() if k not in ("format", "table", "page")}
    links = _Links(scope, filters) if scope.can_list_learners else None

    def export_url(fmt, name):
        return "?" + urlencode({**base_params, "format": fmt, "table": name})

    context = {
        "scope": scope,
        "form": form,
        "filters": filters,
        "group": group,
        "group_label": GROUPS[group],
        "target_percent": int(TARGET * 100),
        "headline": [_cell(links, totals[k]) for k in HEADLINE],
        "funnel": [_cell(links, totals[k]) for k in FUNNEL],
        "horizons": [
            {"label": label, **_cell(links, totals[k])}
            for label, k in zip(
                ["À la sortie", *[f"À {h} mois" for h in HORIZONS]], HORIZON_KEYS, strict=True
            )
        ],
        "population": [_cell(links, totals[k]) for k in POPULATION + TRAINING],
        "year_columns": [INDICATOR[k] for k in YEAR_COLUMNS],
        "year_rows": _rows(links, by_year, YEAR_COLUMNS),
        "group_columns": [INDICATOR[k] for k in GROUP_COLUMNS],
        "group_rows": _rows(links, by_group, GROUP_COLUMNS, group_page.object_list),
        "group_page": group_page,
        "group_query": urlencode(base_params),
        "below_target": below_target,
        "all_rows_query": urlencode({k: v for k, v in base_params.items() if k != "sous_objectif"}),
        "charts": charts,
        "exports": {
            name: {fmt: export_url(fmt, name) for fmt in ("csv", "xlsx")}
            for name in ("ensemble", "annees", "groupes")
        },
        "report_years": _report_years(scope),
        "legend": LEGEND if scope.protected else None,
        "rollup_network": _refreshable_network(request.user, scope),
    }
    return render(request, "impact/dashboard.html", context)


def _refreshable_network(user, scope: Scope):
    """The network whose staff may ask for the rollup to be recomputed from this page, if any."""
    if scope.rollup is None or not scope.can_list_learners or scope.kind not in ("network", "funder"):
        return None
    return scope.obj if scope.kind == "network" else scope.obj.network


@require_POST
def rollup_refresh(request, pk):
    """Recompute the rollup now (the network staff, from a consolidated dashboard); 404 otherwise."""
    scope = resolve_scope(request.user, "network", pk)
    result = refresh_rollup.enqueue()
    if result.is_finished:
        done = result.return_value
        messages.success(
            request,
            f"Cumuls recalculés : {done['schools']} écoles, {done['rows']} lignes, "
            f"{number_format(done['seconds'], 1)} s.",
        )
    else:
        messages.success(
            request,
            "Recalcul des cumuls demandé : les chiffres seront à jour dans quelques minutes "
            "(recharger la page).",
        )
    return redirect("impact:network_detail", pk=scope.obj.pk)


def _report_years(scope: Scope) -> list[int]:
    from django.utils import timezone

    if scope.kind != "school":
        return []
    this_year = timezone.localdate().year
    opened = scope.obj.opened_on.year if getattr(scope.obj, "opened_on", None) else this_year
    return list(range(this_year, max(opened, this_year - 5) - 1, -1))


@require_GET
def home(request):
    return _dashboard(request, default_scope(request.user))


@require_GET
def network(request, pk=None):
    return _dashboard(request, resolve_scope(request.user, "network", pk))


@require_GET
def school(request, slug):
    return _dashboard(request, resolve_scope(request.user, "school", slug))


@require_GET
def cohort(request, pk):
    return _dashboard(request, resolve_scope(request.user, "cohort", pk))


@require_GET
def funder(request, pk):
    return _dashboard(request, resolve_scope(request.user, "funder", pk))


# --- the learners behind a figure ------------------------------------------------------------


def _value(group: str | None, raw: str | None):
    if not group:
        return None
    if raw in (None, ""):
        return None if group != "year" else Http404
    try:
        value = int(raw)
    except ValueError:
        return Http404
    return value if 0 < value < 2**63 else Http404


@require_GET
def learners(request):
    """The learners counted by one figure: staff who may see them only (never a funder: 404)."""
    scope = resolve_scope(request.user, request.GET.get("scope", ""), request.GET.get("id") or None)
    if not scope.can_list_learners:
        raise Http404
    measure = request.GET.get("measure", "")
    group = request.GET.get("group") or None
    if measure not in MEASURES or (group is not None and group not in GROUPS):
        raise Http404
    value = _value(group, request.GET.get("value"))
    if value is Http404:
        raise Http404
    form = DashboardFilterForm(request.GET, scope=scope, default_group=DEFAULT_GROUP[scope.kind])
    filters = form.filters()
    learners = (
        Learner.objects.visible_to(request.user)
        .filter(pk__in=measure_learners(scope, filters, measure, group, value))
        .select_related("commune")
        .order_by("last_name", "first_name", "pk")
    )
    context = {
        "scope": scope,
        "measure_label": MEASURE_LABELS.get(measure, measure),
        "group_label": GROUPS.get(group, ""),
        "value": value,
        "filters": filters,
        "page": paginate(request, learners),
        "back_url": _scope_url(scope),
        "query": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
    }
    return render(request, "impact/learners.html", context)


def _scope_url(scope: Scope) -> str:
    if scope.kind == "school":
        return reverse("impact:school", args=[scope.obj.slug])
    if scope.kind == "cohort":
        return reverse("impact:cohort", args=[scope.obj.pk])
    if scope.kind == "funder":
        return reverse("impact:funder", args=[scope.obj.pk])
    return reverse("impact:network")


# --- public pages ----------------------------------------------------------------------------


@login_not_required
@require_GET
def method(request):
    """How each figure is computed, and the mapping of every situation to its category, read
    from `CATEGORY_OF` itself so that the page cannot drift from the code."""
    mapping = [
        {
            "category": ExitCategory(c),
            "positive": c in POSITIVE_CATEGORIES,
            "types": [ExitType(t).label for t, cat in CATEGORY_OF.items() if cat == c],
        }
        for c in ExitCategory.values
    ]
    context = {
        "indicators": INDICATORS,
        "mapping": mapping,
        "target_percent": int(TARGET * 100),
        "threshold": THRESHOLD,
        "legend": LEGEND,
        "horizons": HORIZONS,
    }
    return render(request, "impact/method.html", context)


@login_not_required
@require_GET
def open_data_csv(request):
    table = opendata.open_table(network_scope(request.GET.get("reseau") or None))
    response = HttpResponse(opendata.as_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="plombiers-opendata.csv"'
    return response


@require_GET
def report(request, slug, year):
    """The yearly funder report of a school: its team, the network staff and its funders."""
    from django.utils import timezone

    from .report import report_pdf

    scope = resolve_scope(request.user, "school", slug)
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise Http404
    response = HttpResponse(report_pdf(scope, year, today=today), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rapport-{scope.obj.slug}-{year}.pdf"'
    return response


@login_not_required
@require_GET
def public_results(request, slug):
    """Qualiopi indicator 2: what a school publishes over the last twelve whole months
    (`impact.public`). A figure is shown only from `MIN_SAMPLE` people, so that nobody can be
    recognised."""
    from plombiers.surveys.enums import Audience
    from plombiers.surveys.questionnaires import questionnaire
    from plombiers.surveys.results import MIN_SAMPLE

    from .public import public_school, published_figures

    school = public_school(slug)
    if school is None:
        raise Http404
    figures = published_figures(school)
    context = {
        "school": school,
        "figures": figures,
        "period": figures[0].period,
        "min_sample": MIN_SAMPLE,
        "satisfaction_question": questionnaire(Audience.LEARNER).satisfaction.label,
        "target_percent": int(TARGET * 100),
    }
    return render(request, "impact/public_results.html", context)
