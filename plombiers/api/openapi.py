"""The error responses of the OpenAPI document, written once for every operation.

django-ninja documents the responses an operation declares; the errors mapped in the API's setup
(`plombiers/api/urls.py`) can come from any of them, so they are added here from what the
operation reads: 401 and 403 where a credential is needed, 404 where the path names an object,
422 where a body or query parameters are read. Public operations get `security: []`. Decimals
lose pydantic's `max_digits`/`decimal_places`, which are not OpenAPI keywords, and the schemas no
operation refers to are left out (Redocly's `no-unused-components`).
"""

from plombiers.lib import api as shared

ERROR_REF = "#/components/schemas/ErrorOut"
INVALID_REF = "#/components/schemas/InvalidOut"
ERRORS = {
    "401": ("Authentification requise : jeton absent, invalide, révoqué ou expiré.", ERROR_REF),
    "403": ("L'appelant n'a pas le droit de faire cela (ou son jeton est en lecture seule).", ERROR_REF),
    "404": ("Introuvable, ou hors de ce que l'appelant peut voir.", ERROR_REF),
    "422": ("Requête invalide, ou valeur refusée par une règle du métier.", INVALID_REF),
}
NON_STANDARD_KEYWORDS = ("max_digits", "decimal_places")


def error_statuses(operation: dict) -> set[str]:
    """The error statuses an operation can answer, whatever it declares itself."""
    parameters = {parameter["in"] for parameter in operation.get("parameters", [])}
    statuses = set()
    if operation.get("security"):
        statuses |= {"401", "403"}
    if "path" in parameters:
        statuses.add("404")
    if "requestBody" in operation or "query" in parameters:
        statuses.add("422")
    return statuses


def with_error_responses(schema: dict) -> dict:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", _schema_of("ErrorOut"))
    components.setdefault("InvalidOut", _schema_of("InvalidOut"))
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("security", [])
            responses = {str(code): value for code, value in operation.get("responses", {}).items()}
            for status in error_statuses(operation):
                description, ref = ERRORS[status]
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}},
                )
            operation["responses"] = dict(sorted(responses.items()))
    _drop_keywords(schema)
    _drop_unused_components(schema)
    return schema


def _drop_unused_components(schema: dict) -> None:
    """ninja also lists the schemas of query filters, which are unfolded into parameters and never
    referenced: only what a `$ref` reaches stays."""
    components = schema["components"]["schemas"]
    used: set[str] = set()
    pending = [{key: value for key, value in schema.items() if key != "components"}]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            name = ref.rsplit("/", 1)[-1] if ref.startswith("#/components/schemas/") else None
            if name and name not in used:
                used.add(name)
                pending.append(components.get(name, {}))
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    for name in set(components) - used:
        del components[name]


def _schema_of(name: str) -> dict:
    return getattr(shared, name).model_json_schema(ref_template="#/components/schemas/{model}")


def _drop_keywords(node) -> None:
    if isinstance(node, dict):
        for keyword in NON_STANDARD_KEYWORDS:
            node.pop(keyword, None)
        for value in node.values():
            _drop_keywords(value)
    elif isinstance(node, list):
        for value in node:
            _drop_keywords(value)
