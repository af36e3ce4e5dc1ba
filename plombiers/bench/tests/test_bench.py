"""The bench harness on tiny sizes: its output and results.json, never a duration."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, override_settings

from plombiers.accounts.enums import Role
from plombiers.accounts.tests.factories import UserFactory
from plombiers.bench.dataset import Sizes, ensure
from plombiers.bench.harness import Timing
from plombiers.bench.management.commands.bench import uses_the_demo_database
from plombiers.cohorts.models import Cohort
from plombiers.cohorts.tests.factories import CohortFactory
from plombiers.internships.models import Offer
from plombiers.referrals.models import Referral
from plombiers.skills.models import Observation

TINY = ["--quick", "--repeat", "2"]


def run(tmp_path, *args) -> tuple[str, dict]:
    output = tmp_path / "results.json"
    call_command("bench", *TINY, *args, "--output", str(output))
    return output, json.loads(output.read_text(encoding="utf-8"))


@pytest.mark.django_db(transaction=True)
def test_bench_quick_writes_results(tmp_path, capsys, settings, monkeypatch):
    monkeypatch.delenv("CONN_MAX_AGE", raising=False)
    # The tiny network has one school: make it read the rollup, as a national one does.
    settings.IMPACT_ROLLUP_FROM_SCHOOLS = 1
    call_command("seed", "--learners", "120", "--marks-per-learner", "3", "--observations-per-learner", "2")
    _, results = run(tmp_path)
    out = capsys.readouterr().out
    assert "Jeu de données construit" in out
    assert "Résumé : 21/21 mesures" in out
    assert "plus rapide que WeasyPrint" in out
    assert {
        "generated_at",
        "machine",
        "database",
        "repeat",
        "sizes",
        "dataset",
        "measures",
        "summary",
    } <= set(results)
    assert results["database"]["vendor"] == connection.vendor
    # Measured with production's persistent connections, then the run's setting is back.
    assert results["database"]["conn_max_age"] == 60
    assert connection.settings_dict["CONN_MAX_AGE"] == 0
    assert results["sizes"] == Sizes.quick().__dict__
    measures = {m["name"]: m for m in results["measures"]}
    pages = {"cohort_matrix", "referral_list_page", "referral_list_api"}
    documents = {"documents_cohort_set", "certificates_typst", "certificate_typst_vs_weasyprint"}
    matching = {"matching_one_learner", "matching_all_learners", "matching_doubling"}
    credentials = {"credential_sign", "credential_verify", "attestation_pdf"}
    impact = {
        "impact_network_page",
        "impact_funder_page",
        "impact_school_page",
        "impact_cohort_page",
        "impact_public_page",
        "impact_indicators_by_school",
        "impact_api_by_school",
        "impact_opendata",
    }
    assert set(measures) == pages | documents | matching | credentials | impact | {"impact_rollup_refresh"}
    for name in credentials:
        assert measures[name]["status"] == "ok" and measures[name]["details"]["per_second"] > 0
    assert measures["credential_sign"]["details"]["per_second_cpu"] > 0
    for measure in (measures[name] for name in pages | impact | {"documents_cohort_set"}):
        assert measure["status"] == "ok"
        assert measure["measure"]["runs"] == 2
        assert measure["measure"]["median_ms"] <= measure["measure"]["p95_ms"]
        assert measure["measure"]["queries"] >= 1
        assert measure["floor"]["runs"] == 2
        assert measure["ratio"] is not None
    assert measures["cohort_matrix"]["details"]["observations_in_cohort"] == 3 * 5 * 2
    # The API's list beside a bare JSON list of its size, the page beside an HTML table.
    assert "JSON" in measures["referral_list_api"]["floor"]["name"]
    assert "tableau" in measures["referral_list_page"]["floor"]["name"]
    assert results["summary"]["measured"] == 21
    # The indicators: a constant number of queries, the SQL floors in one statement each.
    for name in ("impact_indicators_by_school", "impact_api_by_school", "impact_opendata"):
        assert measures[name]["floor"]["queries"] == 1 and "plancher SQL" in measures[name]["note"]
    # Read from the rollup: the scope (the network; the last run with the number of its schools),
    # then one query by school, whose lines add up to the total.
    assert measures["impact_indicators_by_school"]["measure"]["queries"] == 3
    assert measures["impact_indicators_by_school"]["details"]["records_floor_ms"] > 0
    refresh = measures["impact_rollup_refresh"]
    assert refresh["status"] == "ok" and refresh["measure"]["runs"] == 1 and refresh["details"]["rows"] > 0
    for name in PAGES:
        assert "objectif : au plus ×3 le plancher et sous 300 ms" in measures[name]["note"]
    # The public page read without an account, beside a floor without one, from the rollup by month.
    assert "sans compte" in measures["impact_public_page"]["floor"]["name"]
    assert measures["impact_network_page"]["details"]["learners"] == 120
    # The documents: 2 learners × 1 week → 2 conventions, 1 sheet, 2 certificats, 2 attestations.
    assert measures["documents_cohort_set"]["details"]["files"] == 7
    assert measures["documents_cohort_set"]["details"]["attendances"] == 2 * 10
    assert measures["certificates_typst"]["details"]["certificates"] == 5
    assert measures["certificates_typst"]["measure"]["queries"] == 0, "rendering only: the data is read once"
    # Matching: 60 open offers (and 60 more opened for the doubling, closed again after), 20 young people.
    one, everybody, double = (
        measures[name] for name in ("matching_one_learner", "matching_all_learners", "matching_doubling")
    )
    for measure in (one, everybody, double):
        assert measure["status"] == "ok" and measure["floor"]["runs"] >= 1 and measure["ratio"] is not None
    assert one["details"]["open_offers"] == 60 and one["measure"]["queries"] == 3
    assert everybody["details"] == {**everybody["details"], "learners": 20, "open_offers": 60}
    assert double["details"]["open_offers"] == 120 and "doubler les offres" in double["note"]
    assert double["floor"] == {"name": double["floor"]["name"], **everybody["measure"]}
    assert Offer.objects.open().count() == 60
    versus = measures["certificate_typst_vs_weasyprint"]
    assert versus["status"] == "ok" and versus["floor"]["runs"] == 2
    assert versus["details"]["typst_faster_by"] > 0 and "WeasyPrint" in versus["note"]

    # A second run reuses the data set.
    counts = (Cohort.objects.count(), Observation.objects.count(), Referral.objects.count())
    _, again = run(tmp_path)
    assert "Jeu de données réutilisé" in capsys.readouterr().out
    assert again["dataset"]["built"] == []
    assert (Cohort.objects.count(), Observation.objects.count(), Referral.objects.count()) == counts


#: The pages measured against issue 23's goal.
PAGES = (
    "impact_network_page",
    "impact_funder_page",
    "impact_school_page",
    "impact_cohort_page",
    "impact_public_page",
)


@pytest.mark.django_db(transaction=True)
def test_a_page_that_does_not_resolve_is_reported_unavailable(tmp_path, capsys, settings):
    """A measure whose page is missing from the urlconf says so instead of crashing the run."""
    settings.BENCH_URLCONF = "plombiers.bench.tests.urls_without_skills"
    _, results = run(tmp_path, "--only", "cohort_matrix")
    (measure,) = results["measures"]
    assert measure["status"].startswith("indisponible")
    assert "measure" not in measure
    assert results["summary"]["unavailable"] == ["cohort_matrix"]
    assert "indisponible" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_the_impact_measures_need_the_seeded_network(tmp_path, capsys):
    _, results = run(tmp_path, "--only", "impact")
    assert {m["name"]: m["status"] for m in results["measures"]} == dict.fromkeys(
        [
            "impact_rollup_refresh",
            "impact_network_page",
            "impact_funder_page",
            "impact_school_page",
            "impact_cohort_page",
            "impact_public_page",
            "impact_indicators_by_school",
            "impact_api_by_school",
            "impact_opendata",
        ],
        "indisponible : lancer plombiers seed",
    )
    assert "Résumé : 0/9 mesures" in capsys.readouterr().out


def test_without_the_seed_the_impact_measures_read_the_demo_network(cast, tmp_path):
    """Issue 23 asks for the dashboards on the demo too: a database with the demo's network (its
    slug and DESIGN.md's accounts) is measured as the seeded one, each page beside its floor and
    against the goal (×3 the floor, 300 ms)."""
    cast.network.slug = "demo"
    cast.network.save()
    UserFactory(email="reseau@plombiers.example").memberships.create(
        role=Role.NETWORK_STAFF, network=cast.network
    )
    UserFactory(email="direction@plombiers.example").memberships.create(
        role=Role.SCHOOL_MANAGER, school=cast.school_a
    )
    CohortFactory(school=cast.school_a)
    _, results = run(tmp_path, "--only", "impact")
    measures = {m["name"]: m for m in results["measures"]}
    assert {name: m["status"] for name, m in measures.items()} == dict.fromkeys(measures, "ok")
    for name in PAGES:
        assert measures[name]["floor"]["median_ms"] > 0, name
        assert "objectif : au plus ×3 le plancher et sous 300 ms" in measures[name]["note"], name
    assert measures["impact_network_page"]["label"].endswith("(démonstration, 0 jeunes, 2 écoles)")


@pytest.mark.parametrize(
    ("vendor", "name", "refused"),
    [
        ("sqlite", "{data}/plombiers.sqlite3", True),
        ("sqlite", "{data}/bench/bench.sqlite3", False),
        ("postgresql", "plombiers", False),
    ],
)
def test_the_bench_never_runs_on_the_demo_database(tmp_path, vendor, name, refused):
    assert (
        uses_the_demo_database(vendor=vendor, name=name.format(data=tmp_path), data_dir=tmp_path) is refused
    )


def test_the_command_refuses_the_demo_database(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(
        "plombiers.bench.management.commands.bench.uses_the_demo_database", lambda **kwargs: True
    )
    with pytest.raises(CommandError, match="sa propre base"):
        call_command("bench", "--quick")


def test_dataset_sizes(db):
    data = ensure(
        Sizes(
            learners=2,
            skills=6,
            history=3,
            background_cohorts=2,
            referrals=7,
            doc_learners=3,
            doc_weeks=2,
            certificates=1,
            offers=10,
            match_learners=4,
        )
    )
    counts = data.counts()
    assert counts["matrix_observations"] == 2 * 6 * 3
    assert counts["referrals"] == 7
    assert counts["cohorts"] == 4, "the matrix cohort, two past ones, the documents' one"
    assert counts["documents_attendances"] == 3 * 2 * 10
    assert (counts["matching_offers"], counts["matching_learners"]) == (2 * 10, 4)
    sessions = data.documents_cohort.sessions
    assert sessions.count() == 20 and not sessions.filter(locked_at__isnull=True).exists()
    assert data.school.project_holder.nda == "11770000077"
    assert data.matrix_cohort.framework.skills.count() == 6
    assert data.matrix_cohort.enrolments.count() == 2
    # Every observation uses its cohort's framework; the floor view renders for a logged-in trainer.
    assert not Observation.objects.exclude(skill__framework=data.matrix_cohort.framework).exists()
    client = Client()
    client.force_login(data.trainer)
    with override_settings(ROOT_URLCONF="plombiers.bench.urls"):
        response = client.get("/banc-d-essai/plancher/2/6/")
    assert response.status_code == 200
    assert response.content.decode().count("<td>") == 12


def test_timing_percentiles():
    timing = Timing([i / 1000 for i in range(1, 101)])
    assert timing.median_ms == pytest.approx(50.5)
    assert timing.p95_ms == pytest.approx(95)


@pytest.mark.django_db
def test_a_page_and_its_floor_are_timed_in_alternation():
    """`measure_beside`: one call, one floor, in turn, after the warm-up and the queries' count of
    each — a change of load during the run weighs on both alike."""
    from types import SimpleNamespace

    from plombiers.bench.harness import HttpError, measure_beside

    calls = []

    def page():
        calls.append("page")
        return SimpleNamespace(status_code=200)

    def floor():
        calls.append("floor")
        return SimpleNamespace(status_code=200)

    timing, bare = measure_beside(page, floor, repeat=3, warmup=1)
    # Warm-up and count of the page, then of the floor; then the three pairs.
    assert calls == ["page", "page", "floor", "floor", *["page", "floor"] * 3]
    assert len(timing.samples) == len(bare.samples) == 3
    assert timing.queries == bare.queries == 0
    with pytest.raises(HttpError):
        measure_beside(page, lambda: SimpleNamespace(status_code=404), repeat=1)
