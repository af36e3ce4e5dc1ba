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


def test_only_the_demos_own_tests_are_marked_demo():
    """conftest marks plombiers/demo/tests `demo` (its builders, run on SQLite in CI), not a test
    elsewhere (those built on the demo network say so themselves)."""
    from plombiers.conftest import PROJECT, pytest_collection_modifyitems

    class Item:
        fixturenames = ("db",)

        def __init__(self, path):
            self.path, self.markers = path, []

        def get_closest_marker(self, name):
            return next((m for m in self.markers if m.name == name), None)

        def add_marker(self, marker):
            self.markers.append(marker.mark)

    builders = Item(PROJECT / "demo" / "tests" / "test_demo_outcomes.py")
    purge = Item(PROJECT / "privacy" / "tests" / "test_purge.py")
    pytest_collection_modifyitems([builders, purge])
    assert [m.name for m in builders.markers] == ["demo"]
    assert purge.markers == []
