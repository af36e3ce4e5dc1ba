"""The spreadsheets the project writes — CSV in the French Excel dialect, and XLSX — never start a
formula.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets: a cohort named `=HYPERLINK("http://…"&B3;"Voir le détail")`
would send the row's neighbouring cells to whoever wrote it, a click away (« CSV injection », OWASP).
Every CSV and XLSX goes through this module (a test checks that nothing else writes one):

- in a CSV, such a text gets a quote in front (`'=HYPERLINK…`), which spreadsheets show as text;
- in an XLSX, every text is a string cell, never a formula, and such a text is marked with Excel's
  own « quote prefix » (what typing `'=…` in a cell does): it reads as written and stays text when
  someone edits it.

Only texts are escaped: numbers stay numbers (`-3` is a number, not a formula).
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBERS = (int, float, Decimal)


def starts_a_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def escape_text(text: str) -> str:
    """The text as a CSV cell: a quote in front of what a spreadsheet would run."""
    return f"'{text}" if starts_a_formula(text) else text


# --- CSV ----------------------------------------------------------------------------------------


def csv_value(value) -> str:
    """One CSV cell in the French dialect: empty for None, a decimal comma, texts escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, NUMBERS):
        return str(value).replace(".", ",")
    if isinstance(value, dt.date):
        return value.isoformat()
    return escape_text(str(value))


class CsvWriter:
    """`csv.writer` in the French Excel dialect (`;`, CRLF), every cell through `csv_value`."""

    def __init__(self, stream):
        self._writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([csv_value(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """A whole CSV file as partners open it: UTF-8 with a BOM (so that Excel reads the accents)."""
    buffer = io.StringIO()
    CsvWriter(buffer).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- XLSX ---------------------------------------------------------------------------------------

BOLD = Font(bold=True)


class XlsxSheet:
    """One worksheet written row by row, texts never formulas. Layout (bold, number formats,
    widths, frozen panes) is set here too, so that callers never touch openpyxl's cells."""

    def __init__(self, title: str):
        self._workbook = Workbook()
        self._sheet = self._workbook.active
        # A sheet's title is no cell, but Excel limits it to 31 characters, without []:*?/\.
        self._sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Feuille"
        self._row = 0

    def append(self, values: Iterable, *, bold: bool = False, number_formats: Iterable = ()) -> None:
        """Add a row; `number_formats` gives the format of each number in turn (None: the default)."""
        self._row += 1
        formats = list(number_formats)
        for column, value in enumerate(values, start=1):
            if isinstance(value, bool):
                value = "oui" if value else "non"
            cell = self._sheet.cell(row=self._row, column=column)
            if value is None or isinstance(value, (*NUMBERS, dt.date)):
                cell.value = value
            else:
                # Control characters are no XML: openpyxl would refuse the whole file.
                cell.value = text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
                # openpyxl writes a text that starts with « = » as a formula: force a string.
                cell.data_type = "s"
                if starts_a_formula(text):
                    cell.quotePrefix = True
            if bold:
                cell.font = BOLD
            if column <= len(formats) and formats[column - 1] and isinstance(value, NUMBERS):
                cell.number_format = formats[column - 1]

    def column_width(self, letter: str, width: float) -> None:
        self._sheet.column_dimensions[letter].width = width

    def freeze(self, reference: str) -> None:
        self._sheet.freeze_panes = reference

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self._workbook.save(buffer)
        return buffer.getvalue()
