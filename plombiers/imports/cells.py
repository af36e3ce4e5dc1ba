"""Typed cells: what a French spreadsheet holds, read into Python values, or a French message.

Each parser takes a cell (text from a CSV, or a typed value from an XLSX) and returns the value, or
raises `CellError` with the sentence shown beside the line and column."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from plombiers.lib.text import fold

# Excel counts days from 30/12/1899 (its day 60 is a 29/02/1900 that never was).
EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


class CellError(ValueError):
    pass


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value, *, max_length: int = 250) -> str:
    if is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = " ".join(str(value).split())
    if len(result) > max_length:
        raise CellError(f"Texte trop long : {max_length} caractères au plus.")
    return result


def date(value) -> dt.date | None:
    """JJ/MM/AAAA (or JJ/MM/AA, AAAA-MM-JJ), a date cell, or an Excel serial number (a date column
    whose cells were formatted as numbers)."""
    if is_empty(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(f"Date invalide : « {value} » (attendu : JJ/MM/AAAA).")
    raw = str(value).strip()
    if re.fullmatch(r"\d{1,6}([.,]0+)?", raw):
        return date(float(raw.replace(",", ".")))
    for fmt in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(raw.split(" ")[0], fmt).date()
        except ValueError:
            continue
        if fmt == "%d/%m/%y" and parsed > dt.date.today():
            parsed = parsed.replace(year=parsed.year - 100)
        return parsed
    raise CellError(f"Date invalide : « {raw} » (attendu : JJ/MM/AAAA).")


def decimal(value) -> Decimal | None:
    """1 234,5 or 1234.5 or a number cell."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"Nombre invalide : « {value} ».")
    if isinstance(value, int | float):
        return Decimal(str(value))
    raw = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    try:
        result = Decimal(raw)
    except InvalidOperation:
        raise CellError(f"Nombre invalide : « {value} » (exemple : 12,5).") from None
    if not result.is_finite():
        raise CellError(f"Nombre invalide : « {value} ».")
    return result


def integer(value) -> int | None:
    number = decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(f"Nombre entier attendu : « {value} ».")
    return int(number)


YES = {"oui", "o", "vrai", "x", "1", "yes", "true"}
NO = {"non", "n", "faux", "0", "no", "false", ""}


def boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        value = str(int(value))
    word = fold(str(value or ""))
    if word in YES:
        return True
    if word in NO:
        return False
    raise CellError(f"« {value} » : répondez oui ou non.")


def postcode(value) -> str:
    """Five digits; a number cell lost the leading zero of « 01000 »: it is put back."""
    if is_empty(value):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = f"{int(value):05d}"
    raw = str(value).strip().replace(" ", "")
    if re.fullmatch(r"\d{4}", raw):
        raw = "0" + raw
    if not re.fullmatch(r"\d{5}", raw):
        raise CellError(f"Code postal invalide : « {value} » (5 chiffres).")
    return raw


def key(value) -> str:
    """Case, accents and punctuation left out: « Niveau 3 : CAP, BEP » → « niveau 3 cap bep »."""
    return re.sub(r"[^a-z0-9]+", " ", fold(str(value or ""))).strip()


def choice(value, choices, *, synonyms: dict[str, str] | None = None) -> str:
    """A TextChoices value from its value, its label or a usual synonym, accents and case ignored."""
    if is_empty(value):
        return ""
    word = key(value)
    known = {key(v): v for v in choices.values} | {key(label): v for v, label in choices.choices}
    # « Aucun diplôme » for « Aucun diplôme (niveau 1 ou 2) »: the label without its precision.
    known |= {key(label.split(" (")[0]): v for v, label in choices.choices}
    known |= {key(k): v for k, v in (synonyms or {}).items()}
    if word in known:
        return known[word]
    raise CellError(f"Valeur non reconnue : « {value} » (attendu : {', '.join(choices.labels)}).")


def email(value) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    result = text(value, max_length=254)
    if result:
        try:
            validate_email(result)
        except ValidationError:
            raise CellError(f"Adresse e-mail invalide : « {result} ».") from None
    return result


MONTHS = {"janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4,
          "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9,
          "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12}  # fmt: skip


def month(value) -> dt.date | None:
    """A month, as its first day: MM/AAAA, « janvier 2026 », a date (JJ/MM/AAAA or a date cell: its
    month), AAAA-MM."""
    if is_empty(value):
        return None
    if isinstance(value, dt.date | int | float) and not isinstance(value, bool):
        return date(value).replace(day=1)
    raw = " ".join(str(value).split())
    word = key(raw)
    found = re.fullmatch(r"(\d{1,2})[/.\- ](\d{4})", raw) or re.fullmatch(r"(\d{4})-(\d{1,2})", raw)
    if found:
        a, b = found.groups()
        year, number = (int(b), int(a)) if len(b) == 4 else (int(a), int(b))
    elif (named := re.fullmatch(r"([a-z]+) (\d{4})", word)) and named.group(1) in MONTHS:
        year, number = int(named.group(2)), MONTHS[named.group(1)]
    else:
        try:
            return date(raw).replace(day=1)
        except CellError:
            raise CellError(f"Mois invalide : « {raw} » (attendu : MM/AAAA ou « janvier 2026 »).") from None
    if not 1 <= number <= 12 or not 1900 <= year <= 2999:
        raise CellError(f"Mois invalide : « {raw} » (attendu : MM/AAAA ou « janvier 2026 »).")
    return dt.date(year, number, 1)


def hours(value) -> Decimal | None:
    """Hours as a decimal (« 12,5 », « 12 h », « 12h30 » are 12.5), at least 0, to the hundredth
    (a number cell is rounded to it, a text with more decimals is refused)."""
    if is_empty(value):
        return None
    if isinstance(value, str):
        raw = value.strip().lower().replace("\u00a0", " ")
        found = re.fullmatch(r"(\d+)\s*h\s*(\d{2})?(?:\s*min)?", raw)
        if found:
            whole, minutes = found.groups()
            if minutes and int(minutes) >= 60:
                raise CellError(f"Durée invalide : « {value} ».")
            return (Decimal(whole) + Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))
    try:
        number = decimal(value)
    except CellError:
        raise CellError(f"Nombre d'heures invalide : « {value} » (exemple : 12,5).") from None
    if number < 0:
        raise CellError(f"Nombre d'heures négatif : « {value} ».")
    if isinstance(value, float):
        # A number cell computed by a formula (minutes / 60): Excel shows it to the hundredth.
        return number.quantize(Decimal("0.01"))
    if number != number.quantize(Decimal("0.01")):
        raise CellError(f"Heures au centième au plus : « {value} ».")
    return number
