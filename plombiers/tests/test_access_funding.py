"""The access rule of DESIGN.md on every funding page and endpoint.

Network staff see and manage everything of their network; a school's manager their school's. A
funder user sees only the grants their organisation gives (read-only: 403 on a write) and, in their
own space, aggregated figures of the schools they fund. Trainers and social workers see nothing of
funding (budgets hold salaries, and it is not theirs to act on); prescribers, learners and outsiders
neither: 404 everywhere, as for an object that does not exist. A refused request writes nothing.
"""

import datetime as dt
import json
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plombiers.cohorts.enums import AttendanceStatus, Period
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.documents.tests.conftest import half_day
from plombiers.funding import services as svc
from plombiers.funding.enums import GrantPurpose, GrantStatus
from plombiers.funding.models import (
    Budget,
    BudgetLine,
    Grant,
    GrantPayment,
    GrantReport,
    OpcoFunding,
    OpcoInvoice,
)
from plombiers.network.enums import OrganisationCategory, OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.tests import access

ROLES = access.ROLES
MANAGES = access.MANAGERS
#: The cast's funder gives grant A (school A), not grant B.
SEES_GRANT = access.GRANT_READERS
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def objects(cast):
    cast.funder_org.category = OrganisationCategory.FOUNDATION
    cast.funder_org.save(update_fields=["category"])
    region = OrganisationFactory(
        network=cast.network, kind=OrganisationKind.FUNDER, category=OrganisationCategory.LOCAL_AUTHORITY
    )
    opco = OrganisationFactory(network=cast.network, kind=OrganisationKind.OPCO)

    def make(school, funder, trainer):
        grant = svc.grant_create(
            by=cast.staff,
            funder=funder,
            school=school,
            purpose=GrantPurpose.PLATFORM,
            amount_requested="70000",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
        )
        svc.grant_decide(grant=grant, by=cast.staff, to=GrantStatus.GRANTED)
        svc.grant_payment_record(grant=grant, by=cast.staff, amount="30000", paid_on=dt.date(2026, 3, 1))
        report = svc.grant_report_add(grant=grant, by=cast.staff, title="Bilan", due_on=dt.date(2026, 12, 1))
        svc.grant_agreement_attach(
            grant=grant,
            by=cast.staff,
            upload=SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf"),
        )
        cohort = CohortFactory(school=school, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18))
        enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
        half_day(
            cohort, trainer, dt.date(2026, 9, 28), Period.MORNING, {enrolment: (AttendanceStatus.PRESENT, 0)}
        )
        funding = svc.opco_funding_create(
            cohort=cohort, by=cast.staff, opco=opco, scheme="poec", hours_agreed="400", hourly_rate="12.50"
        )
        invoice = svc.opco_invoice_create(
            funding=funding, by=cast.staff, period_start=dt.date(2026, 9, 28), period_end=dt.date(2026, 10, 4)
        )
        budget = svc.budget_create(school=school, year=2026, by=cast.staff)
        return SimpleNamespace(
            school=school,
            grant=grant,
            report=report,
            cohort=cohort,
            funding=funding,
            invoice=invoice,
            budget=budget,
        )

    return {
        "a": make(cast.school_a, cast.funder_org, cast.trainer_a),
        "b": make(cast.school_b, region, cast.trainer_b),
    }


def _snapshot():
    return (
        list(
            Grant.objects.order_by("pk").values_list(
                "status", "amount_requested", "amount_granted", "reference", "conditions", "agreement"
            )
        ),
        GrantPayment.objects.count(),
        list(GrantReport.objects.order_by("pk").values_list("done", flat=True)),
        OpcoFunding.objects.count(),
        list(OpcoInvoice.objects.order_by("pk").values_list("status", flat=True)),
        Budget.objects.count(),
        list(BudgetLine.objects.order_by("pk").values_list("planned", "actual")),
    )


def _managed(role, school):
    return 200 if school in MANAGES.get(role, set()) else 404


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, cast, objects, role):
    user = getattr(cast, role)
    client.force_login(user)
    overview = client.get(reverse("funding:overview"))
    if role in MANAGES:
        assert overview.status_code == 200
    elif role == "staff_other":  # their own network's overview: nothing of the cast's
        assert overview.status_code == 200
        assert cast.school_a.name not in overview.content.decode()
        assert cast.funder_org.name not in overview.content.decode()
    elif role == "funder":
        assert overview.status_code == 302 and overview["Location"] == reverse("funding:funder_space")
    else:
        assert overview.status_code == 404, role
    assert client.get(reverse("funding:funder_space")).status_code == (200 if role == "funder" else 404)
    grant_create = client.get(reverse("funding:grant_create"))
    assert grant_create.status_code == (200 if role in MANAGES or role in access.NETWORK_STAFF else 404)
    if role == "staff_other":  # the form offers their network's schools and funders only
        assert cast.school_a.name not in grant_create.content.decode()
        assert cast.funder_org.name not in grant_create.content.decode()
    for school in "ab":
        o = objects[school]
        grant_status = 200 if school in SEES_GRANT.get(role, set()) else 404
        pages = {
            reverse("funding:grant_detail", args=[o.grant.pk]): grant_status,
            reverse("funding:agreement_download", args=[o.grant.pk]): grant_status,
            reverse("funding:grant_edit", args=[o.grant.pk]): (
                200 if school in MANAGES.get(role, set()) else 403 if grant_status == 200 else 404
            ),
            reverse("funding:school_funding", args=[o.school.slug]): _managed(role, school),
            reverse("funding:budget", args=[o.school.slug, 2026]): _managed(role, school),
            reverse("funding:bpf", args=[o.school.slug, 2026]): _managed(role, school),
            reverse("funding:bpf_export", args=[o.school.slug, 2026]): _managed(role, school),
            reverse("funding:cohort_opco", args=[o.cohort.pk]): _managed(role, school),
            reverse("funding:invoice_bundle", args=[o.invoice.pk]): _managed(role, school),
        }
        for url, status in pages.items():
            response = client.get(url)
            assert response.status_code == status, (role, url)
    # The actions are no page: GET is not allowed.
    for name in ("grant_decide", "payment_create", "report_create", "agreement_upload"):
        assert client.get(reverse(f"funding:{name}", args=[objects["a"].grant.pk])).status_code == 405


@pytest.mark.parametrize("role", [r for r in ROLES if r != "staff"])
def test_writes_are_refused_and_write_nothing(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    before = _snapshot()
    for school in "ab":
        if school in MANAGES.get(role, set()):
            continue
        o = objects[school]
        grant_status = 403 if school in SEES_GRANT.get(role, set()) else 404
        upload = SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf")
        posts = [
            (reverse("funding:grant_decide", args=[o.grant.pk]), {"to": "sollicitee"}, grant_status),
            (
                reverse("funding:grant_edit", args=[o.grant.pk]),
                {"reference": "X", "amount_requested": "1"},
                grant_status,
            ),
            (
                reverse("funding:payment_create", args=[o.grant.pk]),
                {"amount": "10", "paid_on": "2026-11-01"},
                grant_status,
            ),
            (
                reverse("funding:report_create", args=[o.grant.pk]),
                {"title": "X", "due_on": "2026-12-01"},
                grant_status,
            ),
            (reverse("funding:agreement_upload", args=[o.grant.pk]), {"agreement": upload}, grant_status),
            (reverse("funding:report_done", args=[o.report.pk]), {}, grant_status),
            (reverse("funding:budget_create", args=[o.school.slug]), {"year": "2027"}, 404),
            (reverse("funding:budget", args=[o.school.slug, 2026]), {"salaires-planned": "1"}, 404),
            (
                reverse("funding:budget_import", args=[o.school.slug, 2026]),
                {"file": SimpleUploadedFile("b.csv", b"Poste;R\xc3\xa9alis\xc3\xa9\nSalaires;1\n")},
                404,
            ),
            (
                reverse("funding:invoice_create", args=[o.cohort.pk]),
                {"period_start": "2026-10-05", "period_end": "2026-10-11"},
                404,
            ),
            (
                reverse("funding:invoice_transition", args=[o.invoice.pk]),
                {"to": "emise", "number": "F1"},
                404,
            ),
            (reverse("funding:opco_funding_create", args=[o.cohort.pk]), {"scheme": "poec"}, 404),
        ]
        for url, data, status in posts:
            assert client.post(url, data).status_code == status, (role, url)
    if role not in MANAGES:
        response = client.post(
            reverse("funding:grant_create"),
            {
                "funder": cast.funder_org.pk,
                "school": cast.school_a.pk,
                "purpose": "fonctionnement",
                "amount_requested": "1000",
                "period_start": "2027-01-01",
                "period_end": "2027-12-31",
            },
        )
        # The network staff of another network get the form back: school A is no choice of theirs.
        assert response.status_code == (200 if role in access.NETWORK_STAFF else 404)
    assert _snapshot() == before
    assert (
        not AuditEvent.objects.filter(actor=getattr(cast, role), action__startswith=("grant."))
        .exclude(action="grant.agreement_download")
        .exists()
    )


def _api(client, method, url, data=None):
    if method == "get":
        return client.get(url)
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_api(client, cast, objects, role):
    client.force_login(getattr(cast, role))
    grants = client.get("/api/v1/grants").json()
    assert {item["id"] for item in grants["items"]} == {
        objects[s].grant.pk for s in SEES_GRANT.get(role, set())
    }
    fundings = client.get("/api/v1/opco-fundings").json()
    assert {item["id"] for item in fundings["items"]} == {
        objects[s].funding.pk for s in MANAGES.get(role, set())
    }
    for school in "ab":
        o = objects[school]
        assert client.get(f"/api/v1/schools/{o.school.pk}/budget?year=2026").status_code == _managed(
            role, school
        )
        assert client.get(f"/api/v1/schools/{o.school.pk}/costs?year=2026").status_code == _managed(
            role, school
        )
    before = _snapshot()
    for school in "ab":
        if school in MANAGES.get(role, set()):
            continue
        o = objects[school]
        response = _api(
            client,
            "post",
            "/api/v1/grants",
            {
                "funder": cast.funder_org.pk,
                "school": o.school.pk,
                "purpose": "ingenierie",
                "amount_requested": "100.00",
                "period_start": "2027-01-01",
                "period_end": "2027-06-30",
            },
        )
        assert response.status_code in (403, 404), (role, response.status_code)
        response = _api(
            client,
            "post",
            "/api/v1/opco-fundings",
            {
                "cohort": o.cohort.pk,
                "opco": o.funding.opco_id,
                "scheme": "poec",
                "hours_agreed": "10",
                "hourly_rate": "10.00",
            },
        )
        assert response.status_code in (403, 404), (role, response.status_code)
        grant_status = 403 if school in SEES_GRANT.get(role, set()) else 404
        assert client.get(f"/api/v1/grants/{o.grant.pk}").status_code == (
            200 if grant_status == 403 else 404
        ), role
        writes = [
            ("patch", f"/api/v1/grants/{o.grant.pk}", {"reference": "X"}, grant_status),
            ("post", f"/api/v1/grants/{o.grant.pk}/decision", {"to": "sollicitee"}, grant_status),
            (
                "post",
                f"/api/v1/grants/{o.grant.pk}/payments",
                {"amount": "1", "paid_on": "2026-11-01"},
                grant_status,
            ),
            (
                "post",
                f"/api/v1/grants/{o.grant.pk}/reports",
                {"title": "X", "due_on": "2026-12-01"},
                grant_status,
            ),
            ("post", f"/api/v1/grant-reports/{o.report.pk}/done", {}, grant_status),
            (
                "post",
                f"/api/v1/opco-fundings/{o.funding.pk}/invoices",
                {"period_start": "2026-10-05", "period_end": "2026-10-11"},
                404,
            ),
            (
                "post",
                f"/api/v1/opco-invoices/{o.invoice.pk}/transition",
                {"to": "emise", "number": "F1"},
                404,
            ),
        ]
        for method, url, data, status in writes:
            response = getattr(client, method)(url, json.dumps(data), content_type="application/json")
            assert response.status_code == status, (role, url, response.status_code)
        assert client.get(f"/api/v1/opco-fundings/{o.funding.pk}/invoices").status_code == 404
        upload = SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf")
        response = client.post(f"/api/v1/grants/{o.grant.pk}/agreement", {"agreement": upload})
        assert response.status_code == grant_status, role
    assert _snapshot() == before


def test_funder_sees_only_aggregates_and_their_grants(client, cast, objects):
    client.force_login(cast.funder)
    page = client.get(reverse("funding:funder_space"))
    html = page.content.decode()
    assert objects["a"].school.name in html and objects["b"].school.name not in html
    # One learner in school A: every count shows « < 5 », no name of a person appears.
    assert "&lt; 5" in html
    learner = objects["a"].cohort.enrolments.get().learner
    for name in (learner.last_name, learner.first_name):
        assert not re.search(rf"\b{re.escape(name)}\b", html), (
            name
        )  # whole words: « Martin » is in « Martinique »
    assert not re.search(rf"\b{re.escape(cast.trainer_a.last_name)}\b", html)
    grant_page = client.get(reverse("funding:grant_detail", args=[objects["a"].grant.pk])).content.decode()
    assert "Enregistrer un versement" not in grant_page and "Décision du financeur" not in grant_page
    api = client.get("/api/v1/grants").json()
    assert [item["funder"] for item in api["items"]] == [cast.funder_org.pk]
    assert isinstance(api["items"][0]["amount_paid"], str)
