"""The impact API: the indicators of a scope with their counts, and the open data.

`GET /impact` resolves the scope against the user exactly as the dashboard does (404 for a scope
they may not see); `positive_exit_rate` and every rate is a fraction between 0 and 1, over all
years when no `year` is given; `consolidated_at` says when the figures of a national network were
consolidated (null: read from the records). A funder's figures leave the school team: a count from
1 to 4, a rate whose numerator or denominator is one, and what would give them back are
`suppressed` (`value`, and the hidden `numerator` or `denominator`, null; `impact.secrecy`).
A table (`group_by`) comes whole by default; with `limit` and `offset`, a page of its rows, and
`count` says how many rows the whole table has (a national network by school: 2,000 rows, 5.8 MB).
`GET /impact/opendata` is public: the anonymised, protected table.
"""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from ninja import Field, Query, Router, Schema

from plombiers.lib import secrecy as rule
from plombiers.lib.api import MAX_LIMIT, MAX_OFFSET, ErrorOut, Id, InvalidOut
from plombiers.network.models import Network, School

from . import opendata, rollup, secrecy
from .access import default_scope, resolve_scope
from .selectors import (
    INDICATORS,
    MEASURES,
    TARGET,
    Filters,
    Row,
    Scope,
    indicators,
    indicators_with_total,
    rollup_rows,
)

router = Router(tags=["impact"])
# The lists' default page (`lib.api.Pagination`), when only `offset` is given.
DEFAULT_LIMIT = 100


class ImpactQuery(Schema):
    scope: Literal["network", "school", "cohort", "funder"] | None = None
    id: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    group_by: (
        Literal["school", "trade", "region", "departement", "cohort", "prescriber", "funder", "year"] | None
    ) = None
    year: Annotated[int, Field(ge=1990, le=2100)] | None = None
    trade: Id | None = None
    region: Id | None = None
    school: Id | None = None
    # Optional pages of the table's rows, as the lists of the API (`limit`, `offset`); without them
    # the whole table, as before.
    limit: Annotated[
        int | None,
        Field(ge=1, le=MAX_LIMIT, description="lignes du tableau par page (1 à 500), avec group_by"),
    ] = None
    offset: Annotated[
        int | None,
        Field(ge=0, le=MAX_OFFSET, description="position de la première ligne (0 par défaut), avec group_by"),
    ] = None


class IndicatorOut(Schema):
    label: str
    kind: str
    #: Null when there is nothing to divide by, or when `suppressed`.
    value: float | int | None
    #: Null when hidden (`suppressed`).
    numerator: int | None
    denominator: int | None
    #: Statistical secrecy (figures that leave the school team): the figure counts, or is computed
    #: from a count of, 1 to 4 young people, or would give one back; `value` is null.
    suppressed: bool = False


class RowOut(Schema):
    key: int | str | None
    label: str
    indicators: dict[str, IndicatorOut]


class ScopeOut(Schema):
    kind: str
    id: int | str | None
    label: str


class ImpactOut(Schema):
    scope: ScopeOut
    group_by: str | None
    filters: dict[str, int]
    target: float
    total: RowOut
    #: The table's rows (`group_by`): all of them, or the page `limit` and `offset` ask for.
    rows: list[RowOut]
    #: How many rows the whole table has, every page together (0 without `group_by`).
    count: int
    #: When the figures were consolidated (`impact.rollup`: a scope of at least
    #: `IMPACT_ROLLUP_FROM_SCHOOLS` schools), or null: read from the records at the time of the
    #: request. Rows by cohort are always read from the records.
    consolidated_at: dt.datetime | None = None


def _value(indicator, figure):
    value = figure.value
    if value is None:
        return None
    return int(value) if indicator.kind == "count" else float(value)


def _integer(value) -> int | None:
    return None if value is None else int(value)


def row_out(row: Row) -> dict:
    figures = row.figures
    indicators_out = {}
    for i in INDICATORS:
        figure = figures[i.key]
        indicators_out[i.key] = {
            "label": i.label,
            "kind": i.kind,
            "value": _value(i, figure),
            # Counts, and sums of minutes or days: integers, whatever type a sum has in SQL
            # (PostgreSQL's are numeric when several tables are read in one statement).
            "numerator": _integer(figure.numerator),
            "denominator": _integer(figure.denominator),
            "suppressed": figure.suppressed,
        }
    return {"key": row.key, "label": row.label, "indicators": indicators_out}


@router.get("/impact", response={200: ImpactOut, 404: ErrorOut, 422: InvalidOut})
def impact(request, query: Query[ImpactQuery]):
    user = request.auth
    paged = query.limit is not None or query.offset is not None
    if paged and not query.group_by:
        raise ValidationError(
            {"limit": "Les pages (limit, offset) sont celles d'un tableau : précisez group_by."},
            code="pages_without_table",
        )
    scope: Scope = resolve_scope(user, query.scope, query.id) if query.scope else default_scope(user)
    filters = Filters(year=query.year, trade=query.trade, region=query.region, school=query.school)
    # Built to `ImpactOut` above (a test validates it against the schema) and written out as it is:
    # validating it again would build 2,000 × 21 objects for a national network (0.9 s of 1 s).
    page = (query.offset or 0, query.limit or DEFAULT_LIMIT) if paged else None
    body = impact_body(scope, filters, query.group_by, page=page)
    return JsonResponse(body, encoder=DjangoJSONEncoder)


def impact_body(
    scope: Scope, filters: Filters, group_by: str | None, *, page: tuple[int, int] | None = None
) -> dict:
    """The body of `GET /impact` (`ImpactOut`) for a scope already resolved against its reader, the
    funder's figures protected by statistical secrecy: also what an `impact.updated` webhook carries
    (the whole table; `page`, an (offset, limit) of its rows)."""
    if (
        group_by == "school"
        and page is not None
        and not scope.protected
        and rollup.readable(scope, filters, group_by)
    ):
        # Exact figures by page, read alone (the dashboard's way): 100 schools of a national
        # network, not 2,000 built and cut.
        return _body(scope, filters, group_by, *_school_page(scope, filters, page))
    if group_by:
        total, table = indicators_with_total(scope, filters, group_by)
        rows = table.rows
    else:
        total, rows = indicators(scope, filters).rows[0], []
    # Secrecy over the whole table (a figure hidden in one row hides what would give it back in
    # another), then the page.
    secrecy.protect(scope, filters, total, {group_by: rows} if group_by else {})
    count = len(rows)
    if page is not None:
        offset, limit = page
        rows = rows[offset : offset + limit]
    return _body(scope, filters, group_by, total, rows, count)


def _school_page(scope: Scope, filters: Filters, page: tuple[int, int]) -> tuple[Row, list[Row], int]:
    """The total, one page of the table by school and how many schools the table has, from the
    rollup in one statement (`rollup.grouped_together`); a page past the end reads the count alone."""
    names = list(MEASURES)
    tables = [((), names), (("school",), names, page)]
    total_lines, school_lines = rollup.grouped_together(scope, filters, tables)
    count = school_lines.count
    if not school_lines and page[0] > 0:
        count = rollup.grouped_together(scope, filters, [(("school",), names, (0, 1))])[0].count
    total = rollup_rows(scope, filters, None, names, total_lines)[0]
    return total, rollup_rows(scope, filters, "school", names, school_lines), count


def _body(
    scope: Scope, filters: Filters, group_by: str | None, total: Row, rows: list[Row], count: int
) -> dict:
    return {
        "scope": {"kind": scope.kind, "id": scope.ident, "label": scope.label},
        "group_by": group_by,
        "filters": filters.as_params(),
        "target": float(TARGET),
        "total": row_out(total),
        "rows": [row_out(r) for r in rows],
        "count": count,
        "consolidated_at": scope.rollup.started_at if scope.rollup else None,
    }


def network_scope(slug: str | None = None) -> Scope:
    """The whole network, for the public open data (the first network when none is named)."""
    networks = Network.objects.order_by("pk")
    network = (networks.filter(slug=slug) if slug else networks).first()
    if network is None:
        raise Http404
    return Scope("network", network.name, School.objects.filter(network=network), obj=network)


class OpenDataOut(Schema):
    network: str
    columns: list[str]
    legend: dict[str, str]
    items: list[dict[str, int | str]]
    count: int


LEGEND = rule.LEGEND


@router.get("/impact/opendata", auth=None, response={200: OpenDataOut, 404: ErrorOut})
def open_data(request, network: str | None = None):
    scope = network_scope((network or "")[:50] or None)
    table = opendata.open_table(scope)
    items = [dict(zip(opendata.HEADER, record, strict=True)) for record in table.records()]
    return {
        "network": scope.label,
        "columns": opendata.HEADER,
        "legend": LEGEND,
        "items": items,
        "count": len(items),
    }
