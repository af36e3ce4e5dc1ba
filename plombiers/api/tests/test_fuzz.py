"""Property-based fuzzing of the whole API from its OpenAPI document (schemathesis).

Whatever a client sends — wrong types, huge numbers, odd strings — the API
answers with a documented JSON shape or a 4xx, never a 500.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from plombiers.accounts.services import api_token_create
from plombiers.wsgi import application

# CI runs it once, on PostgreSQL (`.ci/run`): its types are the stricter; `make test` on SQLite too.
pytestmark = pytest.mark.fuzz

# Loading the document needs no database: it is served by the WSGI application in-process.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: the end of a request must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(cast, keep_test_connection):
    _token, raw = api_token_create(user=cast.staff)
    return raw


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_answers_500(case, staff_token):
    if case.path == "/api/v1/auth/token" and case.method == "DELETE":
        return  # revoking the token would turn every later example into a 401
    case.call_and_validate(headers={"Authorization": f"Bearer {staff_token}"}, checks=[not_a_server_error])
