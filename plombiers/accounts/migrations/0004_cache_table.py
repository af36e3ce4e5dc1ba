"""The cache table (login throttling counters, shared by every process) comes with `migrate`, not
with the demo: a fresh install used to answer 500 « no such table: plombiers_cache » on its first
login (issue 18). Through Django's own `createcachetable`, for every database cache of CACHES; it
does nothing for a table already there (an installation that ran the demo)."""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_tables(apps, schema_editor):
    for alias in settings.CACHES:
        cache = caches[alias]
        if isinstance(cache, BaseDatabaseCache):
            schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(cache._table)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_encrypt_mfa_secrets")]

    operations = [migrations.RunPython(create_cache_tables, drop_cache_tables, elidable=False)]
