"""The OpenAPI document is valid OpenAPI, documents the errors of every operation, and the
errors are mapped once, in the API's setup."""

import json

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.test import RequestFactory
from openapi_spec_validator import validate

from plombiers.api.urls import api

PUBLIC = {("post", "/api/v1/auth/token"), ("post", "/api/v1/verify"), ("get", "/api/v1/impact/opendata")}


@pytest.fixture(scope="module")
def document():
    return api.get_openapi_schema()


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def test_the_served_document_is_valid_openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.json())


def test_every_operation_documents_its_errors(document):
    operations = list(_operations(document))
    assert len(operations) > 70
    for method, path, operation in operations:
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        parameters = {parameter["in"] for parameter in operation.get("parameters", [])}
        if (method, path) in PUBLIC:
            assert operation["security"] == [], where
        else:
            assert operation["security"], where
            assert {"401", "403"} <= set(responses), where
        if "path" in parameters:
            assert "404" in responses, where
        if "requestBody" in operation or "query" in parameters:
            assert "422" in responses, where
        for status, response in responses.items():
            if status.startswith("4") and "content" in response:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
                assert "detail" in schema["required"], f"{where} {status}: the error body is {{detail}}"


def test_the_public_operations_are_only_those_meant_to_be(document):
    public = {
        (method, path) for method, path, operation in _operations(document) if not operation["security"]
    }
    assert public == PUBLIC


def test_no_keyword_outside_openapi_and_no_unused_schema(document):
    text = str(document)
    assert "max_digits" not in text and "decimal_places" not in text
    amount = document["components"]["schemas"]["GrantIn"]["properties"]["amount_requested"]
    assert (amount["type"], amount["format"]) == ("string", "decimal")
    text = str({key: value for key, value in document.items() if key != "components"})
    for name in document["components"]["schemas"]:
        referenced = f"#/components/schemas/{name}'"
        assert referenced in text or referenced in str(document["components"]["schemas"]), name


def test_the_documentation_page_is_in_french(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()


@pytest.mark.parametrize(
    ("error", "status", "detail"),
    [
        (PermissionDenied("Seule la direction."), 403, "Seule la direction."),
        (PermissionDenied(), 403, "Vous n'avez pas le droit de faire cela."),
        (ValidationError("Motif manquant."), 422, "Motif manquant."),
        (ValidationError({"reason": "Motif manquant."}), 422, "Motif manquant."),
        (ValidationError("Passage impossible.", code="illegal_transition"), 409, "Passage impossible."),
        (ValidationError("Feuille signée.", code="locked"), 409, "Feuille signée."),
        (ValidationError({"to": ValidationError("Passage impossible.", code="transition")}), 409, None),
        (ObjectDoesNotExist(), 404, "Introuvable."),
        (Http404("No Cohort matches the given query."), 404, "Introuvable."),
    ],
)
def test_errors_are_mapped_once_in_the_setup(error, status, detail):
    response = api.on_exception(RequestFactory().get("/api/v1/x"), error)
    assert response.status_code == status
    body = json.loads(response.content)
    assert body["detail"] == (detail or "Passage impossible.")
