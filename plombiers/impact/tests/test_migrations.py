"""The migrations that add the rollup by school (0003) and by network (0004): they fill the new
tables from `Rollup` and from the rollup by school, so that the dashboards that read them right
after the migration read the figures of the records."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from plombiers.impact import rollup
from plombiers.impact.models import NetworkRollup, Rollup, SchoolRollup
from plombiers.network.models import School

BEFORE = [("impact", "0002_cohort_rollup")]


@pytest.mark.django_db(transaction=True)
def test_the_rollups_by_school_and_by_network_are_filled_from_the_rollup(cast, world):
    rollup.refresh()
    schools = list(School.objects.values_list("pk", flat=True))
    expected = rollup._by_school(rollup._both(schools, "default")[0])
    assert Rollup.objects.count() > 0 and len(expected) > 2 * len(schools) - 1  # years, and every year
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    MigrationExecutor(connection).migrate(BEFORE)
    MigrationExecutor(connection).migrate(leaves)
    filled = rollup._existing(SchoolRollup, schools, "default")
    assert rollup._changed(filled, expected) == set()
    assert filled.keys() == expected.keys()
    assert NetworkRollup.objects.filter(network=cast.network).count() == len({k[1:] for k in expected})
    assert rollup._sum_networks("default", compare=True) == 0  # the rows a full run would sum
