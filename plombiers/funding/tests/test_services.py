import datetime as dt
import io
import itertools
import zipfile
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from plombiers.funding import services as svc
from plombiers.funding.enums import BudgetCategory, GrantPurpose, GrantStatus, InvoiceStatus, OpcoScheme
from plombiers.funding.models import Budget, BudgetLine, Grant, GrantPayment, GrantReport, OpcoInvoice
from plombiers.funding.money import amount_display, to_amount
from plombiers.funding.tasks import send_report_reminders
from plombiers.privacy.models import AuditEvent

from .conftest import RATE, WEEK_1, WEEK_2, WEEK_3

pytestmark = pytest.mark.django_db
D = Decimal


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _grant(cast, orgs, **kwargs):
    data = {
        "by": cast.staff,
        "funder": orgs.foundation,
        "school": cast.school_a,
        "purpose": GrantPurpose.PLATFORM,
        "amount_requested": "70000",
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 12, 31),
    }
    return svc.grant_create(**{**data, **kwargs})


# --- money --------------------------------------------------------------------------------------


def test_amounts_are_exact_decimals_and_floats_are_refused():
    assert to_amount("12 345,67 €") == D("12345.67")
    assert to_amount(D("0.10")) + to_amount("0,20") == D("0.30")
    assert to_amount(70000) == D("70000.00")
    for bad, message in [
        (0.1, "pas un nombre flottant"),
        ("-5", "négatif"),
        (D("-0.01"), "négatif"),
        ("12,345", "deux chiffres après la virgule"),
        ("douze", "pas un montant lisible"),
        ("0", "supérieur à zéro"),
        (D("NaN"), "pas un montant lisible"),
    ]:
        with pytest.raises(ValidationError, match=message):
            to_amount(bad)
    assert amount_display(D("70000")) == "70\u202f000,00\u00a0€"


# --- grants -------------------------------------------------------------------------------------


def test_a_grant_is_requested_granted_and_paid_in_parts(cast, orgs, today):
    grant = _grant(cast, orgs, by=cast.manager_a)
    assert grant.status == GrantStatus.REQUESTED and grant.amount_requested == D("70000.00")
    svc.grant_decide(grant=grant, by=cast.manager_a, to=GrantStatus.GRANTED, amount_granted="65000")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.GRANTED and grant.amount_granted == D("65000.00")
    assert grant.decided_on == today
    svc.grant_payment_record(grant=grant, by=cast.manager_a, amount="40000", paid_on=dt.date(2026, 3, 2))
    grant = Grant.objects.with_paid().get(pk=grant.pk)
    assert grant.status == GrantStatus.PAID and grant.paid == D("40000.00")
    assert grant.status_label == "Versée en partie" and grant.remaining == D("25000.00")
    svc.grant_payment_record(grant=grant, by=cast.staff, amount=D("25000.00"), paid_on=dt.date(2026, 9, 1))
    grant = Grant.objects.with_paid().get(pk=grant.pk)
    assert grant.is_fully_paid and grant.status_label == "Versée"
    assert list(
        AuditEvent.objects.filter(object_id=str(grant.pk)).order_by("pk").values_list("action", flat=True)
    ) == [
        "grant.create",
        "grant.accordee",
        "grant.payment",
        "grant.payment",
    ]


def test_a_payment_above_the_grant_is_refused_and_nothing_is_written(cast, orgs, today):
    grant = _grant(cast, orgs)
    with pytest.raises(ValidationError, match="subvention accordée"):
        svc.grant_payment_record(grant=grant, by=cast.staff, amount="10", paid_on=today)
    svc.grant_decide(grant=grant, by=cast.staff, to=GrantStatus.GRANTED)
    svc.grant_payment_record(grant=grant, by=cast.staff, amount="60000", paid_on=today)
    with pytest.raises(ValidationError) as error:
        svc.grant_payment_record(grant=grant, by=cast.staff, amount="10000.01", paid_on=today)
    message = " ".join(error.value.messages)
    assert "dépasserait le montant accordé" in message and "il reste 10\u202f000,00\u00a0€" in message
    for bad in ("-100", "0", 100.5):
        with pytest.raises(ValidationError):
            svc.grant_payment_record(grant=grant, by=cast.staff, amount=bad, paid_on=today)
    with pytest.raises(ValidationError, match="à venir"):
        svc.grant_payment_record(grant=grant, by=cast.staff, amount="1", paid_on=today + dt.timedelta(days=1))
    assert list(GrantPayment.objects.values_list("amount", flat=True)) == [D("60000.00")]
    # The last euro fits exactly.
    svc.grant_payment_record(grant=grant, by=cast.staff, amount="10000.00", paid_on=today)
    with pytest.raises(ValidationError, match="il reste 0,00"):
        svc.grant_payment_record(grant=grant, by=cast.staff, amount="0.01", paid_on=today)


def test_bad_grant_requests_are_refused_in_french_and_write_nothing(cast, orgs):
    with pytest.raises(ValidationError, match="ne peut pas être négatif"):
        _grant(cast, orgs, amount_requested="-70000")
    with pytest.raises(ValidationError, match="pas un nombre flottant"):
        _grant(cast, orgs, amount_requested=70000.0)
    with pytest.raises(ValidationError, match="type « financeur »"):
        _grant(cast, orgs, funder=orgs.company)
    with pytest.raises(ValidationError, match="doit suivre son début"):
        _grant(cast, orgs, period_start=dt.date(2026, 6, 1), period_end=dt.date(2026, 5, 31))
    assert not Grant.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="grant.").exists()


def test_overlapping_grant_periods(cast, orgs):
    """The same funder cannot be asked twice for the same purpose and beneficiary over periods that
    share a day; another purpose, another funder, a period that follows, or after a refusal is fine."""
    first = _grant(cast, orgs)
    with pytest.raises(ValidationError, match="les périodes se chevauchent"):
        _grant(cast, orgs, period_start=dt.date(2026, 12, 31), period_end=dt.date(2027, 6, 30))
    _grant(cast, orgs, period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 12, 31))
    _grant(cast, orgs, purpose=GrantPurpose.OPERATIONS)
    _grant(cast, orgs, funder=orgs.region)
    _grant(cast, orgs, school=cast.school_b)
    _grant(cast, orgs, school=None, network=cast.network)
    with pytest.raises(ValidationError, match="le réseau"):
        _grant(cast, orgs, school=None, network=cast.network, period_start=dt.date(2026, 6, 1))
    svc.grant_decide(grant=first, by=cast.staff, to=GrantStatus.REFUSED)
    _grant(cast, orgs, period_start=dt.date(2026, 3, 1), period_end=dt.date(2026, 9, 30))
    assert Grant.objects.count() == 7


def test_who_may_write_grants(cast, orgs, today):
    for user in (cast.trainer_a, cast.social_worker_a, cast.manager_b, cast.funder, cast.prescriber):
        with pytest.raises(PermissionDenied):
            _grant(cast, orgs, by=user)
    with pytest.raises(PermissionDenied, match="tête de réseau"):
        _grant(cast, orgs, by=cast.manager_a, school=None, network=cast.network)
    grant = _grant(cast, orgs)
    with pytest.raises(PermissionDenied):
        svc.grant_decide(grant=grant, by=cast.funder, to=GrantStatus.GRANTED)
    assert Grant.objects.get().status == GrantStatus.REQUESTED


def test_transitions_refuse_illegal_moves(cast, orgs, today):
    grant = _grant(cast, orgs)
    with pytest.raises(ValidationError, match="ne peut pas passer"):
        svc.grant_decide(grant=grant, by=cast.staff, to=GrantStatus.PAID)
    svc.grant_decide(grant=grant, by=cast.staff, to=GrantStatus.GRANTED)
    svc.grant_payment_record(grant=grant, by=cast.staff, amount="1000", paid_on=today)
    with pytest.raises(ValidationError, match="ne peut pas passer"):
        svc.grant_decide(grant=grant, by=cast.staff, to=GrantStatus.REQUESTED)


def test_agreement_must_be_a_real_pdf(cast, orgs, settings):
    grant = _grant(cast, orgs)
    fake = SimpleUploadedFile("convention.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="ne contient pas un vrai fichier"):
        svc.grant_agreement_attach(grant=grant, by=cast.staff, upload=fake)
    photo = SimpleUploadedFile("convention.png", b"\x89PNG\r\n\x1a\n" + b"0" * 50, content_type="image/png")
    with pytest.raises(ValidationError, match="en PDF"):
        svc.grant_agreement_attach(grant=grant, by=cast.staff, upload=photo)
    big = SimpleUploadedFile(
        "convention.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
    )
    with pytest.raises(ValidationError, match="trop volumineux"):
        svc.grant_agreement_attach(grant=grant, by=cast.staff, upload=big)
    grant.refresh_from_db()
    assert not grant.agreement
    pdf = SimpleUploadedFile(
        "Convention Fondation A — Karim.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
    )
    svc.grant_agreement_attach(grant=grant, by=cast.staff, upload=pdf)
    grant.refresh_from_db()
    assert grant.agreement.name.startswith(f"conventions-financement/{cast.network.pk}/")
    assert "Karim" not in grant.agreement.name


def test_report_reminders_are_mailed_once_a_week(cast, orgs, today, time_machine):
    grant = _grant(cast, orgs)
    network_grant = _grant(cast, orgs, school=None, network=cast.network, purpose=GrantPurpose.ENGINEERING)
    soon = svc.grant_report_add(
        grant=grant, by=cast.staff, title="Bilan intermédiaire", due_on=today + dt.timedelta(days=10)
    )
    svc.grant_report_add(
        grant=grant, by=cast.staff, title="Bilan final", due_on=today + dt.timedelta(days=60)
    )
    late = svc.grant_report_add(
        grant=network_grant, by=cast.staff, title="Rapport d'activité", due_on=today - dt.timedelta(days=3)
    )
    done = svc.grant_report_add(grant=grant, by=cast.staff, title="Photos du plateau", due_on=today)
    svc.grant_report_done(report=done, by=cast.manager_a)
    assert send_report_reminders.enqueue().return_value == 2
    by_subject = {m.subject: m.to for m in mail.outbox}
    assert by_subject == {
        f"Rappel : Bilan intermédiaire pour {orgs.foundation.name} (à remettre le 20/11/2026)": [
            cast.manager_a.email
        ],
        f"En retard : Rapport d'activité pour {orgs.foundation.name} (à remettre le 07/11/2026)": [
            cast.staff.email
        ],
    }
    assert "dans 10 jours" in mail.outbox[0].body or "dans 10 jours" in mail.outbox[1].body
    assert set(GrantReport.objects.filter(reminded_on=today).values_list("pk", flat=True)) == {
        soon.pk,
        late.pk,
    }
    time_machine.move_to(dt.datetime(2026, 11, 13, 9, tzinfo=dt.UTC))
    assert send_report_reminders.enqueue().return_value == 0
    time_machine.move_to(dt.datetime(2026, 11, 17, 9, tzinfo=dt.UTC))
    assert send_report_reminders.enqueue().return_value == 2


def test_the_daily_command_sends_the_reminders(cast, orgs, today):
    from django.core.management import call_command

    grant = _grant(cast, orgs)
    svc.grant_report_add(grant=grant, by=cast.staff, title="Bilan", due_on=today)
    out = io.StringIO()
    call_command("daily", stdout=out)
    assert "1 rappel(s) de compte rendu" in out.getvalue()
    assert len(mail.outbox) == 1


# --- OPCO ---------------------------------------------------------------------------------------


def _funding(cast, course, hours="500"):
    return svc.opco_funding_create(
        cohort=course.cohort,
        by=cast.manager_a,
        opco=course.opco,
        scheme=OpcoScheme.POEC,
        hours_agreed=hours,
        hourly_rate=RATE,
    )


def test_claimable_is_attended_hours_times_rate_on_a_hand_computed_case(cast, course, today):
    """1 825 minutes attended on the signed sheets (late arrivals less their delay, excused and
    unexcused absences nothing, the unsigned sheet nothing): 30 h 25 × 12,50 € = 380,208… → 380,21 €."""
    funding = _funding(cast, course)
    claim = svc.claimable(funding)
    assert claim.minutes == 1825
    assert claim.hours == D(1825) / D(60)
    assert claim.amount == D("380.21")
    assert not claim.capped
    # Capped at the hours agreed: 20 h × 12,50 €.
    funding.hours_agreed = D("20")
    capped = svc.claimable(funding)
    assert capped.capped and capped.amount == D("250.00")


def test_invoices_per_period_and_their_bundles(cast, course, today):
    funding = _funding(cast, course)
    week_1 = svc.opco_invoice_create(
        funding=funding, by=cast.manager_a, period_start=WEEK_1, period_end=WEEK_1 + dt.timedelta(days=6)
    )
    assert (week_1.attended_minutes, week_1.amount) == (1450, D("302.08"))  # 24 h 10 × 12,50
    week_2 = svc.opco_invoice_create(
        funding=funding, by=cast.staff, period_start=WEEK_2, period_end=WEEK_2 + dt.timedelta(days=6)
    )
    assert (week_2.attended_minutes, week_2.amount) == (375, D("78.13"))  # 6 h 15 × 12,50 = 78,125

    name, content = svc.invoice_bundle(week_2)
    assert name.endswith("2026-10-05.zip")
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert sorted(archive.namelist()) == [
        "certificats-realisation/arnaud-ines.pdf",
        "certificats-realisation/benali-bilal.pdf",
        "emargement/2026-10-05.pdf",
    ]
    bilal = pdf_text(archive.read("certificats-realisation/benali-bilal.pdf"))
    assert "Bilal BENALI" in bilal and "2\u00a0h\u00a045" in bilal and "05/10/2026" in bilal
    sheet = pdf_text(archive.read("emargement/2026-10-05.pdf"))
    assert "Semaine du 05/10/2026" in sheet and "Retard 45" in sheet

    archive = zipfile.ZipFile(io.BytesIO(svc.invoice_bundle(week_1)[1]))
    assert sorted(archive.namelist()) == [
        "certificats-realisation/arnaud-ines.pdf",
        "certificats-realisation/benali-bilal.pdf",
        "certificats-realisation/caron-chloe.pdf",
        "emargement/2026-09-28.pdf",
    ]
    ines = pdf_text(archive.read("certificats-realisation/arnaud-ines.pdf"))
    assert "10\u00a0h\u00a010" in ines  # 210 + 190 + 210 minutes


def test_invoice_periods_are_checked(cast, course, today):
    funding = _funding(cast, course)
    svc.opco_invoice_create(
        funding=funding, by=cast.staff, period_start=WEEK_1, period_end=WEEK_1 + dt.timedelta(days=6)
    )
    cases = [
        ((WEEK_1 + dt.timedelta(days=1), WEEK_2), "chevauche la facture"),
        ((WEEK_3, WEEK_3 + dt.timedelta(days=6)), "ne sont pas encore signées"),
        ((dt.date(2026, 9, 1), dt.date(2026, 9, 10)), "tient dans la promotion"),
        ((dt.date(2026, 9, 7), dt.date(2026, 9, 13)), "rien à facturer"),
        ((dt.date(2026, 11, 9), dt.date(2026, 11, 20)), "déjà faites"),
        ((WEEK_2, WEEK_1), "doit suivre son début"),
    ]
    for (start, end), message in cases:
        with pytest.raises(ValidationError, match=message):
            svc.opco_invoice_create(funding=funding, by=cast.staff, period_start=start, period_end=end)
    with pytest.raises(PermissionDenied):
        svc.opco_invoice_create(funding=funding, by=cast.trainer_a, period_start=WEEK_2, period_end=WEEK_2)
    assert OpcoInvoice.objects.count() == 1


def test_invoices_are_capped_by_the_hours_agreed(cast, course, today):
    funding = _funding(cast, course, hours="25")
    first = svc.opco_invoice_create(
        funding=funding, by=cast.staff, period_start=WEEK_1, period_end=WEEK_1 + dt.timedelta(days=6)
    )
    assert first.amount == D("302.08")
    second = svc.opco_invoice_create(
        funding=funding, by=cast.staff, period_start=WEEK_2, period_end=WEEK_2 + dt.timedelta(days=6)
    )
    # 25 h agreed − 24 h 10 billed = 50 min left: 0,8333… h × 12,50 €.
    assert (second.attended_minutes, second.amount) == (50, D("10.42"))
    with pytest.raises(ValidationError, match="déjà facturées"):
        svc.opco_invoice_create(
            funding=funding,
            by=cast.staff,
            period_start=dt.date(2026, 10, 13),
            period_end=dt.date(2026, 10, 13),
        )


def test_invoice_workflow_and_rejection_reason(cast, course, today):
    funding = _funding(cast, course)
    invoice = svc.opco_invoice_create(
        funding=funding, by=cast.staff, period_start=WEEK_1, period_end=WEEK_1 + dt.timedelta(days=6)
    )
    with pytest.raises(ValidationError, match="ne peut pas passer"):
        svc.opco_invoice_transition(invoice=invoice, by=cast.staff, to=InvoiceStatus.PAID)
    with pytest.raises(ValidationError, match="numéro de facture est obligatoire"):
        svc.opco_invoice_transition(invoice=invoice, by=cast.staff, to=InvoiceStatus.ISSUED)
    svc.opco_invoice_transition(invoice=invoice, by=cast.staff, to=InvoiceStatus.ISSUED, number="F-2026-014")
    with pytest.raises(ValidationError, match="motif du rejet est obligatoire"):
        svc.opco_invoice_transition(invoice=invoice, by=cast.staff, to=InvoiceStatus.REJECTED, reason="  ")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED and invoice.issued_on == today
    svc.opco_invoice_transition(
        invoice=invoice, by=cast.staff, to=InvoiceStatus.REJECTED, reason="Feuille du 29/09 illisible"
    )
    # A rejected invoice frees its period for a corrected one.
    again = svc.opco_invoice_create(
        funding=funding, by=cast.staff, period_start=WEEK_1, period_end=WEEK_1 + dt.timedelta(days=6)
    )
    svc.opco_invoice_transition(invoice=again, by=cast.staff, to=InvoiceStatus.ISSUED, number="F-2026-015")
    svc.opco_invoice_transition(invoice=again, by=cast.staff, to=InvoiceStatus.PAID)
    assert OpcoInvoice.objects.get(pk=again.pk).paid_on == today


def test_opco_funding_input(cast, course, orgs):
    with pytest.raises(ValidationError, match="OPCO partenaire"):
        svc.opco_funding_create(
            cohort=course.cohort,
            by=cast.staff,
            opco=orgs.foundation,
            scheme="poec",
            hours_agreed="10",
            hourly_rate="10",
        )
    with pytest.raises(ValidationError, match="pas un nombre flottant"):
        svc.opco_funding_create(
            cohort=course.cohort,
            by=cast.staff,
            opco=orgs.opco,
            scheme="poec",
            hours_agreed="10",
            hourly_rate=12.5,
        )
    with pytest.raises(ValidationError, match="ne peut pas être négatif"):
        svc.opco_funding_create(
            cohort=course.cohort,
            by=cast.staff,
            opco=orgs.opco,
            scheme="poec",
            hours_agreed="10",
            hourly_rate="-1",
        )
    _funding(cast, course)
    with pytest.raises(ValidationError, match="déjà son financement"):
        _funding(cast, course)


# --- budgets ------------------------------------------------------------------------------------


def test_one_budget_per_school_and_year(cast):
    budget = svc.budget_create(
        school=cast.school_a, year=2026, by=cast.manager_a, planned={"salaires": "90000"}
    )
    assert {line.category: line.planned for line in budget.lines.all()}["salaires"] == D("90000.00")
    assert budget.lines.count() == 6
    with pytest.raises(ValidationError, match="a déjà un budget pour 2026"):
        svc.budget_create(school=cast.school_a, year=2026, by=cast.staff)
    with pytest.raises(ValidationError, match="négatif"):
        svc.budget_create(school=cast.school_a, year=2027, by=cast.staff, planned={"salaires": "-1"})
    with pytest.raises(ValidationError, match="entre 2000 et 2100"):
        svc.budget_create(school=cast.school_a, year=1999, by=cast.staff)
    with pytest.raises(PermissionDenied):
        svc.budget_create(school=cast.school_a, year=2027, by=cast.trainer_a)
    assert Budget.objects.count() == 1 and BudgetLine.objects.count() == 6
    svc.budget_create(school=cast.school_b, year=2026, by=cast.staff)


CSV_OK = "Poste;Prévu;Réalisé\nSalaires;90 000,00;91 250,50\nPlateau technique;12000;11 800\nConsommables;4 000;\nFrais de structure;8000,00;7950\n"


@pytest.mark.parametrize(
    "content",
    [
        CSV_OK.encode("utf-8"),
        b"\xef\xbb\xbf" + CSV_OK.encode("utf-8"),
        CSV_OK.replace("\n", "\r\n").encode("cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "cp1252"],
)
def test_budget_csv_import(cast, content):
    budget = svc.budget_create(school=cast.school_a, year=2026, by=cast.staff)
    assert svc.budget_import_csv(budget=budget, by=cast.manager_a, content=content) == 4
    lines = {line.category: line for line in budget.lines.all()}
    assert (lines["salaires"].planned, lines["salaires"].actual) == (D("90000.00"), D("91250.50"))
    assert lines["salaires"].variance == D("1250.50")
    assert lines["plateau_technique"].variance == D("-200.00")
    assert lines["consommables"].actual is None and lines["consommables"].variance is None
    assert lines["frais_de_stage"].planned == D("0.00")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Poste;Réalisé\nSalaires;1000\nLoyer;200\n", "Ligne 3 : poste « Loyer » inconnu"),
        ("Poste;Réalisé\nSalaires;1000\nConsommables;12,3,4\n", "Ligne 3 : montant « 12,3,4 » illisible"),
        ("Poste;Réalisé\nSalaires;-1000\n", "Ligne 2 : montant « -1000 » négatif"),
        ("Poste;Réalisé\nSalaires;1000;3\n", "Ligne 2 : 2 colonnes attendues"),
        (
            "Poste;Réalisé\nSalaires;1000\n\nsalaires;3\n",
            "Ligne 4 : le poste « Salaires » figure déjà ligne 2",
        ),
        ("Poste,Réalisé\nSalaires,1000\n", "Ligne 1 : l'en-tête doit nommer"),
        ("Poste;Réalisé\nSalaires;10,555\n", "deux décimales au plus"),
        ("", "vide"),
    ],
)
def test_a_malformed_csv_names_its_line_and_imports_nothing(cast, content, message):
    budget = svc.budget_create(school=cast.school_a, year=2026, by=cast.staff, planned={"salaires": "5"})
    with pytest.raises(ValidationError, match=message):
        svc.budget_import_csv(budget=budget, by=cast.staff, content=content.encode("utf-8"))
    assert set(BudgetLine.objects.values_list("actual", flat=True)) == {None}
    assert BudgetLine.objects.get(category=BudgetCategory.SALARIES).planned == D("5.00")
    assert not AuditEvent.objects.filter(action="budget.import").exists()


def test_budget_lines_update_checks_every_amount_first(cast):
    budget = svc.budget_create(school=cast.school_a, year=2026, by=cast.staff)
    with pytest.raises(ValidationError, match="Le réalisé « Consommables » ne peut pas être négatif"):
        svc.budget_lines_update(
            budget=budget,
            by=cast.staff,
            values={"salaires": {"actual": "100"}, "consommables": {"actual": "-5"}},
        )
    assert set(BudgetLine.objects.values_list("actual", flat=True)) == {None}


# --- every workflow pair by pair: the expected moves written here, not read from the enums -----

GRANT_MOVES = {
    (GrantStatus.REQUESTED, GrantStatus.GRANTED),
    (GrantStatus.REQUESTED, GrantStatus.REFUSED),
    (GrantStatus.GRANTED, GrantStatus.REQUESTED),  # a decision entered by mistake
    (GrantStatus.REFUSED, GrantStatus.REQUESTED),
}
INVOICE_MOVES = {
    (InvoiceStatus.TO_ISSUE, InvoiceStatus.ISSUED),
    (InvoiceStatus.ISSUED, InvoiceStatus.PAID),
    (InvoiceStatus.ISSUED, InvoiceStatus.REJECTED),
}


@pytest.mark.parametrize(
    ("source", "target"), list(itertools.product(GrantStatus.values, GrantStatus.values))
)
def test_grant_moves_pair_by_pair(cast, orgs, source, target):
    """« versée » is reached by recording payments, never by hand; a paid grant does not move."""
    grant = _grant(cast, orgs)
    decided = source in {GrantStatus.GRANTED, GrantStatus.PAID, GrantStatus.REFUSED}
    Grant.objects.filter(pk=grant.pk).update(
        status=source,
        decided_on=dt.date(2026, 2, 1) if decided else None,
        amount_granted=D("70000") if source in {GrantStatus.GRANTED, GrantStatus.PAID} else None,
    )
    if (source, target) in GRANT_MOVES:
        svc.grant_decide(grant=grant, by=cast.staff, to=target)
        assert Grant.objects.get(pk=grant.pk).status == target
    else:
        with pytest.raises(ValidationError):
            svc.grant_decide(grant=grant, by=cast.staff, to=target)
        assert Grant.objects.get(pk=grant.pk).status == source


@pytest.mark.parametrize(
    ("source", "target"), list(itertools.product(InvoiceStatus.values, InvoiceStatus.values))
)
def test_invoice_moves_pair_by_pair(cast, course, today, source, target):
    invoice = svc.opco_invoice_create(
        funding=_funding(cast, course),
        by=cast.staff,
        period_start=WEEK_1,
        period_end=WEEK_1 + dt.timedelta(days=6),
    )
    OpcoInvoice.objects.filter(pk=invoice.pk).update(
        status=source,
        number="" if source == InvoiceStatus.TO_ISSUE else "F-2026-001",
        issued_on=None if source == InvoiceStatus.TO_ISSUE else today,
        paid_on=today if source == InvoiceStatus.PAID else None,
        rejection_reason="Refusée." if source == InvoiceStatus.REJECTED else "",
    )
    move = {"invoice": invoice, "by": cast.staff, "to": target, "number": "F-2026-002", "reason": "Doublon."}
    if (source, target) in INVOICE_MOVES:
        svc.opco_invoice_transition(**move)
        assert OpcoInvoice.objects.get(pk=invoice.pk).status == target
    else:
        with pytest.raises(ValidationError):
            svc.opco_invoice_transition(**move)
        assert OpcoInvoice.objects.get(pk=invoice.pk).status == source
