"""The BPF figures of a school as an XLSX workbook (openpyxl), laid out to be copied into the
official form of the bilan pédagogique et financier: amounts as numbers in euros with two decimals,
hours as numbers, no formula."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .selectors import Bpf

EURO = '#,##0.00 "€"'
HOURS = "#,##0.00"


def bpf_xlsx(bpf: Bpf) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"BPF {bpf.year}"
    bold = Font(bold=True)
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
    for label, value in rows:
        sheet.append([label, value])
    for name, minutes in bpf.trainers:
        sheet.append([f"  {name}", round(minutes / 60, 2)])
    for row in sheet.iter_rows(min_row=1, max_col=2):
        label, value = row
        if label.value and value.value is None:
            label.font = bold
        if isinstance(value.value, int | float) or value.value.__class__.__name__ == "Decimal":
            text = str(label.value or "")
            if "Nombre" in text:
                value.number_format = "0"
            elif "Heures" in text or text.startswith("  "):
                value.number_format = HOURS
            else:
                value.number_format = EURO
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
