"""Issue 16, point 8, on the demo itself: the demo's funder (a foundation that funds Chelles and
Montpellier) and the public read every output they may, and none prints a count, a numerator or a
denominator from 1 to 4 — while the exact figures, read by the network staff, hold many.

The demo is built for those two schools only (as `plombiers demo` builds them: referrals,
attendance, internships, exits and follow-ups, funding), which takes seconds rather than a minute.
"""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership
from plombiers.accounts.services import api_token_create
from plombiers.demo.attendance import AttendanceBuilder
from plombiers.demo.funding import FundingBuilder
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.internships import InternshipsBuilder
from plombiers.demo.network import Builder
from plombiers.demo.outcomes import OutcomesBuilder
from plombiers.frameworks.loader import frameworks_load
from plombiers.impact.selectors import GROUPS

from .test_small_cells import PAGE_GROUPS, _check_dashboard, _rows, number, small

# Built on the demo network, whose database is SQLite (`make demo`): CI runs it there; the same
# code runs on PostgreSQL through the tests that build their own data (test_purge.py, test_small_cells.py).
pytestmark = pytest.mark.demo

ONLY = {"chelles", "montpellier"}
FUNDER = "financeur@plombiers.example"
STAFF = "reseau@plombiers.example"


@pytest.fixture
def demo(communes):
    demo = Builder().build()
    frameworks_load()
    intake = IntakeBuilder()
    intake.save(intake.plan(demo, intake.prescribers(demo), only=ONLY))
    AttendanceBuilder().build(demo, only=ONLY)
    InternshipsBuilder().build(demo, only=ONLY)
    OutcomesBuilder().build(demo, only=ONLY)
    FundingBuilder().build(demo, only=ONLY)
    return demo


def _headers(user) -> dict:
    return {"Authorization": f"Bearer {api_token_create(user=user)[1]}"}


def test_no_output_of_the_demos_funder_or_public_shows_a_small_cell(client, demo):
    funder = demo.users[FUNDER]
    staff = demo.users[STAFF]
    organisation = Membership.objects.get(user=funder, role=Role.FUNDER).organisation
    schools = [demo.schools[key] for key in sorted(ONLY)]
    year = timezone.localdate().year - 1

    # The API, every breakdown: the exact figures hold small cells, the funder's none.
    exact_small = published_small = 0
    for group in [None, *GROUPS]:
        query = {"scope": "funder", "id": organisation.pk, **({"group_by": group} if group else {})}
        body = client.get("/api/v1/impact", query, headers=_headers(funder)).json()
        exact = dict(_rows(client.get("/api/v1/impact", query, headers=_headers(staff)).json()))
        for key, row in _rows(body):
            for name, figure in row["indicators"].items():
                true = exact[key]["indicators"][name]
                exact_small += small(true["numerator"]) or small(true["denominator"])
                values = [figure["numerator"], figure["denominator"]]
                if figure["kind"] == "count":
                    values.append(figure["value"])
                published_small += any(small(v) for v in values)
    assert exact_small > 50 and published_small == 0, (exact_small, published_small)

    # The funder's pages, its yearly reports and its space.
    client.force_login(funder)
    pages = [(reverse("impact:funder", args=[organisation.pk]), group) for group in PAGE_GROUPS["funder"]]
    pages += [
        (reverse("impact:school", args=[school.slug]), group)
        for school in schools
        for group in PAGE_GROUPS["school"]
    ]
    for url, group in pages:
        response = client.get(url, {"group_by": group})
        assert response.status_code == 200, (url, group)
        _check_dashboard(response.content.decode(), (url, group))
    for school in schools:
        response = client.get(reverse("impact:report", args=[school.slug, year]))
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        for num, den in re.findall(r"(\S+) / (\S+)", text):
            assert not small(number(num)) and not small(number(den)), (school.slug, num, den)
    space = client.get(reverse("funding:funder_space")).content.decode()
    table = space[space.index("Chiffres agrégés par école") :]
    for cell in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S):
        assert not small(number(re.sub(r"<[^>]+>", "", cell))), cell

    # The public: each school's results page and the open data.
    client.logout()
    for school in schools:
        html = client.get(reverse("impact:public_results", args=[school.slug])).content.decode()
        for num, den in re.findall(r"(\d+) sur (\d+)", html):
            assert not small(int(num)) and not small(int(den)), (school.slug, num, den)
    response = client.get(reverse("impact:opendata"))
    rows = response.content.decode("utf-8-sig").splitlines()[1:]
    assert rows
    for line in rows:
        for cell in line.split(";"):
            assert not small(number(cell)), line
