from django.db import migrations

from plombiers.support.enums import default_categories_ensure


def add_categories(apps, schema_editor):
    default_categories_ensure(apps.get_model("support", "BarrierCategory"))


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
