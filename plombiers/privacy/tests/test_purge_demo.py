"""Issue 20, done-when, on the demo: with the clock moved far, `plombiers purge` anonymises the
people whose last activity is more than five years old, and every impact figure — the network's
API in each breakdown, each funder's, the funders' space, the open data — stays byte-identical.

The demo is built for two schools (as the small-cells demo test does), then the clock jumps
six years: everyone is due."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership
from plombiers.accounts.services import api_token_create
from plombiers.credentials.models import Attestation
from plombiers.credentials.verification import verify
from plombiers.demo.attendance import AttendanceBuilder
from plombiers.demo.credentials import CredentialsBuilder
from plombiers.demo.funding import FundingBuilder
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.internships import InternshipsBuilder
from plombiers.demo.network import Builder
from plombiers.demo.outcomes import OutcomesBuilder
from plombiers.demo.skills import SkillsBuilder
from plombiers.demo.support import SupportBuilder
from plombiers.frameworks.loader import frameworks_load
from plombiers.impact.selectors import GROUPS
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.models import Learner
from plombiers.rights.purge import ANONYMISED_FIRST_NAME
from plombiers.support.models import JournalEntry

# Built on the demo network, whose database is SQLite (`make demo`): CI runs it there; the same
# code runs on PostgreSQL through the tests that build their own data (test_purge.py, test_small_cells.py).
pytestmark = pytest.mark.demo

ONLY = {"chelles", "montpellier"}
STAFF = "reseau@plombiers.example"
FUNDER = "financeur@plombiers.example"


@pytest.fixture
def demo(communes):
    demo = Builder().build()
    frameworks_load()
    intake = IntakeBuilder()
    intake.save(intake.plan(demo, intake.prescribers(demo), only=ONLY))
    SkillsBuilder().build(demo, only=ONLY)
    SupportBuilder().build(demo, only=ONLY)
    AttendanceBuilder().build(demo, only=ONLY)
    InternshipsBuilder().build(demo, only=ONLY)
    CredentialsBuilder().build(demo, only=ONLY)
    OutcomesBuilder().build(demo, only=ONLY)
    FundingBuilder().build(demo, only=ONLY)
    return demo


def _figures(client, demo) -> dict:
    """Every figure that leaves the school team, as bytes."""
    staff, funder = demo.users[STAFF], demo.users[FUNDER]
    staff_headers = {"Authorization": f"Bearer {api_token_create(user=staff)[1]}"}
    funder_headers = {"Authorization": f"Bearer {api_token_create(user=funder)[1]}"}
    funders = Membership.objects.filter(role=Role.FUNDER).values_list("organisation", flat=True)
    out = {}
    for group in [None, *GROUPS]:
        extra = {"group_by": group} if group else {}
        for year in (None, timezone.localdate().year - 6):
            query = {**extra, **({"year": year} if year else {})}
            out["network", group, year] = client.get(
                "/api/v1/impact", {"scope": "network", **query}, headers=staff_headers
            ).content
            for organisation in funders:
                out["funder", organisation, group, year] = client.get(
                    "/api/v1/impact", {"scope": "funder", "id": organisation, **query}, headers=funder_headers
                ).content
    client.force_login(funder)
    space = client.get(reverse("funding:funder_space")).content.decode()
    out["funder space"] = space[space.index("Chiffres agrégés par école") :]
    client.logout()
    out["opendata"] = client.get(reverse("impact:opendata")).content
    out["opendata api"] = client.get("/api/v1/impact/opendata").content
    return out


def test_purge_far_in_the_future_keeps_every_figure_and_anonymises_everyone(client, demo, capsys):
    assert JournalEntry.objects.exists() and Attestation.objects.exists()
    attestation = Attestation.objects.valid().first()
    later = timezone.now() + dt.timedelta(days=6 * 366)
    with time_machine.travel(later, tick=False):
        call_command("purge", "--dry-run")
        dry = capsys.readouterr().out
        assert "Simulation" in dry and Learner.objects.filter(first_name=ANONYMISED_FIRST_NAME).count() == 0
        assert not AuditEvent.objects.filter(action="privacy.purge").exists()  # a dry run writes nothing

        before = _figures(client, demo)
        names = set(Learner.objects.values_list("last_name", flat=True))
        call_command("purge")
        after = _figures(client, demo)

        for key in before:
            assert before[key] == after[key], key
        assert not Learner.objects.exclude(first_name=ANONYMISED_FIRST_NAME).exists()
        assert not JournalEntry.objects.exists()
        assert names.isdisjoint(Learner.objects.values_list("last_name", flat=True))
        events = AuditEvent.objects.filter(action="privacy.purge")
        assert events.exists() and all(set(e.details) == {"rule", "count", "months"} for e in events)

        # The credential is left byte for byte and still verifies; its page names no one.
        attestation_after = Attestation.objects.get(pk=attestation.pk)
        assert attestation_after.credential == attestation.credential
        assert verify(attestation_after.document).verified
        page = client.get(attestation_after.get_verification_url()).content.decode()
        assert attestation.snapshot["learner"]["last_name"] not in page

        # Idempotent: a second run finds nothing.
        count = events.count()
        call_command("purge")
        assert AuditEvent.objects.filter(action="privacy.purge").count() == count
