"""The trades every network starts with; more are added as data, without code.

Each default trade also carries its training offer as declared to the Carif-Oref in LHEO
(`plombiers/offer`): ROME 4.0 job sheets (the same as the top of its framework,
`plombiers/frameworks/data/<slug>.yaml`), FORMACODE descriptors and NSF specialities (those France
Compétences gives the registered certifications of the same trade: « Câbleur raccordeur réseaux
fibre optique et FTTH », RNCP34986, and « Technicien réseaux et services très haut débit »,
RNCP37336, for the fibre — FORMACODE 22892 « Fibre optique », NSF 255 « Électricité,
électronique »; « Maintenicien informatique systèmes et réseaux », RNCP37079, and a CNAM network
certificate, RNCP38461, for the data centre — FORMACODE 31051 « Maintenance assistance
informatique » and 24231 « Réseau informatique », NSF 326 « Informatique, traitement de
l'information, réseaux de transmission »), and the texts of the offer. See docs/metier.md."""

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

_ENTRY = (
    "Avoir de 16 à 25 ans (jusqu'à 29 ans avec une RQTH), ne pas avoir de diplôme au-delà du niveau 3 "
    "(CAP, BEP), n'être ni en emploi, ni en études, ni en formation. Aucun prérequis technique : une "
    "information collective, puis un entretien avec l'équipe de l'école."
)
_PUBLIC = "Jeunes de 16 à 25 ans (29 ans avec une RQTH) ni en emploi, ni en études, ni en formation."
_RESULTS = (
    "Une attestation de compétences, et non un diplôme : la liste des gestes professionnels observés "
    "et acquis sur le plateau technique et en entreprise, remise en PDF et en attestation numérique "
    "vérifiable (Open Badges 3.0). L'objectif : un emploi ou une formation qualifiante à la sortie."
)
# The FORMACODE code of the public aimed at: the one the LHEO reference documentation gives as its
# example of `code-public-vise`; check it against the FORMACODE « publics » list before declaring.
_PUBLIC_CODES = ["80056"]

# slug → the offer fields of `Trade`
DEFAULT_OFFERS = {
    "fibre-optique": {
        "rome_codes": ["F1605", "I1307"],
        "formacode_codes": ["22892"],
        "nsf_codes": ["255"],
        "public_codes": _PUBLIC_CODES,
        "training_objective": (
            "Apprendre, en trois à quatre mois, les gestes du raccordement et du déploiement des réseaux "
            "de fibre optique (FTTH), du tirage de câble en chambre à la mise en service chez l'abonné, "
            "en sécurité et au niveau qu'attendent les entreprises de la filière."
        ),
        "training_content": (
            "Cinq blocs de gestes, pratiqués sur le plateau technique de l'école : sécurité et "
            "préparation du chantier ; déploiement du réseau ; raccordement optique (soudure, "
            "cassettes) ; raccordement de l'abonné ; mesures, recette et dépannage. Un stage en "
            "entreprise partenaire et un accompagnement socio-professionnel tout au long du parcours."
        ),
        "expected_results": _RESULTS,
        "entry_requirements": _ENTRY,
        "target_public": _PUBLIC,
    },
    "technicien-data-center": {
        "rome_codes": ["I1401", "M1810"],
        "formacode_codes": ["31051", "24231"],
        "nsf_codes": ["326"],
        "public_codes": _PUBLIC_CODES,
        "training_objective": (
            "Apprendre, en trois à quatre mois, les gestes de l'exploitation physique d'un centre de "
            "données : installer, câbler et remplacer le matériel, intervenir sur ticket, en sécurité "
            "et dans les procédures du site."
        ),
        "training_content": (
            "Cinq blocs de gestes, pratiqués sur le plateau technique de l'école : sécurité, sûreté et "
            "procédures ; installation du matériel ; câblage et connectique ; maintenance du matériel ; "
            "exploitation et relation de service. Un stage en entreprise partenaire et un "
            "accompagnement socio-professionnel tout au long du parcours."
        ),
        "expected_results": _RESULTS,
        "entry_requirements": _ENTRY,
        "target_public": _PUBLIC,
    },
}


def default_trades_ensure(trade_model) -> None:
    """Create the default trades that are missing, and fill their offer where it is empty (takes the
    model: migrations pass a historical one, which may not have the offer fields yet)."""
    fields = {field.name for field in trade_model._meta.get_fields()}
    for slug, name, capacity, description in DEFAULT_TRADES:
        trade, _created = trade_model.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "default_cohort_capacity": capacity, "description": description},
        )
        empty = {
            field: value
            for field, value in DEFAULT_OFFERS[slug].items()
            if field in fields and not getattr(trade, field)
        }
        if empty:
            for field, value in empty.items():
                setattr(trade, field, value)
            trade.save(update_fields=list(empty))
