"""Spreadsheets built by the tests: fake people (Faker fr_FR), a CSV or an XLSX."""

import datetime as dt
import io

import openpyxl
from faker import Faker

HEADER = ["Nom", "Prénom", "Date de naissance", "Code postal", "Commune", "Diplôme le plus élevé"]


def people(count: int, *, seed: int = 22) -> list[list]:
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    rows, seen = [], set()
    while len(rows) < count:
        last, first = fake.last_name(), fake.first_name()
        born = fake.date_between(dt.date(2002, 1, 1), dt.date(2008, 12, 31))
        if (last, first, born) in seen:
            continue
        seen.add((last, first, born))
        rows.append([last, first, born, "77500", "Chelles", "Aucun diplôme"])
    return rows


def csv_bytes(rows, *, header=HEADER, sep=";", encoding="utf-8-sig", above: list[str] = ()) -> bytes:
    lines = [*above, sep.join(header)]
    for row in rows:
        lines.append(sep.join(f"{c:%d/%m/%Y}" if isinstance(c, dt.date) else str(c) for c in row))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, *, header=HEADER, above: list[list] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(line)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
