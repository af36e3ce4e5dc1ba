"""The markers conftest adds, on which CI chooses what runs on PostgreSQL (.ci/run)."""

import pytest


def test_a_test_that_never_reaches_the_database_is_marked_no_database(request):
    assert request.node.get_closest_marker("no_database")


@pytest.mark.django_db
def test_a_test_marked_for_the_database_is_not(request):
    assert not request.node.get_closest_marker("no_database")


def test_a_test_reaching_the_database_through_a_fixture_is_not(request, cast):
    assert not request.node.get_closest_marker("no_database")
    assert not request.node.get_closest_marker("browser")
