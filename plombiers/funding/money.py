"""Amounts of money: `Decimal` with two places, read exactly, never through a float."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # what a DecimalField(12, 2) holds
NBSP, NNBSP = "\u00a0", "\u202f"
_FRENCH = re.compile(r"^-?\d+(\.\d+)?$")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_amount(value, *, field: str = "amount", label: str = "Le montant", positive: bool = True) -> Decimal:
    """An exact amount in euros from a Decimal, an int or a string; a float is refused (0.1 + 0.2 is
    not 0.3 in binary), as are more than two decimal places and a negative (or zero) amount."""
    if isinstance(value, bool | float):
        raise ValidationError(
            {field: f"{label} doit être un nombre décimal exact (texte ou Decimal), pas un nombre flottant."}
        )
    if isinstance(value, str):
        try:
            value = parse_french_amount(value)
        except ValueError as error:
            raise ValidationError({field: f"{label} « {value} » n'est pas un montant lisible."}) from error
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise ValidationError({field: f"{label} n'est pas un montant lisible."}) from error
    if not amount.is_finite():
        raise ValidationError({field: f"{label} n'est pas un montant lisible."})
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationError({field: f"{label} a au plus deux chiffres après la virgule (des centimes)."})
    if amount < 0:
        raise ValidationError({field: f"{label} ne peut pas être négatif."})
    if positive and amount == 0:
        raise ValidationError({field: f"{label} doit être supérieur à zéro."})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: f"{label} est trop grand."})
    return amount.quantize(CENT)


def parse_french_amount(text: str) -> Decimal:
    """« 12 345,67 € », « 12345.67 », « 1.234,5 » → Decimal. ValueError when it is not a number."""
    cleaned = text.strip().replace("€", "").replace("EUR", "")
    for space in (" ", "\u00a0", "\u202f", "'"):
        cleaned = cleaned.replace(space, "")
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(".", "")
    cleaned = cleaned.replace(",", ".")
    if not _FRENCH.match(cleaned):
        raise ValueError(text)
    return Decimal(cleaned)


def amount_display(value: Decimal | None) -> str:
    """« 12 345,67 € » with a narrow no-break space between thousands."""
    if value is None:
        return "—"
    sign = "−" if value < 0 else ""
    whole, _, decimals = f"{abs(cents(value)):.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + NNBSP.join(groups) + "," + decimals + NBSP + "€"
