"""Issue 16, point 13: `GET /api/v1/referrals?school=99999999999999999999999` was a 500 (the number
overflowed the database driver). Every integer the API reads is bounded in its schema, so that a
number too big for the database is a 422 before any query."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client

HUGE = "99999999999999999999999"


@pytest.fixture
def openapi(client, cast):
    client.force_login(cast.staff)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _unbounded(schema: dict, where: str, components: dict, seen: frozenset = frozenset()) -> list[str]:
    """The integers of a schema (and of the schemas it nests) with no upper bound. A closed list
    of values (`enum`, e.g. the follow-up horizons 1, 3, 6, 12) is a bound."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen = seen | {name}
    schema = _resolve(schema, components)
    found = []
    if schema.get("type") == "integer" and "maximum" not in schema and "enum" not in schema:
        found.append(where)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found += _unbounded(option, where, components, seen)
    if "items" in schema:
        found += _unbounded(schema["items"], f"{where}[]", components, seen)
    for name, prop in schema.get("properties", {}).items():
        found += _unbounded(prop, f"{where}.{name}", components, seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += _unbounded(schema["additionalProperties"], f"{where}.*", components, seen)
    return found


def _operations(openapi: dict):
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_integer_the_api_reads_has_a_maximum(openapi):
    components = openapi.get("components", {}).get("schemas", {})
    unbounded = []
    for path, method, operation in _operations(openapi):
        for parameter in operation.get("parameters", []):
            where = f"{method.upper()} {path} {parameter['in']}:{parameter['name']}"
            unbounded += _unbounded(parameter["schema"], where, components)
        for content_type, content in operation.get("requestBody", {}).get("content", {}).items():
            unbounded += _unbounded(content["schema"], f"{method.upper()} {path} {content_type}", components)
    assert unbounded == []


def _is_integer(schema: dict, components: dict) -> bool:
    schema = _resolve(schema, components)
    if schema.get("type") == "integer":
        return True
    return any(_is_integer(option, components) for option in schema.get("anyOf", []))


def _sample(schema: dict, components: dict) -> str:
    """A valid value for a parameter the probe does not aim at."""
    schema = _resolve(schema, components)
    for option in schema.get("anyOf", []):
        if _resolve(option, components).get("type") != "null":
            return _sample(option, components)
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("type") in ("integer", "number"):
        return str(max(schema.get("minimum", 1), 1))
    if schema.get("format") == "date":
        return "2026-01-05"
    return "x"


def _probes(openapi: dict):
    """Each GET with an integer parameter, once per such parameter: that one set to a number too
    big for any database, every other required one to a valid value."""
    components = openapi.get("components", {}).get("schemas", {})
    for path, method, operation in _operations(openapi):
        if method != "get":
            continue
        parameters = operation.get("parameters", [])
        for target in parameters:
            if not _is_integer(target["schema"], components):
                continue
            url, query = path, {}
            for parameter in parameters:
                if parameter is target:
                    value = HUGE
                elif parameter["in"] == "path" or parameter.get("required"):
                    value = _sample(parameter["schema"], components)
                else:
                    continue
                if parameter["in"] == "path":
                    url = url.replace("{" + parameter["name"] + "}", value)
                else:
                    query[parameter["name"]] = value
            yield f"{path} {target['in']}:{target['name']}", url, query


@pytest.mark.parametrize("role", ["staff", "prescriber", "manager_a"])
def test_a_huge_integer_is_refused_by_every_list_and_detail(openapi, cast, role):
    client = Client(raise_request_exception=False)
    client.force_login(getattr(cast, role))
    probes = list(_probes(openapi))
    assert len(probes) > 40, "the walk finds the API's integer parameters"
    answers = {name: client.get(url, query).status_code for name, url, query in probes}
    assert {name: status for name, status in answers.items() if not 400 <= status < 500} == {}
    assert answers["/api/v1/referrals query:school"] == 422


def test_the_audited_request_is_a_422_in_french(client, cast):
    """The request of the audit, as the prescriber who sent it."""
    client.force_login(cast.prescriber)
    response = client.get(f"/api/v1/referrals?school={HUGE}")
    assert response.status_code == 422
    assert response.json()["detail"] == "Requête invalide."


def test_a_huge_id_in_a_body_is_a_422(client, cast):
    client.force_login(cast.prescriber)
    learner = {
        "first_name": "Alexis",
        "last_name": "Albert",
        "birth_date": (dt.date.today() - dt.timedelta(days=20 * 365)).isoformat(),
        "highest_diploma": "aucun",
    }
    response = client.post(
        "/api/v1/referrals",
        {"school": int(HUGE), "learner": learner},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_ids_are_bounded_in_one_place():
    """One `Id` type (plombiers/lib/api.py) for every router: no module bounds ids its own way."""
    root = Path(__file__).resolve().parents[2]
    copies = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path != root / "lib" / "api.py"
        and re.search(r"^\s*\w+\s*=\s*Annotated\[int,\s*Field\(ge=1", path.read_text(), re.M)
    ]
    assert copies == []
