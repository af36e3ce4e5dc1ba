"""French typography of the documents, done in Python: Typst receives ready-made strings.

Dates dd/mm/yyyy, hours « 9 h 45 », amounts « 1 234,50 € » — with the non-breaking spaces
French typography asks for (narrow ones for thousands and before the euro sign).
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
NNBSP = "\u202f"
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def date_fr(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def weekday_fr(day: dt.date) -> str:
    return DAYS[day.weekday()]


def time_fr(moment: dt.time) -> str:
    """9 h, 12 h 30."""
    if moment.minute:
        return f"{moment.hour}{NBSP}h{NBSP}{moment.minute:02d}"
    return f"{moment.hour}{NBSP}h"


def duration_fr(minutes: int) -> str:
    """9 h 45, 105 h, 45 min."""
    hours, rest = divmod(int(minutes), 60)
    if not hours and rest:
        return f"{rest}{NBSP}min"
    return f"{hours}{NBSP}h{NBSP}{rest:02d}" if rest else f"{hours}{NBSP}h"


def amount_fr(value: Decimal | int | None) -> str:
    """1 234,50 € (narrow no-break spaces)."""
    if value is None:
        return ""
    cents = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    units, decimals = f"{cents:.2f}".split(".")
    sign = "-" if units.startswith("-") else ""
    units = units.lstrip("-")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{NNBSP.join(groups)},{decimals}{NNBSP}€"


def siret_fr(siret: str) -> str:
    """123 456 789 00012 (SIREN then NIC)."""
    if len(siret) != 14:
        return siret
    return NBSP.join([siret[:3], siret[3:6], siret[6:9], siret[9:]])


def nda_fr(nda: str) -> str:
    """11 75 12345 67 — the usual grouping of a numéro de déclaration d'activité."""
    if len(nda) != 11:
        return nda
    return NBSP.join([nda[:2], nda[2:4], nda[4:9], nda[9:]])
