"""What an LHEO export must satisfy: the pinned XSD, and what the schema cannot check (its README)."""

import functools
from pathlib import Path

from lxml import etree
from stdnum.fr import siret

from plombiers.network.models import Trade
from plombiers.offer.lheo import FORMACODE_VERSION, NAMESPACE

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "lheo-2.3.xsd"
NS = {"l": NAMESPACE}


@functools.cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def _texts(element, path: str) -> list[str]:
    return [each.text for each in element.findall(path, NS)]


def assert_valid_lheo(content: bytes) -> etree._Element:
    """Valid against the XSD, root `<lheo>`, `debut <= fin`, SIRET keys, and every formation's codes
    those of its trade (FORMACODE with its version)."""
    root = etree.fromstring(content)
    schema().assertValid(root)
    assert root.tag == f"{{{NAMESPACE}}}lheo"
    formations = root.findall("l:offres/l:formation", NS)
    assert formations
    trades = {trade.name: trade for trade in Trade.objects.all()}
    for formation in formations:
        title = formation.findtext("l:intitule-formation", namespaces=NS)
        trade = trades[title.split(" — ")[0]]
        domain = formation.find("l:domaine-formation", NS)
        assert _texts(domain, "l:code-FORMACODE") == trade.formacode_codes != []
        assert {c.get("ref") for c in domain.findall("l:code-FORMACODE", NS)} == {FORMACODE_VERSION}
        assert _texts(domain, "l:code-NSF") == trade.nsf_codes != []
        assert _texts(domain, "l:code-ROME") == trade.rome_codes != []
        action = formation.find("l:action", NS)
        assert _texts(action, "l:code-public-vise") == trade.public_codes
        assert {c.get("ref") for c in action.findall("l:code-public-vise", NS)} == {FORMACODE_VERSION}
        for period in action.findall("l:session/l:periode", NS):
            assert period.findtext("l:debut", namespaces=NS) <= period.findtext("l:fin", namespaces=NS)
        responsible = formation.find("l:organisme-formation-responsable", NS)
        number = responsible.findtext("l:SIRET-organisme-formation/l:SIRET", namespaces=NS)
        assert siret.is_valid(number), number
        assert responsible.findtext("l:numero-activite", namespaces=NS).isdigit()
    return root


def sessions(root) -> list[etree._Element]:
    return root.findall("l:offres/l:formation/l:action/l:session", NS)
