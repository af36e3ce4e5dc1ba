"""The migration that adds the rollup by school (0003): it fills the new table from `Rollup`, so
that the dashboards that read it right after the migration read the figures of the records."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from plombiers.impact import rollup
from plombiers.impact.models import Rollup, SchoolRollup
from plombiers.network.models import School

BEFORE = [("impact", "0002_cohort_rollup")]


@pytest.mark.django_db(transaction=True)
def test_the_rollup_by_school_is_filled_from_the_rollup(cast, world):
    rollup.refresh()
    schools = list(School.objects.values_list("pk", flat=True))
    expected = rollup._by_school(rollup._both(schools, "default")[0])
    assert Rollup.objects.count() > 0 and len(expected) > 2 * len(schools) - 1  # years, and every year
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    MigrationExecutor(connection).migrate(BEFORE)
    MigrationExecutor(connection).migrate(leaves)
    filled = rollup._existing(SchoolRollup, schools, "default")
    assert rollup._differences(filled, expected) == 0
    assert filled.keys() == expected.keys()
