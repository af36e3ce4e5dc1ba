"""Every indicator table as CSV (French Excel dialect: `;`, UTF-8 with a BOM) or XLSX: one row per
group, and for each indicator its value, numerator and denominator — or, for figures that leave the
school team, their secrecy marker (« < 5 », « s ») where they are hidden (`secrecy`)."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .selectors import INDICATORS, Table


def header(table: Table) -> list[str]:
    columns = [table.group_label or "Périmètre"]
    for i in INDICATORS:
        unit = " (part, 0 à 1)" if i.kind == "rate" else (f" ({i.unit})" if i.unit else "")
        columns.append(f"{i.label}{unit}")
        if i.den:
            columns += [f"{i.label} — numérateur", f"{i.label} — dénominateur"]
    return columns


def records(table: Table) -> list[list]:
    result = []
    for row in table.rows:
        figures = row.figures
        line = [row.label]
        for i in INDICATORS:
            figure = figures[i.key]
            line.append(figure.secret or figure.value)
            if i.den:
                line += [figure.shown_numerator, figure.shown_denominator]
        result.append(line)
    return result


def as_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(table))
    for line in records(table):
        writer.writerow(
            ["" if v is None else str(v).replace(".", ",") if not isinstance(v, str) else v for v in line]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(table: Table, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Indicateurs"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(header(table))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for line in records(table):
        sheet.append([float(v) if v is not None and not isinstance(v, (str, int)) else v for v in line])
    sheet.freeze_panes = "B3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
