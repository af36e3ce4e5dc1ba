"""The BPF figures of a school as an XLSX workbook (written through `plombiers.lib.spreadsheet`),
laid out to be copied into the official form of the bilan pédagogique et financier: amounts as
numbers in euros with two decimals, hours as numbers, no formula."""

from plombiers.lib.spreadsheet import XlsxSheet

from .selectors import Bpf

EURO = '#,##0.00 "€"'
HOURS = "#,##0.00"


def _number_format(label: str | None) -> str:
    text = label or ""
    if "Nombre" in text:
        return "0"
    if "Heures" in text or text.startswith("  "):
        return HOURS
    return EURO


def bpf_xlsx(bpf: Bpf) -> bytes:
    sheet = XlsxSheet(f"BPF {bpf.year}")
    rows = [
        (f"Bilan pédagogique et financier {bpf.year} — {bpf.school.name}", None),
        (None, None),
        ("Produits par origine (cadre C)", None),
    ]
    for label, amount in bpf.income_rows:
        rows.append((label, amount))
    rows += [
        ("Total des produits", bpf.income_total),
        (None, None),
        ("Stagiaires (cadre F)", None),
        ("Nombre de stagiaires", bpf.learners),
        ("Heures-stagiaires (feuilles signées)", bpf.learner_hours),
        (None, None),
        ("Formateur·rices (cadre E)", None),
        ("Nombre de formateur·rices", len(bpf.trainers)),
        ("Heures de formation dispensées", bpf.trainer_hours),
    ]
    for name, minutes in bpf.trainers:
        rows.append((f"  {name}", round(minutes / 60, 2)))
    for label, value in rows:
        # A heading is a label without a figure; a figure gets the format its label calls for.
        sheet.append(
            [label, value], bold=bool(label) and value is None, number_formats=[None, _number_format(label)]
        )
    sheet.column_width("A", 48)
    sheet.column_width("B", 18)
    return sheet.to_bytes()
