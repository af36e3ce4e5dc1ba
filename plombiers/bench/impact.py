"""The indicators' benchmarks (issues 10 and 23), on the synthetic national network of `plombiers
seed` — or, in a database without it, on the demo network (`plombiers demo`).

Every dashboard reads the rollup (`impact.rollup`), kept exact at every write and recomputed each
night; so do these benchmarks, each beside its floor:

- the dashboards of the network, of a funder of every school, of a school and of a cohort, and a
  school's public results page, beside
  the bare-view floor (a template rendering a table of the same size, no database), with issue 23's
  goal: at most ×3 the floor and under 300 ms;
- `selectors.indicators` of the network, in total and by school (what the API computes), beside
  the best single raw SQL statement I could write for the same figures: on the rollup, every
  measure by school in one `SUM … GROUP BY`; and, for the record, the one on the records
  themselves (one aggregate per source in a `WITH`, joined on the school);
- `GET /api/v1/impact?scope=network&group_by=school`, the same figures and their JSON, beside the
  same SQL floor;
- the open data (`GET /api/v1/impact/opendata`) beside one raw SQL statement computing its counts
  by year × région × trade on the rollup;
- one recomputation of the rollup (`rollup.refresh`), beside the raw SQL statement on the records.

Without either network the measures say « indisponible : lancer plombiers seed ».
"""

import math
import re

from django.db import connection
from django.test import Client
from django.urls import reverse

from plombiers.accounts.models import User
from plombiers.cohorts.enums import AttendanceStatus, EnrolmentStatus
from plombiers.impact import rollup, selectors
from plombiers.impact.access import resolve_scope
from plombiers.impact.models import RollupRun, SchoolRollup
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Network, Organisation, School
from plombiers.outcomes.enums import POSITIVE_CATEGORIES, ExitCategory, FollowUpStatus
from plombiers.referrals.enums import Diploma, Gender, ReferralStatus
from plombiers.referrals.models import Learner
from plombiers.skills.enums import ACQUIRED_LEVELS
from plombiers.support.enums import BarrierLevel

from .benchmarks import floor_url
from .harness import HttpError, Measure, Timing, benchmark, measure, measure_beside
from .seed import NETWORK_STAFF_EMAIL, seeded_learners, seeded_network

UNAVAILABLE = "indisponible : lancer plombiers seed"
C = ExitCategory
JOBS = (C.DURABLE_JOB, C.TRANSITION_JOB)
HORIZONS = (1, 3, 6, 12)


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _days(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def indicators_sql() -> str:
    """Every measure of `selectors.MEASURES`, by school of one network (parameter: the network)."""
    counted = f"x.category <> '{C.NEUTRALISED}'"
    followups = []
    for h in HORIZONS:
        done = f"f.horizon = {h} AND f.status = '{FollowUpStatus.DONE}'"
        followups += [
            f"SUM(CASE WHEN f.horizon = {h} AND f.status IN ('{FollowUpStatus.DONE}', '{FollowUpStatus.NO_NEWS}') "
            f"AND NOT ({done} AND f.category = '{C.NEUTRALISED}') THEN 1 ELSE 0 END) AS followups_{h}",
            f"SUM(CASE WHEN {done} AND f.category IN {_in(POSITIVE_CATEGORIES)} THEN 1 ELSE 0 END) AS positive_{h}",
            f"SUM(CASE WHEN {done} AND f.category = '{C.DURABLE_JOB}' THEN 1 ELSE 0 END) AS durable_{h}",
            f"SUM(CASE WHEN f.horizon = {h} AND f.status = '{FollowUpStatus.DUE}' THEN 1 ELSE 0 END) AS due_{h}",
        ]
    categories = ",\n".join(
        f"SUM(CASE WHEN x.category = '{c}' THEN 1 ELSE 0 END) AS exits_{c}" for c in ExitCategory.values
    )
    there = _in([AttendanceStatus.PRESENT, AttendanceStatus.LATE])
    has_barrier = f"(b.level <> '{BarrierLevel.NONE}' OR b.lifted_on IS NOT NULL)"
    return f"""
WITH s AS (SELECT id FROM network_school WHERE network_id = %s),
r AS (
  SELECT r.school_id, COUNT(*) AS referred,
         SUM(CASE WHEN r.status = '{ReferralStatus.ADMITTED}' THEN 1 ELSE 0 END) AS admitted
  FROM referrals_referral r WHERE r.school_id IN (SELECT id FROM s) GROUP BY r.school_id),
b AS (
  SELECT b.learner_id, SUM(CASE WHEN {has_barrier} THEN 1 ELSE 0 END) AS barriers,
         SUM(CASE WHEN b.lifted_on IS NOT NULL THEN 1 ELSE 0 END) AS lifted
  FROM support_barrier b GROUP BY b.learner_id),
e AS (
  SELECT c.school_id, COUNT(*) AS started,
         SUM(CASE WHEN l.gender = '{Gender.FEMALE}' THEN 1 ELSE 0 END) AS women,
         SUM(CASE WHEN l.lives_in_qpv THEN 1 ELSE 0 END) AS qpv,
         SUM(CASE WHEN l.has_rqth THEN 1 ELSE 0 END) AS rqth,
         SUM(CASE WHEN l.highest_diploma = '{Diploma.NONE}' THEN 1 ELSE 0 END) AS non_qualified,
         COALESCE(SUM(b.barriers), 0) AS barriers, COALESCE(SUM(b.lifted), 0) AS barriers_lifted,
         SUM(CASE WHEN e.status IN ('{EnrolmentStatus.COMPLETED}', '{EnrolmentStatus.DROPPED_OUT}')
                   AND e.end_date IS NOT NULL THEN 1 ELSE 0 END) AS ended,
         SUM(CASE WHEN e.status = '{EnrolmentStatus.COMPLETED}' AND e.end_date IS NOT NULL THEN 1 ELSE 0 END)
           AS completed,
         SUM(CASE WHEN e.status = '{EnrolmentStatus.DROPPED_OUT}' AND e.end_date IS NOT NULL THEN 1 ELSE 0 END)
           AS dropped_out
  FROM cohorts_enrolment e JOIN cohorts_cohort c ON c.id = e.cohort_id
  JOIN referrals_learner l ON l.id = e.learner_id LEFT JOIN b ON b.learner_id = e.learner_id
  WHERE c.school_id IN (SELECT id FROM s) GROUP BY c.school_id),
a AS (
  SELECT c.school_id,
         SUM(CASE WHEN a.status IN {there} THEN t.duration_minutes - a.late_minutes ELSE 0 END) AS attended,
         SUM(t.duration_minutes) AS scheduled
  FROM cohorts_attendance a JOIN cohorts_trainingsession t ON t.id = a.session_id
  JOIN cohorts_cohort c ON c.id = t.cohort_id
  WHERE t.locked_at IS NOT NULL AND c.school_id IN (SELECT id FROM s) GROUP BY c.school_id),
k AS (
  SELECT c.school_id, COUNT(*) AS skills_acquired
  FROM skills_observation o JOIN cohorts_enrolment e ON e.id = o.enrolment_id
  JOIN cohorts_cohort c ON c.id = e.cohort_id
  WHERE c.school_id IN (SELECT id FROM s) AND o.level IN {_in(ACQUIRED_LEVELS)}
    AND o.id IN (SELECT MAX(id) FROM skills_observation GROUP BY enrolment_id, skill_id)
  GROUP BY c.school_id),
j AS (
  SELECT f.exit_id, MIN(f.due_on) AS first_job_on FROM outcomes_followup f
  WHERE f.status = '{FollowUpStatus.DONE}' AND f.category IN {_in(JOBS)} GROUP BY f.exit_id),
x AS (
  SELECT c.school_id, COUNT(*) AS exits,
         SUM(CASE WHEN {counted} THEN 1 ELSE 0 END) AS counted_exits,
         SUM(CASE WHEN x.category IN {_in(POSITIVE_CATEGORIES)} THEN 1 ELSE 0 END) AS positive_exits,
         {categories},
         SUM(CASE WHEN x.hired_by_internship_host AND x.category IN {_in(JOBS)} THEN 1 ELSE 0 END)
           AS hired_by_host,
         SUM(CASE WHEN x.category IN {_in(JOBS)} OR j.first_job_on IS NOT NULL THEN 1 ELSE 0 END) AS with_job,
         SUM(CASE WHEN x.category IN {_in(JOBS)} THEN 0
                  WHEN j.first_job_on IS NOT NULL THEN {_days("j.first_job_on", "x.exit_date")} END) AS days_to_job
  FROM outcomes_exit x JOIN cohorts_enrolment e ON e.id = x.enrolment_id
  JOIN cohorts_cohort c ON c.id = e.cohort_id LEFT JOIN j ON j.exit_id = x.id
  WHERE c.school_id IN (SELECT id FROM s) GROUP BY c.school_id),
f AS (
  SELECT c.school_id, {", ".join(followups)}
  FROM outcomes_followup f JOIN outcomes_exit x ON x.id = f.exit_id
  JOIN cohorts_enrolment e ON e.id = x.enrolment_id JOIN cohorts_cohort c ON c.id = e.cohort_id
  WHERE c.school_id IN (SELECT id FROM s) GROUP BY c.school_id)
SELECT sc.id, sc.name, r.*, e.*, a.*, k.*, x.*, f.*
FROM network_school sc
LEFT JOIN r ON r.school_id = sc.id LEFT JOIN e ON e.school_id = sc.id LEFT JOIN a ON a.school_id = sc.id
LEFT JOIN k ON k.school_id = sc.id LEFT JOIN x ON x.school_id = sc.id LEFT JOIN f ON f.school_id = sc.id
WHERE sc.id IN (SELECT id FROM s)
ORDER BY sc.name
"""  # noqa: S608 — constants of the code, the network as a parameter


def opendata_sql() -> str:
    """The open data's counts by year × région × trade: started (by entry year), completed (by end
    year), exits and their categories (by exit year). Parameter: the network, three times."""
    year = (
        "CAST(strftime('%%Y', {}) AS INTEGER)" if connection.vendor == "sqlite" else "EXTRACT(YEAR FROM {})"
    )
    where = "c.school_id IN (SELECT id FROM network_school WHERE network_id = %s)"
    place = (
        "JOIN cohorts_cohort c ON c.id = e.cohort_id JOIN network_school sc ON sc.id = c.school_id "
        "JOIN network_commune m ON m.id = sc.commune_id LEFT JOIN network_departement d ON d.id = m.departement_id"
    )
    categories = ", ".join(
        f"SUM(CASE WHEN x.category = '{c}' THEN 1 ELSE 0 END)" for c in ExitCategory.values
    )
    zeros = ", ".join("0" for _ in ExitCategory.values)
    return f"""
SELECT 'started', {year.format("e.entry_date")} AS y, d.region_id, c.trade_id, COUNT(*), 0, 0, {zeros}
FROM cohorts_enrolment e {place} WHERE {where} GROUP BY 2, 3, 4
UNION ALL
SELECT 'completed', {year.format("e.end_date")}, d.region_id, c.trade_id, COUNT(*), 0, 0, {zeros}
FROM cohorts_enrolment e {place}
WHERE {where} AND e.status = '{EnrolmentStatus.COMPLETED}' AND e.end_date IS NOT NULL GROUP BY 2, 3, 4
UNION ALL
SELECT 'exits', {year.format("x.exit_date")}, d.region_id, c.trade_id, COUNT(*),
       SUM(CASE WHEN x.category IN {_in(POSITIVE_CATEGORIES)} THEN 1 ELSE 0 END), 0, {categories}
FROM outcomes_exit x JOIN cohorts_enrolment e ON e.id = x.enrolment_id {place} WHERE {where} GROUP BY 2, 3, 4
"""  # noqa: S608 — constants of the code, the network as a parameter


def rollup_sql(groups: list[str], labels: tuple[str, ...] = ()) -> str:
    """Every measure of the rollup, summed by `groups` (SQL expressions over the rollup `r`, the
    school `sc`, its commune `m` and département `d`; `labels` depend on them) for one network
    (parameter): from the narrowest table that holds them, the rollup by school (`SchoolRollup`),
    over every year unless the years are a group."""
    sums = ", ".join(f"SUM(r.{name})" for name in selectors.MEASURES)
    keys = ", ".join(groups)
    place = ""
    if any(g.startswith(("m.", "d.")) for g in groups):
        place = "JOIN network_commune m ON m.id = sc.commune_id LEFT JOIN network_departement d ON d.id = m.departement_id"
    return f"""
SELECT {", ".join([*groups, *labels])}, {sums}
FROM {SchoolRollup._meta.db_table} r JOIN network_school sc ON sc.id = r.school_id {place}
WHERE sc.network_id = %s AND r.every_year = {"FALSE" if "r.year" in groups else "TRUE"}
GROUP BY {keys}
"""  # noqa: S608 — names of the code, the network as a parameter


def _raw(sql: str, params: list):
    def call():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return call


def _sql_floor(sql: str, params: list, repeat: int) -> Timing:
    timing = measure(_raw(sql, params), repeat=repeat, warmup=1)
    return timing


def _goal(m: Measure) -> None:
    if m.ratio is not None:
        m.note = f"objectif : au plus ×1,5 le plancher SQL — {'atteint' if m.ratio <= 1.5 else 'non atteint'}"


#: Issue 23's goal for every dashboard: at most ×3 its bare-view floor, and under 300 ms.
PAGE_RATIO, PAGE_MS = 3, 300


def _page_goal(m: Measure) -> None:
    if m.timing is not None and m.ratio is not None:
        reached = m.ratio <= PAGE_RATIO and m.timing.median_ms < PAGE_MS
        m.note = f"objectif : au plus ×{PAGE_RATIO} le plancher et sous {PAGE_MS} ms — {'atteint' if reached else 'non atteint'}"


def _measure_page(m: Measure, client, url: str, repeat: int) -> None:
    """A dashboard beside its floor, in alternation (`measure_beside`): a bare view rendering a
    table of as many cells as the page shows (`_table_size`) — for the public results page, its six
    figures (a label, a value and a sample each), read without an account as the page is."""
    if m.name == "impact_public_page":
        rows, cols = 6, 3
        m.floor_name = "vue Django nue sans compte, un tableau de 6 × 3 cellules (les six chiffres)"
    else:
        rows, cols = _table_size(client, url)
        m.floor_name = f"vue Django nue, un tableau d'autant de cellules que la page ({rows} × {cols})"
    floor = floor_url(rows, cols)
    m.timing, m.floor = measure_beside(
        lambda: client.get(url), lambda: client.get(floor), repeat=repeat, warmup=1
    )


def _table_size(client, url: str) -> tuple[int, int]:
    """The floor of a dashboard is a table of as many cells as the page shows in its tables (its
    rows, and the cells spread over them): a bare view rendering a template of the same size."""
    html = client.get(url).content.decode()
    tables = re.findall(r"<table\b.*?</table>", html, flags=re.S)
    rows = sum(table.count("<tr") for table in tables) or 1
    cells = sum(table.count("<td") + table.count("<th") for table in tables)
    return rows, max(1, math.ceil(cells / rows))


#: The demo's network and the accounts the benchmark reads it as (DESIGN.md's demo accounts).
DEMO = ("demo", "reseau@plombiers.example", "direction@plombiers.example")


def _target():
    """(network, its size, network staff, a school, its manager): the seeded network, or else the
    demo's; Nones when neither is here."""
    network = seeded_network()
    if network is not None:
        n = seeded_learners(network)
        staff = User.objects.filter(email=NETWORK_STAFF_EMAIL).first()
        school = School.objects.filter(network=network).order_by("slug").first()
        manager = (
            User.objects.filter(memberships__school=school, email__startswith="direction-").first()
            if school
            else None
        )
        return network, n, staff, school, manager
    slug, staff_email, manager_email = DEMO
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        return None, None, None, None, None
    manager = User.objects.filter(email=manager_email).first()
    membership = manager.memberships.filter(school__isnull=False).first() if manager else None
    n = Learner.objects.filter(school__network=network).count()
    return (
        network,
        n,
        User.objects.filter(email=staff_email).first(),
        membership.school if membership else None,
        manager,
    )


@benchmark("impact")
def impact(ctx) -> list[Measure]:
    network, n, staff, school, manager = _target()
    schools = School.objects.filter(network=network).count() if network else 0
    where = "démonstration, " if network is not None and network.slug == DEMO[0] else ""
    size = f"{where}{n} jeunes, {schools} écoles" if network is not None else "réseau synthétique"
    # An indicator page reads the whole network: a few runs are enough to see its median.
    repeat = max(min(ctx.repeat, 10), 2)
    by_school = "une requête SQL écrite à la main : les mêmes mesures par école, sur les cumuls"
    measures = [
        Measure(
            "impact_rollup_refresh",
            f"Recalcul des cumuls des indicateurs ({size})",
            floor_name="une requête SQL écrite à la main : les mêmes mesures par école, sur les données brutes",
        ),
        Measure(
            "impact_network_page",
            f"Tableau de bord du réseau ({size})",
            floor_name="vue Django nue",
        ),
        Measure(
            "impact_funder_page",
            f"Tableau de bord d'un financeur de toutes les écoles ({size})",
            floor_name="vue Django nue",
        ),
        Measure("impact_school_page", f"Tableau de bord d'une école ({size})", floor_name="vue Django nue"),
        Measure(
            "impact_cohort_page", f"Tableau de bord d'une promotion ({size})", floor_name="vue Django nue"
        ),
        Measure(
            "impact_public_page",
            f"Page publique des résultats d'une école, douze mois ({size})",
            floor_name="vue Django nue",
        ),
        Measure(
            "impact_indicators_by_school",
            f"Indicateurs du réseau, au total et par école (selectors.indicators_with_total, {size})",
            floor_name=by_school,
        ),
        Measure(
            "impact_api_by_school",
            f"GET /api/v1/impact?scope=network&group_by=school ({size})",
            floor_name=by_school,
        ),
        Measure(
            "impact_opendata",
            f"GET /api/v1/impact/opendata ({size})",
            floor_name="une requête SQL écrite à la main : les mêmes comptes par année × région × métier, sur les cumuls",
        ),
    ]
    if network is None or staff is None or manager is None:
        for m in measures:
            m.status = UNAVAILABLE
        return measures
    refresh, network_page, funder_page, school_page, cohort_page, public_page, selector, api, opendata = (
        measures
    )
    details = {"learners": n, "schools": schools, "runs": repeat}

    # The rollup first: every other measure reads the one it leaves.
    refresh.timing = measure(rollup.refresh, repeat=1, warmup=0)
    refresh.floor = _sql_floor(indicators_sql(), [network.pk], 1)
    run = RollupRun.objects.filter(complete=True).first()
    refresh.details = {**details, "runs": 1, "rows": run.rows, "schools_all": run.schools}
    refresh.note = f"{run.rows} lignes de cumul pour {run.schools} écoles ; tâche de nuit, pas une page"

    staff_client, manager_client, anonymous = ctx.client(staff), ctx.client(manager), Client()
    # The State: the first funder, a partner of every school.
    funder = (
        Organisation.objects.filter(
            network=network, kind=OrganisationKind.FUNDER, partnerships__school=school
        )
        .order_by("pk")
        .first()
    )
    cohort = school.cohorts.order_by("-start_date").first()
    urls = {
        "impact_network_page": (staff_client, reverse("impact:network_detail", args=[network.pk])),
        "impact_funder_page": (staff_client, reverse("impact:funder", args=[funder.pk]) if funder else None),
        "impact_school_page": (manager_client, reverse("impact:school", args=[school.slug])),
        "impact_cohort_page": (
            manager_client,
            reverse("impact:cohort", args=[cohort.pk]) if cohort else None,
        ),
        # Published to everybody: read without an account.
        "impact_public_page": (anonymous, reverse("impact:public_results", args=[school.slug])),
        "impact_api_by_school": (
            staff_client,
            f"/api/v1/impact?scope=network&id={network.pk}&group_by=school",
        ),
        "impact_opendata": (staff_client, f"/api/v1/impact/opendata?network={network.slug}"),
    }
    pages = (network_page, funder_page, school_page, cohort_page, public_page)
    for m in measures:
        if m.name not in urls:
            continue
        client, url = urls[m.name]
        m.details = {"url": url, **details}
        if url is None:
            m.status = UNAVAILABLE
            continue
        try:
            if m in pages:
                _measure_page(m, client, url, repeat)
            else:
                m.timing = measure(lambda client=client, url=url: client.get(url), repeat=repeat, warmup=1)
        except HttpError as error:
            m.status = f"indisponible ({error} sur {url})"

    def compute():
        scope = resolve_scope(staff, "network", network.pk)
        return selectors.indicators_with_total(scope, selectors.Filters(), "school")

    selector.details = details
    selector.timing = measure(compute, repeat=repeat, warmup=1)

    floor = _sql_floor(rollup_sql(["sc.id"], ("sc.name",)), [network.pk], repeat)
    records = refresh.floor  # the same statement on the records, timed once above
    for m in (selector, api):
        if m.timing:
            m.floor = floor
            m.details["records_floor_ms"] = round(records.median_ms, 3)
    if opendata.timing:
        opendata.floor = _sql_floor(
            rollup_sql(["r.year", "d.region_id", "sc.trade_id"]), [network.pk], repeat
        )
    for m in (selector, api, opendata):
        _goal(m)
    if selector.timing:
        selector.note += f" ; la même requête sur les données brutes : {records.median_ms:,.0f} ms".replace(
            ",", "\u202f"
        )
    for m in pages:
        _page_goal(m)
    return measures
