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


class Item:
    """A collected test, as far as conftest's `pytest_collection_modifyitems` reads one."""

    def __init__(self, path, fixturenames=("db",)):
        self.path, self.fixturenames, self.markers = path, fixturenames, []

    def get_closest_marker(self, name):
        return next((m for m in self.markers if m.name == name), None)

    def add_marker(self, marker):
        self.markers.append(marker.mark)


def test_only_the_demos_own_tests_are_marked_demo(request):
    """conftest marks plombiers/demo/tests `demo` (its builders, run on SQLite in CI), not a test
    elsewhere (those built on the demo network say so themselves)."""
    from plombiers.conftest import PROJECT, pytest_collection_modifyitems

    builders = Item(PROJECT / "demo" / "tests" / "test_demo_outcomes.py")
    purge = Item(PROJECT / "privacy" / "tests" / "test_purge.py")
    pytest_collection_modifyitems(request.config, [builders, purge])
    assert [m.name for m in builders.markers] == ["demo"]
    assert purge.markers == []


def test_a_test_served_by_a_fresh_installation_is_marked_installation(request):
    """CI keeps them in its SQLite half, where the installation is made once (.ci/run)."""
    from plombiers.conftest import PROJECT, pytest_collection_modifyitems

    served = Item(PROJECT / "tests" / "test_serve.py", fixturenames=("server", "installation"))
    pytest_collection_modifyitems(request.config, [served])
    assert sorted(m.name for m in served.markers) == ["installation", "no_database"]
