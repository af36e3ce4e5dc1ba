"""Issue 16, point 8 — funders and the public read small cells.

The attack of the audit: as the funder, read `/api/v1/impact?scope=funder&group_by=cohort` or the
yearly PDF report and find « RQTH 1/8 », « abandon 1/24 »; as anyone, read the public pages and the
open data. DESIGN.md: every output that leaves the school team suppresses any count from 1 to 4
and any rate whose numerator or denominator is from 1 to 4, with secondary suppression.

The data holds small cells for certain: the impact world (one RQTH of ten in cohort A1, two
drop-outs, four exits at Roubaix…) and a school C funded by the same funder, whose one cohort of
three has one RQTH, one drop-out and two exits. Each test walks every output of a kind — every
page, API scope × breakdown × year, export, PDF of the funder, and every public page — and checks
that no count, numerator or denominator from 1 to 4 is printed, that every cell that is small in
the exact figures (read by the network staff) is marked, and that no hidden cell comes back from
the published ones, even across outputs.
"""

import csv
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from plombiers.accounts.services import api_token_create
from plombiers.cohorts.enums import CohortStatus, DropOutReason, EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.funding import services as funding
from plombiers.funding.enums import GrantPurpose, GrantStatus
from plombiers.funding.models import Grant
from plombiers.impact.selectors import GROUPS, INDICATORS
from plombiers.impact.tests import world as world_module
from plombiers.network.models import Trade
from plombiers.network.tests.factories import PartnershipFactory, SchoolFactory
from plombiers.outcomes.enums import ExitType
from plombiers.outcomes.tests.factories import ExitFactory
from plombiers.referrals.tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db

MARKS = ("< 5", "s")
YEARS = [None, 2025, 2026]
#: What a funder may ask of each scope (`DashboardFilterForm`: no school or funder breakdown
#: inside a school); the API takes every breakdown anywhere.
PAGE_GROUPS = {"funder": list(GROUPS), "school": [g for g in GROUPS if g not in ("school", "funder")]}


def small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4


def number(text: str):
    """An integer as printed (« 1 234 » included), or the text itself."""
    cleaned = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").strip()
    return int(cleaned) if re.fullmatch(r"\d+", cleaned) else text.strip()


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def data(cast, communes):
    world = world_module.build(cast)
    school_c = SchoolFactory(
        network=cast.network,
        name="École C Lyon",
        trade=Trade.objects.get(slug="fibre-optique"),
        commune=communes["69256"],
    )
    PartnershipFactory(school=school_c, organisation=cast.funder_org)
    c1 = CohortFactory(
        school=school_c,
        name="C1",
        start_date=dt.date(2025, 1, 6),
        end_date=dt.date(2025, 4, 18),
        status=CohortStatus.FINISHED,
    )
    rqth, done, _dropped = (
        EnrolmentFactory(
            cohort=c1,
            learner=LearnerFactory(has_rqth=i == 0),
            status=EnrolmentStatus.DROPPED_OUT if i == 2 else EnrolmentStatus.COMPLETED,
            end_date=dt.date(2025, 2, 3) if i == 2 else c1.end_date,
            drop_out_reason=DropOutReason.OTHER if i == 2 else "",
        )
        for i in range(3)
    )
    ExitFactory(enrolment=rqth, exit_type=ExitType.CDI)
    ExitFactory(enrolment=done, exit_type=ExitType.JOB_SEEKING)
    for school in (cast.school_a, school_c):  # the funder space lists the schools of a granted grant
        grant = funding.grant_create(
            by=cast.staff,
            funder=cast.funder_org,
            school=school,
            purpose=GrantPurpose.PLATFORM,
            amount_requested="70000",
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
        )
        funding.grant_decide(grant=grant, by=cast.staff, to=GrantStatus.GRANTED)
    world.school_c = school_c
    return world


def _headers(user) -> dict:
    _token, raw = api_token_create(user=user)
    return {"Authorization": f"Bearer {raw}"}


def _scopes(cast, data) -> list[dict]:
    return [
        {"scope": "funder", "id": cast.funder_org.pk},
        {"scope": "school", "id": cast.school_a.slug},
        {"scope": "school", "id": data.school_c.slug},
    ]


# --- the API ------------------------------------------------------------------------------------


def _api_queries(cast, data):
    for scope in _scopes(cast, data):
        for group in [None, *GROUPS]:
            for year in YEARS:
                query = {
                    **scope,
                    **({"group_by": group} if group else {}),
                    **({"year": year} if year else {}),
                }
                yield query
    yield {"scope": "funder", "id": cast.funder_org.pk, "group_by": "year", "school": data.school_c.pk}


def _rows(body):
    return [("total", body["total"]), *((row["key"], row) for row in body["rows"])]


def test_the_impact_api_hides_every_small_cell_from_the_funder(client, cast, data):
    funder, staff = _headers(cast.funder), _headers(cast.staff)
    marked = 0
    for query in _api_queries(cast, data):
        response = client.get("/api/v1/impact", query, headers=funder)
        assert response.status_code == 200, query
        body = response.json()
        exact = client.get("/api/v1/impact", query, headers=staff).json()
        exact_rows = dict(_rows(exact))
        for key, row in _rows(body):
            for name, figure in row["indicators"].items():
                where = (query, key, name)
                assert not small(figure["numerator"]) and not small(figure["denominator"]), where
                if figure["kind"] == "count":
                    assert not small(figure["value"]), where
                if figure["suppressed"]:
                    assert figure["value"] is None, where
                true = exact_rows[key]["indicators"][name]
                if small(true["numerator"]) or small(true["denominator"]):
                    assert figure["suppressed"] and figure["value"] is None, where
                    marked += 1
                if figure["numerator"] is None or (
                    true["denominator"] is not None and figure["denominator"] is None
                ):
                    assert figure["suppressed"], where
                for part in ("numerator", "denominator"):  # a published count is the true one
                    assert figure[part] in (None, true[part]), where
    assert marked > 100  # the small cells are there, and hidden


def test_the_cohort_breakdown_of_the_audit(client, cast, data):
    """The very request of the audit: RQTH 1 of 10 in cohort A1, one of three in C1."""
    body = client.get(
        "/api/v1/impact", {"scope": "funder", "group_by": "cohort"}, headers=_headers(cast.funder)
    ).json()
    rows = {row["label"]: row["indicators"] for row in body["rows"]}
    for cohort in ("A1", "C1"):
        rqth = rows[cohort]["rqth_share"]
        assert rqth["suppressed"] and rqth["value"] is None and rqth["numerator"] is None
    assert rows["C1"]["started"] == {**rows["C1"]["started"], "value": None, "suppressed": True}
    from plombiers.impact.api import ImpactOut

    assert ImpactOut.model_validate(body).model_dump(mode="json") == body  # the documented schema


def _solve(known: dict, equations: list[tuple]) -> dict:
    """The classic attack, written apart from the protection: in any equation where one cell only
    is unknown, it is the total minus the parts (or the sum of the parts); repeat."""
    known = dict(known)
    found = True
    while found:
        found = False
        for total, parts in equations:
            unknown = [c for c in (total, *parts) if c not in known]
            if len(unknown) == 1:
                cell = unknown[0]
                known[cell] = (
                    sum(known[p] for p in parts)
                    if cell == total
                    else known[total] - sum(known[p] for p in parts if p != cell)
                )
                found = True
    return known


def test_no_hidden_cell_comes_back_from_the_published_ones(client, cast, data):
    """Secondary suppression across every API answer the funder may ask: the same school and year
    read through its own dashboard, each school's, by year, by school, with a year filter. The
    attacker files each published count under what it counts (schools, year, measure) and solves
    every sum it knows."""
    funder, staff = _headers(cast.funder), _headers(cast.staff)
    funded = frozenset({cast.school_a.pk, data.school_c.pk})
    slugs = {cast.school_a.slug: cast.school_a.pk, data.school_c.slug: data.school_c.pk}
    published, truth = {}, {}
    for scope in _scopes(cast, data):
        schools = funded if scope["scope"] == "funder" else frozenset({slugs[scope["id"]]})
        for group in (None, "school", "year"):
            for year in YEARS:
                query = {
                    **scope,
                    **({"group_by": group} if group else {}),
                    **({"year": year} if year else {}),
                }
                body = client.get("/api/v1/impact", query, headers=funder).json()
                exact = dict(_rows(client.get("/api/v1/impact", query, headers=staff).json()))
                for key, row in _rows(body):
                    if key == "total":
                        cell = (schools, year or "*")
                    elif group == "school":
                        cell = (frozenset({key}), year or "*")
                    else:
                        cell = (schools, key)
                    for name, figure in row["indicators"].items():
                        for part, measure in (("numerator", name + "/num"), ("denominator", name + "/den")):
                            true = exact[key]["indicators"][name][part]
                            if true is None:
                                continue
                            truth[(*cell, measure)] = true
                            if figure[part] is not None:
                                published[(*cell, measure)] = figure[part]
    measures = {c[2] for c in truth}
    years = sorted({c[1] for c in truth if c[1] != "*"})
    places = [funded, *(frozenset({pk}) for pk in funded)]
    equations = []
    for m in measures:
        for place in places:
            equations.append(((place, "*", m), tuple((place, y, m) for y in years)))
        for y in [*years, "*"]:
            equations.append(((funded, y, m), tuple((frozenset({pk}), y, m) for pk in funded)))
    for place in places:
        for y in [*years, "*"]:
            # Ended = completed + dropped out: the denominators of two rates, and their numerators.
            equations.append(
                (
                    (place, y, "completion_rate/den"),
                    ((place, y, "completion_rate/num"), (place, y, "dropout_rate/num")),
                )
            )
    for cell, value in published.items():  # every published count is the true one
        assert value == truth[cell], cell
    equations = [(t, p) for t, p in equations if t in truth and all(c in truth for c in p)]
    recovered = _solve(published, equations)
    hidden_small = {c for c, v in truth.items() if small(v)}
    assert hidden_small, "the data holds small cells"
    assert not (hidden_small & published.keys())
    assert not {c for c in hidden_small if c in recovered}, sorted(
        (str(c), recovered[c]) for c in hidden_small if c in recovered
    )


# --- the pages, the exports, the PDF --------------------------------------------------------------


class Cells(HTMLParser):
    """The text of every table cell (`td`) and of every headline figure, with its classes."""

    def __init__(self):
        super().__init__()
        self.cells, self._stack = [], []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "td" or (tag == "p" and "fs-3" in classes):
            self._stack.append([tag, classes, ""])

    def handle_endtag(self, tag):
        if self._stack and tag == self._stack[-1][0]:
            self.cells.append(tuple(self._stack.pop()))

    def handle_data(self, data):
        for open_cell in self._stack:
            open_cell[2] += data


def _page_cells(html: str) -> list[str]:
    parser = Cells()
    parser.feed(html)
    return [re.sub(r"\s+", " ", text).strip() for _tag, _classes, text in parser.cells]


def _check_dashboard(html: str, where) -> int:
    """Counts (a whole cell) and « numerator / denominator » never from 1 to 4; returns how many
    cells are marked."""
    marks = 0
    for text in _page_cells(html):
        value = number(text)
        assert not small(value), (where, text)
        for num, den in re.findall(r"(\S+(?: \d{3})*) / (\S+(?: \d{3})*)$", text):
            assert not small(number(num)) and not small(number(den)), (where, text)
        marks += any(mark in text.split() or text.startswith(mark) for mark in MARKS)
    charts = json.loads(
        re.search(r'id="impact-charts" type="application/json">(.*?)</script>', html).group(1)
    )
    assert not any(small(v) for v in charts["funnel"]["values"]), where
    return marks


def _table(response) -> list[list]:
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))[0:]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


COUNT_COLUMNS = {i.label for i in INDICATORS if i.kind == "count"}


def _check_export(response, exact_response, where) -> int:
    rows, exact = _table(response), _table(exact_response)
    assert rows[0] == exact[0] and len(rows) == len(exact), where
    columns = [
        i
        for i, name in enumerate(rows[0])
        if name in COUNT_COLUMNS or name.endswith(("— numérateur", "— dénominateur"))
    ]
    assert len(columns) == len(COUNT_COLUMNS) + 2 * sum(1 for i in INDICATORS if i.den)
    marks = 0
    for line, true_line in zip(rows[1:], exact[1:], strict=True):
        assert line[0] == true_line[0], where
        for i in columns:
            value, true = number(str(line[i])), number(str(true_line[i]))
            assert not small(value), (where, line[0], rows[0][i], value)
            if small(true):
                assert value in MARKS, (where, line[0], rows[0][i])
                marks += 1
            elif value not in MARKS:
                assert value == true, (where, line[0], rows[0][i])
    return marks


def _dashboards(cast, data):
    urls = [(reverse("impact:home"), {})]
    for kind, url in [
        ("funder", reverse("impact:funder", args=[cast.funder_org.pk])),
        ("school", reverse("impact:school", args=[cast.school_a.slug])),
        ("school", reverse("impact:school", args=[data.school_c.slug])),
    ]:
        for group in PAGE_GROUPS[kind]:
            for year in (None, 2025):
                urls.append((url, {"group_by": group, **({"year": year} if year else {})}))
    return urls


def test_the_funder_pages_and_exports_hide_every_small_cell(client, cast, data):
    client.force_login(cast.funder)
    marks = 0
    for url, params in _dashboards(cast, data):
        response = client.get(url, params)
        assert response.status_code == 200, (url, params)
        html = response.content.decode()
        assert "/impact/apprenants/" not in html
        marks += _check_dashboard(html, (url, params))
    assert marks > 50
    marks = 0
    for url, params in _dashboards(cast, data)[1:]:
        if params.get("year"):
            continue
        tables = ["groupes"] if params["group_by"] != "year" else ["groupes", "ensemble", "annees"]
        for table in tables:
            for fmt in ("csv", "xlsx"):
                query = {**params, "format": fmt, "table": table}
                client.force_login(cast.funder)
                response = client.get(url, query)
                client.force_login(cast.staff)
                marks += _check_export(response, client.get(url, query), (url, query))
    assert marks > 50


def test_the_funder_reports_hide_every_small_cell(client, cast, data):
    """Downloaded by the funder, or by the school's team to forward it: the same protected report."""
    texts = {}
    for user, schools in ((cast.funder, (cast.school_a, data.school_c)), (cast.manager_a, (cast.school_a,))):
        client.force_login(user)
        for school in schools:
            for year in (2024, 2025, 2026):
                response = client.get(reverse("impact:report", args=[school.slug, year]))
                assert response.status_code == 200
                pages = PdfReader(io.BytesIO(response.content)).pages
                texts[(user.email, school.name, year)] = "\n".join(page.extract_text() for page in pages)
    for where, text in texts.items():
        for num, den in re.findall(r"(\S+) / (\S+)", text):  # « 1 / 10 », « < 5 / 10 »
            assert not small(number(num)) and not small(number(den)), (where, num, den)
        for line in text.splitlines():  # « Admis·es 10 », « Entré·es en formation < 5 »
            for indicator in INDICATORS:
                if indicator.kind == "count" and line.startswith(indicator.label + " "):
                    value = number(line[len(indicator.label) :].split("/")[0])
                    assert not small(value), (where, line)
    assert sum(text.count("< 5") for text in texts.values()) > 10
    assert all("Secret statistique" in text for text in texts.values())


def test_the_funder_space_and_grant_pages(client, cast, data):
    """Each school and the total, each year and since the opening: no count from 1 to 4, and none
    that a total less the other schools, or every year less the others, gives back."""
    client.force_login(cast.funder)
    names = {cast.school_a.name: "A", data.school_c.name: "C", "Ensemble": "*"}
    published, hidden = {}, set()
    for year in ("*", 2024, 2025, 2026):
        html = client.get(reverse("funding:funder_space"), {} if year == "*" else {"annee": year})
        html = html.content.decode()
        table = html[html.index("Chiffres agrégés par école") :]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
            place = names[
                re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1)).strip()
            ]
            cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            # started, completed, positive exits (the last column is hours)
            for measure, text in zip(("started", "completed", "positive"), cells[:3], strict=True):
                value = number(text.replace("&lt;", "<"))
                assert not small(value), (year, place, measure, cells)
                if value in MARKS:
                    hidden.add((place, year, measure))
                else:
                    published[(place, year, measure)] = value
    assert {("C", "*", "started"), ("C", 2025, "completed"), ("C", 2025, "positive")} <= hidden
    equations = []
    for m in ("started", "completed", "positive"):
        for y in ("*", 2024, 2025, 2026):
            equations.append((("*", y, m), (("A", y, m), ("C", y, m))))
        for place in ("A", "C", "*"):
            equations.append(((place, "*", m), tuple((place, y, m) for y in (2024, 2025, 2026))))
    assert not (hidden & _solve(published, equations).keys())
    for grant in Grant.objects.filter(funder=cast.funder_org):
        response = client.get(reverse("funding:grant_detail", args=[grant.pk]))
        assert response.status_code == 200


# --- public outputs -------------------------------------------------------------------------------


def test_public_outputs_hide_every_small_cell(client, cast, data):
    for school in (cast.school_a, cast.school_b, data.school_c):
        response = client.get(reverse("impact:public_results", args=[school.slug]))
        assert response.status_code == 200
        for figure in response.context["figures"]:
            assert not small(figure.sample) or not figure.enough
            if figure.enough:  # the count behind the percentage is never 1 to 4 either
                assert not small(round(figure.percent * figure.sample / 100)), (school, figure)
            else:
                assert figure.percent is None or figure.sample < 5
    body = client.get(reverse("impact:opendata")).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert not any(small(number(v)) for line in lines[1:] for v in line[3:])
    assert any(v in MARKS for line in lines[1:] for v in line[3:])
    for item in client.get("/api/v1/impact/opendata").json()["items"]:
        assert not any(small(v) for v in item.values())
    method = client.get(reverse("impact:method")).content.decode()
    assert "Le secret statistique" in method and "de 1 à 4 jeunes" in method
