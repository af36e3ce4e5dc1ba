"""The alerts read attendance and support together; neither of those apps imports the alerts, and
the cohorts app does not import the support app."""

import ast
from pathlib import Path

import pytest

import plombiers

ROOT = Path(plombiers.__file__).parent


def imported_modules(app: str) -> dict[str, set[str]]:
    """Every module each file of the app imports, relative imports resolved."""
    found = {}
    for path in (ROOT / app).rglob("*.py"):
        package = ["plombiers", *path.relative_to(ROOT).parent.parts]
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join([*base, node.module] if node.module else base)
                names.add(module)
                names.update(f"{module}.{alias.name}" for alias in node.names)
        found[str(path.relative_to(ROOT))] = names
    return found


def offenders(app: str, forbidden: str) -> list[str]:
    return sorted(
        f"{path}: {name}"
        for path, names in imported_modules(app).items()
        for name in names
        if name == forbidden or name.startswith(forbidden + ".")
    )


@pytest.mark.parametrize(
    ("app", "forbidden"),
    [("cohorts", "plombiers.alerts"), ("support", "plombiers.alerts"), ("cohorts", "plombiers.support")],
)
def test_no_forbidden_import(app, forbidden):
    assert offenders(app, forbidden) == []


def test_the_check_sees_an_import_when_there_is_one():
    assert "alerts/services.py: plombiers.support.models" not in offenders("alerts", "plombiers.support")
    assert "alerts/rules.py: plombiers.support.models" in offenders("alerts", "plombiers.support")
    assert "alerts/views.py: plombiers.alerts.rules" in offenders("alerts", "plombiers.alerts")
