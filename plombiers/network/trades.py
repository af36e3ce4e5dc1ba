"""The trades every network starts with; more are added as data, without code."""

# (slug, name, places per cohort, description)
DEFAULT_TRADES = [
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


def default_trades_ensure(trade_model) -> None:
    """Create the default trades that are missing (takes the model: migrations pass a historical one)."""
    for slug, name, capacity, description in DEFAULT_TRADES:
        trade_model.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "default_cohort_capacity": capacity, "description": description},
        )
