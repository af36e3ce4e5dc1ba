"""The reading layer: encodings, separators, header lines, typed cells."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from plombiers.imports import cells, reading
from plombiers.imports.columns import LEARNERS, find_header, normalise


def test_utf8_with_bom_and_semicolons():
    sheet = reading.read("\ufeffNom;Prénom\nLefèvre;Zoé\n".encode())
    assert sheet.encoding == "UTF-8 (BOM)"
    assert sheet.delimiter == ";"
    assert sheet.lines == [(1, ["Nom", "Prénom"]), (2, ["Lefèvre", "Zoé"])]


def test_windows_1252_and_commas():
    sheet = reading.read("Nom,Prénom,Ville\nLefèvre,Zoé,Élancourt\n".encode("cp1252"))
    assert sheet.encoding == "Windows-1252"
    assert sheet.delimiter == ","
    assert sheet.lines[1] == (2, ["Lefèvre", "Zoé", "Élancourt"])


def test_blank_lines_keep_the_file_numbering():
    sheet = reading.read(b"Nom;Prenom\n\n;;\nDupont;Jean\n")
    assert sheet.lines[-1] == (4, ["Dupont", "Jean"])


def test_an_empty_or_unreadable_file_says_so_in_french():
    with pytest.raises(reading.ReadError, match="vide"):
        reading.read(b"")
    with pytest.raises(reading.ReadError, match="illisible"):
        reading.read(b"PK\x03\x04 not really a zip", "x.xlsx")


def test_xlsx_keeps_dates_numbers_and_line_numbers():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "Liste des jeunes"
    sheet.merge_cells("A1:C1")
    sheet.append([])
    sheet.append(["Nom", "Prénom", "Date de naissance"])
    sheet.append(["Dupont", "Jean", dt.date(2005, 3, 14)])
    sheet.append(["Durand", "Léa", 38426])  # a date typed as a number
    out = io.BytesIO()
    workbook.save(out)
    read = reading.read(out.getvalue(), "jeunes.xlsx")
    header = find_header(LEARNERS, read.lines)
    assert header.line == 3
    assert header.mapping == {"last_name": 0, "first_name": 1, "birth_date": 2}
    assert read.lines[-2] == (4, ["Dupont", "Jean", dt.date(2005, 3, 14)])
    assert cells.date(read.lines[-1][1][2]) == dt.date(2005, 3, 15)


def test_a_merged_header_on_two_lines_is_skipped():
    lines = reading.read(
        b"Identite;;;Adresse\nNom;Prenom;Date de naissance;Code postal\nA;B;01/02/2005;77500\n"
    ).lines
    header = find_header(LEARNERS, lines)
    assert header.line == 2
    assert set(header.mapping) == {"last_name", "first_name", "birth_date", "postcode"}


def test_headers_are_recognised_whatever_their_case_and_accents():
    assert normalise("DATE DE NAISSANCE (JJ/MM/AAAA)") == "date de naissance jj mm aaaa"
    lines = [(1, ["NOM", "prenom", "Né(e) le", "CP", "Courriel", "Téléphone"])]
    assert set(find_header(LEARNERS, lines).mapping) == {
        "last_name", "first_name", "birth_date", "postcode", "email", "phone",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("14/03/2005", dt.date(2005, 3, 14)),
        ("14/03/05", dt.date(2005, 3, 14)),
        ("2005-03-14", dt.date(2005, 3, 14)),
        (38425, dt.date(2005, 3, 14)),
        ("38425", dt.date(2005, 3, 14)),
        (dt.datetime(2005, 3, 14, 0, 0), dt.date(2005, 3, 14)),
        ("", None),
    ],
)
def test_dates(raw, expected):
    assert cells.date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2005", "14 mars", "-3", 1e12])
def test_bad_dates_say_the_expected_form(raw):
    with pytest.raises(cells.CellError, match="JJ/MM/AAAA"):
        cells.date(raw)


def test_decimal_comma_and_postcodes():
    assert cells.decimal("1 234,5") == Decimal("1234.5")
    assert cells.decimal("12.5") == Decimal("12.5")
    assert cells.integer("35,0") == 35
    with pytest.raises(cells.CellError, match="Nombre invalide"):
        cells.decimal("douze")
    assert cells.postcode(1000) == "01000"
    assert cells.postcode("7750") == "07750"
    with pytest.raises(cells.CellError, match="Code postal invalide"):
        cells.postcode("775")
    assert cells.boolean("Oui") is True
    assert cells.boolean("") is False


def test_a_hostile_line_of_quotes_is_sniffed_on_its_start_only():
    # csv.Sniffer's expressions grow with the square of such a line: only its start is sniffed.
    assert reading.sniff_delimiter('a;"b' * 250_000) == ";"
