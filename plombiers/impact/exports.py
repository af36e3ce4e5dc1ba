"""Every indicator table as CSV (French Excel dialect: `;`, UTF-8 with a BOM) or XLSX: one row per
group, and for each indicator its value, numerator and denominator — or, for figures that leave the
school team, their secrecy marker (« < 5 », « s ») where they are hidden (`secrecy`)."""

from plombiers.lib.spreadsheet import XlsxSheet, csv_bytes

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
    return csv_bytes([header(table), *records(table)])


def as_xlsx(table: Table, title: str) -> bytes:
    sheet = XlsxSheet("Indicateurs")
    sheet.append([title], bold=True)
    sheet.append(header(table), bold=True)
    for line in records(table):
        sheet.append([float(v) if v is not None and not isinstance(v, (str, int)) else v for v in line])
    sheet.freeze("B3")
    return sheet.to_bytes()
