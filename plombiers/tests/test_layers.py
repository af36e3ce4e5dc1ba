"""No cycle between apps: the import graph of `plombiers`, squashed to its apps (the children of the
package: `plombiers.cohorts`, `plombiers.urls`…), has none, imports inside functions included.

The graph is grimp's, the library import-linter builds its contracts on (`lint-imports`, in `make
lint`): it reads every module's whole syntax tree, so an import inside a function counts. Tests are
left out (a test may build its fixtures from any app), and so are the imports the `acyclic` contract
of pyproject.toml ignores, each with its reason there: one list, not two."""

import re
import tomllib
from collections import defaultdict
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]


def _ignored() -> set[tuple[str, str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (acyclic,) = (c for c in config["contracts"] if c["id"] == "acyclic")
    pairs = (line.split(" -> ") for line in acyclic.get("ignore_imports", []) if "*" not in line)
    return {(importer.strip(), imported.strip()) for importer, imported in pairs}


def _is_test(module: str) -> bool:
    return "tests" in module.split(".") or module.endswith(".conftest")


def app_graph() -> dict[str, set[str]]:
    """App → the apps it imports, from every module of the package but the tests."""
    graph = grimp.build_graph("plombiers", cache_dir=None)
    ignored = _ignored()
    apps: dict[str, set[str]] = defaultdict(set)
    for importer in graph.modules:
        if importer == "plombiers" or _is_test(importer):
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            if (importer, imported) in ignored or imported == "plombiers":
                continue
            source, target = importer.split(".")[1], imported.split(".")[1]
            if source != target:
                apps[source].add(target)
    return apps


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as the path that closes it (`["a", "b", "a"]`), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        if cycle := visit(node):
            return cycle
    return None


def test_the_finder_finds_a_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"top": {"a"}, "a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]


def test_an_import_inside_a_function_counts(tmp_path, monkeypatch):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def late():\n    from pkg import high\n")
    (package / "high.py").write_text("import pkg.low\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("pkg", cache_dir=None)
    assert graph.direct_import_exists(importer="pkg.low", imported="pkg.high")


def test_no_cycle_between_apps():
    cycle = find_cycle(app_graph())
    assert cycle is None, "Cycle entre applications : " + " → ".join(cycle)


def test_a_slot_renders_its_contributions_in_order_and_skips_the_empty_ones(rf, monkeypatch):
    from django.template import Context, Template

    from plombiers.lib import slots

    monkeypatch.setattr(slots, "_contributors", defaultdict(list))
    monkeypatch.setattr(slots, "render_to_string", lambda name, context, request: f"[{name} {context['n']}]")
    first = lambda request, obj: ("first.html", {"n": obj})  # noqa: E731
    slots.contribute("test_slot", first)
    slots.contribute("test_slot", lambda request, obj: None)
    slots.contribute("test_slot", lambda request, obj: ("second.html", {"n": obj + 1}))
    slots.contribute("test_slot", first)  # once only
    html = Template('{% load slots %}{% slot "test_slot" 1 %}').render(Context({"request": rf.get("/")}))
    assert html == "[first.html 1][second.html 2]"


def test_lower_pages_read_no_cohort():
    """The cohorts of a school's page and the enrolments of a learner's page are cohorts' blocks
    (cohorts/blocks.py): network's view and templates and referrals' learner page never name them."""
    network = ROOT / "plombiers" / "network"
    sources = [
        network / "views.py",
        *(network / "templates").rglob("*.html"),
        ROOT / "plombiers" / "referrals" / "templates" / "referrals" / "learner_detail.html",
    ]
    reads = re.compile(r"\.cohorts\b|\bcohorts[.:]|\bCohort|\bcohort\.|\benrolments?\b")
    assert [str(path.relative_to(ROOT)) for path in sources if reads.search(path.read_text())] == []
