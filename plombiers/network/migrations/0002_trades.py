from django.db import migrations

TRADES = [
    (
        "fibre-optique",
        "Fibre optique",
        8,
        "Raccordement et déploiement des réseaux de fibre optique (FTTH) : tirage, soudure, mesure.",
    ),
    (
        "technicien-data-center",
        "Technicien·ne data center",
        12,
        "Exploitation physique des centres de données : baies, câblage, remplacement de matériel.",
    ),
]


def add_trades(apps, schema_editor):
    Trade = apps.get_model("network", "Trade")
    for slug, name, capacity, description in TRADES:
        Trade.objects.get_or_create(
            slug=slug, defaults={"name": name, "default_cohort_capacity": capacity, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]

    operations = [migrations.RunPython(add_trades, migrations.RunPython.noop)]
