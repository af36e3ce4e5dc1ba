"""The training offer in LHEO 2.3, the format the Carif-Oref network collects offers in (it feeds
the regional catalogues, France Travail and 1jeune1solution).

One `<formation>` per school: the trade's training (its FORMACODE, NSF and ROME codes, objective,
content, expected results — an attestation de compétences, not a diploma, hence `certifiante` 0),
one `<action>` (the school's technical platform, the public aimed at, the entry conditions, the
next information sessions) and one `<session>` per upcoming cohort (its dates `AAAAMMJJ`, the
registration address and contact, the places left). The school is declared with the legal entity
that runs it, its project holder (`organisme-formation-responsable`: SIRET, numéro de déclaration
d'activité, raison sociale). Elements are written in the order of the schema
(`schemas/lheo-2.3.xsd`); nothing of a person is ever written: addresses, e-mails and phone
numbers are the school's and its project holder's.
"""

import textwrap

from django.utils import timezone
from lxml import etree

from .selectors import SchoolOffer

NAMESPACE = "http://lheo.gouv.fr/2.3"
# The edition of the FORMACODE (Centre Inffo) the trades' codes are taken from: LHEO asks for it in
# the `ref` attribute of every FORMACODE code.
FORMACODE_VERSION = "V13"

# Values of the LHEO dictionaries (doc of lheo/lheo-schema, `dict-*`).
NOT_CERTIFYING = "0"
PATH_IN_GROUP = "1"  # dict-type-parcours: en groupe
NO_SPECIFIC_LEVEL = "1"  # dict-niveaux: sans niveau spécifique
NO = "0"
YES = "1"
FULLY_ON_SITE = "0"  # dict-modalites-enseignement: formation entièrement présentielle
FIXED_DATES = "0"  # dict-modalites-es: entrées/sorties à dates fixes
RECRUITING_OPEN, RECRUITING_CLOSED = "1", "2"  # dict-etat-recrutement

RHYTHM = "Temps plein, en journée, du lundi au vendredi."
ALTERNANCE = (
    "Formation sur le plateau technique de l'école, puis un stage (ou une PMSMP) dans une entreprise "
    "partenaire ; pas de contrat d'alternance."
)
DURATION = "De trois à quatre mois à temps plein."
REGISTRATION = (
    "Sur prescription (Mission Locale, France Travail, E2C, ASE…) ou candidature directe, puis une "
    "information collective et un entretien."
)


def _el(parent, tag: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(
        parent, f"{{{NAMESPACE}}}{tag}", {k.replace("_", "-"): v for k, v in attributes.items()}
    )
    if text is not None:
        element.text = text
    return element


def _cut(text: str, size: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _day(date) -> str:
    return date.strftime("%Y%m%d")


def _address(parent, tag: str, *, street: str, commune, name: str = "") -> None:
    """An `<adresse>` (in a `tag` element when given): lines of 50 characters at most."""
    holder = _el(parent, tag) if tag != "adresse" else parent
    address = _el(holder, "adresse")
    if name:
        _el(address, "denomination", _cut(name, 255))
    lines = textwrap.wrap(" ".join(street.split()), 50)[:4] or [_cut(commune.name, 50)]
    for line in lines:
        _el(address, "ligne", line)
    _el(address, "codepostal", commune.main_postal_code)
    _el(address, "ville", _cut(commune.name, 50))
    departement = commune.departement
    if departement is not None:
        _el(address, "departement", departement.code)
    if len(commune.insee_code) == 5:
        _el(address, "code-INSEE-commune", commune.insee_code)
    if departement is not None and len(departement.region.code) == 2:
        _el(address, "region", departement.region.code)
    _el(address, "pays", "FR")
    if commune.latitude is not None and commune.longitude is not None:
        where = _el(address, "geolocalisation")
        _el(where, "latitude", f"{commune.latitude:.6f}")
        _el(where, "longitude", f"{commune.longitude:.6f}")


def _coordinates(parent, *, street: str = "", commune=None, phone: str = "", email: str = "") -> None:
    """`<coordonnees>` of a structure (never of a person: no civilité, nom or prénom)."""
    coordinates = _el(parent, "coordonnees")
    if commune is not None:
        _address(coordinates, "adresse", street=street, commune=commune)
    if phone:
        _el(_el(coordinates, "telfixe"), "numtel", _cut(phone, 25))
    if email and len(email) >= 3:
        _el(coordinates, "courriel", _cut(email, 160))


def _domain(formation, trade) -> None:
    domain = _el(formation, "domaine-formation")
    for code in trade.formacode_codes[:5]:
        _el(domain, "code-FORMACODE", code, ref=FORMACODE_VERSION)
    for code in trade.nsf_codes[:3]:
        _el(domain, "code-NSF", code)
    for code in trade.rome_codes[:5]:
        _el(domain, "code-ROME", code)


def _session(action, offer: SchoolOffer, cohort) -> None:
    school = offer.school
    session = _el(action, "session", numero=f"promotion-{cohort.pk}")
    period = _el(session, "periode")
    _el(period, "debut", _day(cohort.start_date))
    _el(period, "fin", _day(cohort.end_date))
    _address(session, "adresse-inscription", street=school.address, commune=school.commune, name=school.name)
    left = max(cohort.capacity - cohort.active_count, 0)
    places = f"{cohort.capacity} places, {left} encore libre{'s' if left > 1 else ''}."
    _el(session, "modalites-inscription", _cut(f"{REGISTRATION} {places}", 255))
    _el(session, "etat-recrutement", RECRUITING_OPEN if left else RECRUITING_CLOSED)
    if school.email or school.phone:
        _coordinates(_el(session, "contact-session"), phone=school.phone, email=school.email)


def _action(formation, offer: SchoolOffer) -> None:
    school, trade = offer.school, offer.school.trade
    action = _el(formation, "action", numero=school.slug)
    _el(action, "rythme-formation", RHYTHM)
    for code in (trade.public_codes or [])[:10]:
        _el(action, "code-public-vise", code, ref=FORMACODE_VERSION)
    if trade.target_public:
        _el(action, "info-public-vise", _cut(trade.target_public, 250))
    _el(action, "niveau-entree-obligatoire", NO)
    _el(action, "modalites-alternance", ALTERNANCE)
    _el(action, "modalites-enseignement", FULLY_ON_SITE)
    _el(action, "conditions-specifiques", _cut(trade.entry_requirements or REGISTRATION, 3000))
    _el(action, "prise-en-charge-frais-possible", YES)
    _coordinates(_el(action, "lieu-de-formation"), street=school.address, commune=school.commune)
    _el(action, "modalites-entrees-sorties", FIXED_DATES)
    for cohort in offer.cohorts:
        _session(action, offer, cohort)
    sessions = offer.information_sessions[:3]
    if sessions:
        _address(
            action,
            "adresse-information",
            street=school.address,
            commune=school.commune,
            name=sessions[0].place,
        )
        for information in sessions:
            _el(_el(action, "date-information"), "date", _day(timezone.localtime(information.starts_at)))
    _el(action, "langue-formation", "fr")
    _el(action, "duree-indicative", DURATION)


def _organisation(formation, offer: SchoolOffer) -> None:
    school, holder = offer.school, offer.school.project_holder
    responsible = _el(formation, "organisme-formation-responsable")
    _el(responsible, "numero-activite", holder.nda)
    _el(_el(responsible, "SIRET-organisme-formation"), "SIRET", holder.siret)
    _el(responsible, "nom-organisme", _cut(school.name, 250))
    _el(responsible, "raison-sociale", _cut(holder.name, 250))
    # The holder's own address when it has one, else the school's.
    street, commune = (holder.address, holder.commune) if holder.commune else (school.address, school.commune)
    _coordinates(_el(responsible, "coordonnees-organisme"), street=street, commune=commune)
    _coordinates(
        _el(responsible, "contact-organisme"),
        phone=holder.phone or school.phone,
        email=holder.email or school.email,
    )


def _formation(offres, offer: SchoolOffer) -> None:
    school, trade = offer.school, offer.school.trade
    formation = _el(offres, "formation", numero=school.slug)
    _domain(formation, trade)
    _el(formation, "intitule-formation", _cut(f"{trade.name} — {school.name}", 255))
    _el(
        formation,
        "objectif-formation",
        _cut(trade.training_objective or trade.description or trade.name, 3000),
    )
    _el(
        formation,
        "resultats-attendus",
        _cut(trade.expected_results or "Une attestation de compétences.", 3000),
    )
    _el(formation, "contenu-formation", _cut(trade.training_content or trade.description or trade.name, 3000))
    _el(formation, "certifiante", NOT_CERTIFYING)
    _coordinates(_el(formation, "contact-formation"), phone=school.phone, email=school.email)
    _el(formation, "parcours-de-formation", PATH_IN_GROUP)
    _el(formation, "code-niveau-entree", NO_SPECIFIC_LEVEL)
    _action(formation, offer)
    _organisation(formation, offer)


def document(offers: list[SchoolOffer]) -> etree._ElementTree:
    """The `<lheo>` document of these offers (at least one: LHEO has no empty offer)."""
    if not offers:
        raise ValueError("LHEO demande au moins une formation.")
    root = etree.Element(f"{{{NAMESPACE}}}lheo", nsmap={None: NAMESPACE})
    offres = _el(root, "offres")
    for offer in offers:
        _formation(offres, offer)
    return etree.ElementTree(root)


def render(offers: list[SchoolOffer]) -> bytes:
    return etree.tostring(document(offers), xml_declaration=True, encoding="utf-8", pretty_print=True)
