"""Statuses are enum members everywhere: each status enum carries its label and badge
(`plombiers/enums.py`), one tag shows it, and no source compares a status with a bare string."""

import ast
import importlib
import inspect
import pathlib
import re

import pytest
from django.db import models
from django.template import Context, Template, TemplateSyntaxError

from plombiers.enums import BADGES, StatusChoices, Tone, all_statuses

ROOT = pathlib.Path(__file__).resolve().parents[1]  # the plombiers package
ENUM_MODULES = sorted(ROOT.glob("*/enums.py"))

# A status-like name in a template (`referral.status`, `row.enrolment.status`, `to_status`) compared
# with a quoted literal, either way round, inside {% if %} / {% elif %}.
COMPARED_LEFT = re.compile(r"""[\w.]*status\b\s*(?:==|!=|not in|in)\s*(["'])(?P<value>[^"']*)\1""")
COMPARED_RIGHT = re.compile(r"""(["'])(?P<value>[^"']*)\1\s*(?:==|!=|not in|in)\s*[\w.]*status\b""")
IF_TAG = re.compile(r"{%-?\s*(?:if|elif)\b(.*?)%}", re.S)
STATUS_KEYWORD = re.compile(r"(?:^|__)(?:\w+_)?status(?:__in|__exact)?$")


def _status_values() -> set[str]:
    return {value for enum_class in all_statuses() for value in enum_class.values}


def bare_statuses_in_template(text: str) -> list[str]:
    """Each literal compared with a status in a template's {% if %} tags (any literal: a status is
    compared with a member, `obj|status_is:"NAME"`, so a literal there is either a stored value or a
    typo)."""
    found = []
    for tag in IF_TAG.finditer(text):
        for pattern in (COMPARED_LEFT, COMPARED_RIGHT):
            found += [match.group("value") for match in pattern.finditer(tag.group(1))]
    return found


def _is_status(node) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return name == "status" or name.endswith("_status")


def _strings(node) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [value for element in node.elts for value in _strings(element)]
    return []


def bare_statuses_in_python(source: str, values: set[str]) -> list[tuple[int, str]]:
    """Status values written as strings where a status is compared (`x.status == "active"`,
    `status in ("a", "b")`) or filtered on (`filter(status="active")`, `Q(cohort__status__in=[…])`)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_status(operand) for operand in operands):
                found += [(node.lineno, v) for operand in operands for v in _strings(operand) if v in values]
        elif isinstance(node, ast.keyword) and node.arg and STATUS_KEYWORD.search(node.arg):
            found += [(node.value.lineno, v) for v in _strings(node.value) if v in values]
    return found


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or path.name == "conftest.py":
            continue  # tests may assert the stored values; migrations freeze them
        yield path


# --- the enums -------------------------------------------------------------------------------------


def test_every_status_enum_carries_its_badge():
    """Each `…Status` TextChoices of an app is a StatusChoices, so a new status cannot miss its badge."""
    declared = []
    for path in ENUM_MODULES:
        module = importlib.import_module(f"plombiers.{path.parent.name}.enums")
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, models.TextChoices) and name.endswith("Status"):
                declared.append(value)
                assert issubclass(value, StatusChoices), f"{module.__name__}.{name} is not a StatusChoices"
    assert len(declared) >= 13
    for enum_class in all_statuses():
        assert set(enum_class.tones()) <= set(enum_class), enum_class  # tones name its own members
        for member in enum_class:
            assert member.label and member.badge in BADGES.values()


def test_the_tag_shows_label_and_shape_not_colour_alone():
    from plombiers.referrals.models import Referral

    page = Template('{% load status %}{% status_badge r %}|{% status_badge r label_id="statut" %}').render(
        Context({"r": Referral(status="admise")})
    )
    symbol = BADGES[Tone.POSITIVE].symbol
    assert page == (
        f'<span class="badge text-bg-success"><span aria-hidden="true">{symbol}</span> Admise</span>|'
        f'<span class="badge text-bg-success"><span aria-hidden="true">{symbol}</span> '
        '<span id="statut">Admise</span></span>'
    )


def test_every_status_field_holds_a_status_enum_and_a_derived_status_shows_too():
    from django.apps import apps

    from plombiers.alerts.models import Alert

    fields = [
        field
        for config in apps.get_app_configs()
        if config.name.startswith("plombiers.")
        for model in config.get_models()
        for field in model._meta.get_fields()
        if field.name.endswith("status") and getattr(field, "choices", None)
    ]
    assert len(fields) >= 14
    assert [str(field) for field in fields if StatusChoices.for_field(field) is None] == []
    page = Template("{% load status %}{% status_badge alert %}").render(Context({"alert": Alert()}))
    assert page.endswith("</span> À traiter</span>")  # Alert.status is a property, not a field


def test_status_is_compares_with_a_member_and_refuses_a_typo():
    from plombiers.cohorts.models import Enrolment

    enrolment = Enrolment(status="active")
    render = Template('{% load status %}{% if e|status_is:"ACTIVE" %}oui{% else %}non{% endif %}').render
    assert render(Context({"e": enrolment})) == "oui"
    assert render(Context({"e": Enrolment(status="abandon")})) == "non"
    with pytest.raises(TemplateSyntaxError):
        Template('{% load status %}{% if e|status_is:"ACTIV" %}{% endif %}').render(Context({"e": enrolment}))


# --- no bare status anywhere -----------------------------------------------------------------------


def test_the_scanners_catch_a_bare_status():
    """The checks below would fail on one bare status (they are not vacuous)."""
    assert bare_statuses_in_template('{% if r.status == "draft" %}x{% endif %}') == ["draft"]
    assert bare_statuses_in_template("{% elif 'admise' != referral.status %}") == ["admise"]
    assert bare_statuses_in_template('{% if r|status_is:"ADMITTED" %}{% if x.kind == "pmsmp" %}') == []
    values = _status_values()
    source = 'if e.status != "active": Q(cohort__status__in=["prevue", "x"])\nfilter(status=S.OK)'
    assert bare_statuses_in_python(source, values) == [(1, "active"), (1, "prevue")]


def test_no_template_compares_a_status_with_a_bare_string():
    found = [
        f"{path.relative_to(ROOT)}: {value!r}"
        for path in sorted(ROOT.rglob("templates/**/*.html"))
        for value in bare_statuses_in_template(path.read_text())
    ]
    assert found == [], 'Compare with a member: obj|status_is:"NAME" (plombiers/templatetags/status.py)'


def test_no_python_source_compares_a_status_with_a_bare_string():
    values = _status_values()
    found = [
        f"{path.relative_to(ROOT)}:{line}: {value!r}"
        for path in _sources()
        for line, value in bare_statuses_in_python(path.read_text(), values)
    ]
    assert found == [], "Use the enum member (ReferralStatus.ADMITTED…), not its stored value"
