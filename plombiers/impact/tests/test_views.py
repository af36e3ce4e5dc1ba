"""The impact pages: dashboards, the learners behind a figure, exports, method, open data, report."""

import datetime as dt
import io
import re

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from plombiers.outcomes.enums import POSITIVE_CATEGORIES, ExitType
from plombiers.referrals.models import Learner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_network_dashboard(client, cast, world):
    client.force_login(cast.staff)
    response = client.get(reverse("impact:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Impact — Réseau de test" in html
    assert "76\u00a0%" in html  # 13 / 17
    assert "École A Chelles" in html and "École B Roubaix" in html
    assert "/impact/apprenants/?" in html
    assert 'id="impact-charts"' in html


def test_school_dashboard_and_filters(client, cast, world):
    client.force_login(cast.manager_a)
    url = reverse("impact:school", args=[cast.school_a.slug])
    html = client.get(url, {"year": 2025, "group_by": "year"}).content.decode()
    assert "67\u00a0%" in html  # A1: 6 / 9
    assert "École B Roubaix" not in html
    assert client.get(reverse("impact:school", args=[cast.school_b.slug])).status_code == 404
    # A bad filter is a French form error, and the figures of every year.
    response = client.get(url, {"year": "deux-mille"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_the_funder_sees_aggregates_without_any_link_to_learners(client, cast, world):
    client.force_login(cast.funder)
    response = client.get(reverse("impact:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fondation A" in html
    assert "apprenants" not in html
    for learner in Learner.objects.all():
        assert not re.search(rf"\b{re.escape(learner.last_name)}\b", html), (
            learner.last_name
        )  # whole words: « Martin » is in « Martinique »
    assert "École B Roubaix" not in html
    school_page = client.get(reverse("impact:school", args=[cast.school_a.slug])).content.decode()
    assert "apprenants" not in school_page


def test_the_filters_offer_only_the_regions_and_trades_of_the_schools_in_scope(client, cast, world):
    from plombiers.network.models import Region

    assert Region.objects.count() >= 13  # the communes fixture loads every region
    client.force_login(cast.funder)  # funds school A only (Chelles, fibre, Île-de-France)
    form = client.get(reverse("impact:home")).context["form"]
    assert [r.name for r in form.fields["region"].queryset] == ["Île-de-France"]
    assert [t.name for t in form.fields["trade"].queryset] == ["Fibre optique"]
    client.force_login(cast.staff)  # the network: both schools
    form = client.get(reverse("impact:network")).context["form"]
    assert [r.name for r in form.fields["region"].queryset] == ["Hauts-de-France", "Île-de-France"]
    # Read on the schools (`School.region`), never through the 37,530 communes.
    sql = str(form.fields["region"].queryset.query)
    assert "network_commune" not in sql and "network_departement" not in sql


def test_a_long_list_of_schools_waits_for_a_region(client, cast, world, monkeypatch):
    """A national network's 2,000 schools are listed a région at a time: beyond the longest list,
    the filter says to choose a région first; a school chosen (a link, a bookmark) stays listed
    and filters. Every school of the scope, and none other, is accepted."""
    from plombiers.impact import forms
    from plombiers.network.tests.factories import SchoolFactory

    client.force_login(cast.staff)
    url = reverse("impact:network")

    def listed(params=None):
        response = client.get(url, params or {})
        assert response.status_code == 200
        form = response.context["form"]
        return [str(label) for value, label in form.fields["school"].choices], response

    assert listed()[0] == ["Toutes", "École A Chelles", "École B Roubaix"]
    monkeypatch.setattr(forms, "LONGEST_SCHOOL_LIST", 1)
    names, response = listed()
    assert names == ["Toutes"]
    html = response.content.decode()
    assert "choisir d&#x27;abord une région" in html and 'aria-describedby="id_school_aide"' in html
    region_a = cast.school_a.commune.departement.region_id
    assert listed({"region": region_a})[0] == ["Toutes", "École A Chelles"]
    names, response = listed({"school": cast.school_b.pk})
    assert names == ["Toutes", "École B Roubaix"]
    assert response.context["filters"].school == cast.school_b.pk
    assert f'value="{cast.school_b.pk}" selected' in response.content.decode()
    other = SchoolFactory(network=cast.other_network)
    for value in (other.pk, "abc", 10**30):  # another network's school, no number: not accepted
        response = client.get(url, {"school": value})
        assert response.status_code == 200 and response.context["filters"].school is None


def test_the_school_filter_lists_the_schools_in_french_order(client, cast):
    """Accents and capitals aside, as a reader looks for a name (not the database's byte order,
    nor the order the schools were opened in)."""
    from plombiers.network.tests.factories import SchoolFactory

    for name in ("Zénith Lille", "atelier Évry"):
        SchoolFactory(network=cast.network, name=name, commune=cast.school_a.commune)
    client.force_login(cast.staff)
    form = client.get(reverse("impact:network")).context["form"]
    assert [str(label) for _, label in form.fields["school"].choices] == [
        "Toutes",
        "atelier Évry",
        "École A Chelles",
        "École B Roubaix",
        "Zénith Lille",
    ]


def test_the_learners_behind_a_figure(client, cast, world, django_assert_num_queries):
    client.force_login(cast.staff)
    html = client.get(reverse("impact:home")).content.decode()
    links = re.findall(r'href="(/impact/apprenants/\?[^"]+measure=positive_exits[^"]*)"', html)
    assert links
    page = client.get(links[0].replace("&amp;", "&"))
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 13
    positive = Learner.objects.filter(enrolments__exit__category__in=POSITIVE_CATEGORIES)
    assert set(page.context["page"].object_list) == set(positive)


@pytest.mark.parametrize("n", [1, 2])
def test_learners_list_query_count(client, cast, world, django_assert_num_queries, n):
    client.force_login(cast.staff)
    url = reverse("impact:learners") + "?scope=network&measure=started"
    client.get(url)  # warm the session
    if n == 2:
        from .test_selectors import _grow

        _grow(cast, 20)
    # Session, user, memberships, network, page count, page rows.
    with django_assert_num_queries(6):
        client.get(url)


def test_learners_list_refusals(client, cast, world):
    url = reverse("impact:learners")
    client.force_login(cast.funder)
    assert client.get(url, {"scope": "funder", "measure": "started"}).status_code == 404
    assert (
        client.get(url, {"scope": "school", "id": cast.school_a.slug, "measure": "started"}).status_code
        == 404
    )
    client.force_login(cast.manager_a)
    assert (
        client.get(url, {"scope": "school", "id": cast.school_b.slug, "measure": "started"}).status_code
        == 404
    )
    assert (
        client.get(url, {"scope": "school", "id": cast.school_a.slug, "measure": "rien"}).status_code == 404
    )
    ok = client.get(
        url,
        {"scope": "school", "id": cast.school_a.slug, "measure": "started", "group": "year", "value": "2026"},
    )
    assert ok.context["page"].paginator.count == 8


def test_exports(client, cast, world):
    client.force_login(cast.staff)
    csv = client.get(reverse("impact:home"), {"format": "csv", "table": "groupes"})
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8")
    assert body.startswith("\ufeffÉcole;Jeunes orienté·es")
    assert "École A Chelles;14;10;18;" in body
    assert "0,7857;11;14" in body  # A: 11 / 14
    xlsx = client.get(reverse("impact:home"), {"format": "xlsx", "table": "annees"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A2"].value == "Année"
    assert [sheet.cell(row=r, column=1).value for r in range(3, 6)] == ["2024", "2025", "2026"]
    assert client.get(reverse("impact:home"), {"format": "csv", "table": "autre"}).status_code == 404


def test_method_page_is_public_and_lists_every_situation(client):
    html = client.get(reverse("impact:method")).content.decode()
    for situation in ExitType:
        assert situation.label.replace("'", "&#x27;") in html


def test_open_data_csv_is_public(client, cast, world):
    response = client.get(reverse("impact:opendata"))
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffannee;region;metier;entrees_en_formation")
    assert "Ensemble;Ensemble;Ensemble;22;" in body


def test_funder_report(client, cast, world):
    url = reverse("impact:report", args=[cast.school_a.slug, 2025])
    for user in (cast.manager_a, cast.funder, cast.staff):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
    client.force_login(cast.manager_b)
    assert client.get(url).status_code == 404
    client.force_login(cast.prescriber)
    assert client.get(url).status_code == 404


#: The public page counts the last twelve whole months: on 10 June 2026, June 2025 to May 2026, which
#: hold cohort A2's exits (17/04/2026) and not A1's (18/04/2025).
PUBLISHED_ON = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)


@time_machine.travel(PUBLISHED_ON, tick=False)
def test_public_results_page_adds_insertion_rates(client, cast, world):
    from plombiers.network.enums import SchoolStatus

    cast.school_a.status = SchoolStatus.OPEN
    cast.school_a.opened_on = dt.date(2017, 9, 1)
    cast.school_a.save()
    world.a2.end_date = dt.date(2026, 4, 17)
    response = client.get(reverse("impact:public_results", args=[cast.school_a.slug]))
    assert response.status_code == 200
    figures = {f.label: f for f in response.context["figures"]}
    # Exits of the last twelve whole months: A2's seven (17/04/2026), two neutralised: 5 / 5.
    insertion = figures["Taux de sorties positives (emploi ou formation) à la sortie"]
    assert (insertion.percent, insertion.sample) == (100, 5)
    # Two durable jobs of five: two people, a small cell — masked, never « 40 % ».
    durable = figures["Taux d'emploi durable à la sortie"]
    assert (durable.percent, durable.sample, durable.secret, durable.enough) == (None, 5, "< 5", False)
    assert not figures["Taux de sorties positives 6 mois après la sortie"].enough
    html = response.content.decode()
    assert "40\u00a0%" not in html and "40&nbsp;%" not in html
    assert "Chiffre masqué (secret statistique)" in html
    for learner in Learner.objects.all():
        assert not re.search(rf"\b{re.escape(learner.last_name)}\b", html), (
            learner.last_name
        )  # whole words: « Martin » is in « Martinique »


@time_machine.travel(PUBLISHED_ON, tick=False)
def test_public_results_page_reads_the_rollup_by_month(client, cast, world):
    """Once a complete run has filled the rollup by month, the completion and insertion rates are
    read from it, in one statement: the same figures as from the records."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from plombiers.impact import rollup
    from plombiers.lib import derived
    from plombiers.network.enums import SchoolStatus

    cast.school_a.status = SchoolStatus.OPEN
    cast.school_a.opened_on = dt.date(2017, 9, 1)
    cast.school_a.save()
    url = reverse("impact:public_results", args=[cast.school_a.slug])

    def read():
        """The figures, and the statements after the one that reads the school."""
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        figures = [(f.label, f.percent, f.sample, f.secret, f.period) for f in response.context["figures"]]
        return figures, " ".join(q["sql"] for q in queries.captured_queries[1:]), len(queries)

    derived.flush()  # what the fixtures marked, as their commit would
    records, sql, _count = read()
    assert "impact_monthrollup" not in sql and "outcomes_exit" in sql
    rollup.refresh()
    consolidated, sql, count = read()
    assert "impact_monthrollup" in sql
    assert not {"outcomes_exit", "outcomes_followup", "cohorts_enrolment"} & set(re.findall(r'"(\w+)"', sql))
    assert count == 5  # the school, the survey's answers, the last run, the rollup; the figures kept
    assert consolidated == records
    assert records[3][1:3] == (100, 5)  # positive exits: 5 of 5 (as the test above)


def test_attendance_is_counted_in_hours_with_french_thousands_separators():
    """Minutes of attendance at national scale read « 1 080 785 h », not « 64847120 » minutes."""
    from plombiers.impact.cells import cell_html as _cell_html
    from plombiers.impact.selectors import INDICATOR, Figure

    figure = Figure(INDICATOR["attendance_rate"], 64847120, 68282760)
    html = _cell_html(figure, None, None)
    assert "1\u202f080\u202f785\u00a0h" in html and "1\u202f138\u202f046\u00a0h" in html, html
    assert "847" not in html  # no minutes
    assert figure.counts == "1\u202f080\u202f785\u00a0h / 1\u202f138\u202f046\u00a0h"
    people = Figure(INDICATOR["referred"], 12345, None)
    assert people.numerator_display == "12\u202f345"


@pytest.mark.parametrize(
    ("exits", "counted", "shown", "meets"),
    [
        (696, 1000, "69\u00a0%", False),
        (699, 1000, "69\u00a0%", False),
        (700, 1000, "70\u00a0%", True),
        (7, 10, "70\u00a0%", True),
        (6, 9, "67\u00a0%", False),
        (3, 4, "75\u00a0%", True),
    ],
)
def test_the_target_badge_and_the_printed_rate_never_disagree(exits, counted, shown, meets):
    """69,6 % used to print « 70 % » with « sous l'objectif »: the comparison is on the unrounded
    rate and a rate under it never prints as the target, so « 70 % » always means « objectif atteint »."""
    from plombiers.impact.cells import cell_html as _cell_html
    from plombiers.impact.selectors import INDICATOR, Figure

    figure = Figure(INDICATOR["positive_exit_rate"], exits, counted)
    assert figure.display == shown and figure.meets_target is meets
    html = _cell_html(figure, None, None)
    assert ("objectif atteint" in html) is meets and ("sous l'objectif" in html) is not meets


def test_the_table_by_group_is_paged_and_its_chart_too(client, cast, world, monkeypatch):
    from plombiers.impact import views

    monkeypatch.setattr(views, "GROUP_PAGE_SIZE", 1)
    client.force_login(cast.staff)
    url = reverse("impact:network") + "?group=school&year=2025"
    first = client.get(url)
    table = first.content.decode().split('id="titre-groupes"')[1].split("</section>")[0]
    assert "École A Chelles" in table and "École B Roubaix" not in table
    assert "Page 1 sur 2" in table and "group=school&amp;year=2025&amp;page=2" in table
    chart = first.context["charts"]["groups"]
    assert chart["labels"] == ["École A Chelles"] and "(1 à 1 sur 2)" in chart["title"]
    second = (
        client.get(url + "&page=2").content.decode().split('id="titre-groupes"')[1].split("</section>")[0]
    )
    assert "École B Roubaix" in second and "École A Chelles" not in second
    # The export holds every line.
    export = client.get(url + "&format=csv&table=groupes").content.decode("utf-8-sig")
    assert "École A Chelles" in export and "École B Roubaix" in export


def test_a_cell_written_in_python_says_what_the_template_said():
    """The dashboards' cells are written by `_cell_html` (an included template per cell cost most of
    a page): a count and its link, a rate with its badge and both links, and the secrecy marks."""
    from plombiers.impact.cells import cell_html as _cell_html
    from plombiers.impact.selectors import INDICATOR, Figure

    by_key = INDICATOR
    assert Figure(by_key["referred"], 101652, None).display == "101\u202f652"  # as a rate's counts
    count = _cell_html(Figure(by_key["referred"], 12, None), "/impact/jeunes/?a=1&b=2", None)
    assert count == (
        '<a href="/impact/jeunes/?a=1&amp;b=2">12<span class="visually-hidden"> — voir les jeunes</span></a>'
    )
    assert _cell_html(Figure(by_key["referred"], None, None, "< 5"), "/x", None) == (
        '<abbr title="De 1 à 4 jeunes : masqué (secret statistique)">&lt; 5</abbr>'
    )
    rate = _cell_html(Figure(by_key["positive_exit_rate"], 7, 10), "/n", "/d")
    assert rate == (
        '<span class="fw-semibold">70\u00a0%</span> <span class="badge text-bg-success">objectif atteint</span>\n'
        '<span class="small text-body-secondary d-block">'
        '<a href="/n" class="link-secondary">7<span class="visually-hidden"> — voir les jeunes du numérateur</span></a>'
        "&nbsp;/&nbsp;"
        '<a href="/d" class="link-secondary">10<span class="visually-hidden"> — voir les jeunes du dénominateur</span></a>'
        "</span>"
    )
    below = _cell_html(Figure(by_key["positive_exit_rate"], 6, 10), None, None)
    assert "sous l'objectif" in below and "<a " not in below
    hidden = _cell_html(Figure(by_key["positive_exit_rate"], 40, None, "", "s"), None, None)
    assert hidden.startswith('<span class="fw-semibold"><abbr title="Masqué pour qu\'aucun total')
    assert "« &lt; 5 »" in hidden and "badge" not in hidden


@pytest.mark.parametrize("asked, shown", [("2", 2), ("9", 2), ("abc", 1), ("0", 2), ("9" * 40, 2)])
def test_a_page_of_the_table_by_school_read_alone(client, cast, world, monkeypatch, asked, shown):
    """From the rollup, the page of exact figures reads only the schools it shows (the database
    sorts and cuts them): the same lines as the whole table's page, past the end the last page,
    no number the first, 0 the last (as `Paginator.get_page` reads them) — never an error."""
    from plombiers.impact import rollup, views

    rollup.refresh()
    monkeypatch.setattr(views, "GROUP_PAGE_SIZE", 1)
    client.force_login(cast.staff)
    response = client.get(reverse("impact:network") + f"?group=school&page={asked}")
    assert response.status_code == 200
    table = response.content.decode().split('id="titre-groupes"')[1].split("</section>")[0]
    assert f"Page {shown} sur 2" in table
    expected, other = ("École A Chelles", "École B Roubaix")[:: 1 if shown == 1 else -1]
    assert expected in table and other not in table
    assert response.context["charts"]["groups"]["labels"] == [expected]


@pytest.mark.parametrize("more", [0, 3])
def test_query_count_of_the_network_and_a_funders_dashboard(
    client, cast, world, django_assert_num_queries, more
):
    """From the rollup, whatever the number of schools: session, user, memberships, the scope (the
    network; or the funder, then whether it funds the whole network), the rollup run, the three
    tables in one statement, the trades and régions in one, the schools."""
    from plombiers.impact import rollup
    from plombiers.network.tests.factories import PartnershipFactory, SchoolFactory

    for _ in range(more):
        PartnershipFactory(school=SchoolFactory(network=cast.network), organisation=cast.funder_org)
    rollup.refresh()
    client.force_login(cast.staff)
    pages = {
        reverse("impact:network_detail", args=[cast.network.pk]): 8,
        reverse("impact:funder", args=[cast.funder_org.pk]): 9,
    }
    for url, queries in pages.items():
        client.get(url)  # warm the session
        with django_assert_num_queries(queries) as captured:
            assert client.get(url).status_code == 200
        # The memberships read first, once: no rule of `visible_to` reads them again in a subquery.
        statements = [q["sql"] for q in captured.captured_queries]
        assert sum("accounts_membership" in sql for sql in statements) == 1, statements
