"""Reading what a school keeps in spreadsheets: CSV in the French Excel dialect or XLSX, into rows of
cells numbered as the spreadsheet numbers them (line 1 is the first line of the file).

CSV: UTF-8 with or without BOM, else Windows-1252 (what Excel writes on a French Windows); the
separator is sniffed among `;`, `,`, tab (`csv.Sniffer`, then the count of each on the first lines).
XLSX: python-calamine, the Rust reader: it reads a 5,000-line sheet in a few milliseconds where the
pure-Python reader's read-only mode takes about a second, and is maintained (regular releases, wheels
for every platform); spreadsheets are still written by `lib/spreadsheet.py`. A cell keeps its type
(date, number, text).

The header line is the line of the first ten that names the most known columns: a title above it, or
a merged header on two lines (« Identité » over « Nom », « Prénom »), is skipped.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
HEADER_SEARCH = 10

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None


class ReadError(Exception):
    """The file cannot be read at all: a French sentence."""


@dataclass
class Sheet:
    """Every non-empty line of the first sheet, with its number in the file."""

    lines: list[tuple[int, list[Cell]]]
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding: UTF-8 (BOM or not), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 (BOM)"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as error:
        raise ReadError(
            "Encodage du fichier non reconnu : enregistrez-le en CSV UTF-8 ou en CSV (séparateur : "
            "point-virgule) depuis votre tableur."
        ) from error


def sniff_delimiter(text: str) -> str:
    # The first lines, 4,000 characters at most: the sniffer's expressions grow with the square of a
    # long line full of quotes (a hostile file would hold the worker for minutes).
    sample = "\n".join(text[:4000].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ";,\t"}
        return max(counts, key=counts.get) if any(counts.values()) else ";"


def is_xlsx(data: bytes, filename: str = "") -> bool:
    return data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods"))


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def read_csv(data: bytes) -> Sheet:
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = []
    try:
        for number, row in enumerate(reader, start=1):
            if len(lines) >= MAX_ROWS:
                raise ReadError(f"Fichier trop long : {MAX_ROWS} lignes au plus par import.")
            if not _blank(row):
                lines.append((number, [c.strip() for c in row]))
    except csv.Error as error:
        raise ReadError(f"Ligne {reader.line_num} : le fichier CSV est mal formé ({error}).") from error
    return Sheet(lines=lines, encoding=encoding, delimiter=delimiter)


def read_xlsx(data: bytes) -> Sheet:
    from python_calamine import CalamineError, load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as error:
        raise ReadError("Fichier tableur illisible : enregistrez-le au format .xlsx ou en CSV.") from error
    if len(rows) > MAX_ROWS:
        raise ReadError(f"Fichier trop long : {MAX_ROWS} lignes au plus par import.")
    lines = [
        (number, [c.strip() if isinstance(c, str) else (None if c == "" else c) for c in row])
        for number, row in enumerate(rows, start=1)
        if not _blank(row)
    ]
    return Sheet(lines=lines, encoding="XLSX")


def read(data: bytes, filename: str = "") -> Sheet:
    if not data:
        raise ReadError("Le fichier est vide.")
    if len(data) > MAX_BYTES:
        raise ReadError(f"Fichier trop lourd : {MAX_BYTES // (1024 * 1024)} Mo au plus.")
    return read_xlsx(data) if is_xlsx(data, filename) else read_csv(data)
