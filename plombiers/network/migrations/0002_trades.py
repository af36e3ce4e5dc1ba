from django.db import migrations

from plombiers.network.trades import default_trades_ensure


def add_trades(apps, schema_editor):
    default_trades_ensure(apps.get_model("network", "Trade"))


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]

    operations = [migrations.RunPython(add_trades, migrations.RunPython.noop)]
