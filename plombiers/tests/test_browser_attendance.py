"""Émargement in a real browser: the trainer keeps the sheet on a tablet with touch, learners sign on
the tablet and on their own phone with the code, the trainer signs last, the sheet locks, and an
amendment is traced. axe-core on every page visited, at tablet and phone sizes."""

import datetime as dt
import itertools
import re

from django.utils import timezone
from playwright.sync_api import expect

from plombiers.cohorts.enums import AttendanceStatus, SignatureMethod
from plombiers.cohorts.models import Attendance, AttendanceAmendment, TrainingSession
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import assert_accessible, login
from plombiers.lib.text import de
from plombiers.referrals.tests.factories import LearnerFactory

TABLET = {"width": 820, "height": 1180, "has_touch": True}
PHONE = {"width": 390, "height": 844, "has_touch": True, "is_mobile": True}
# A signature as fractions of the pad: a loop and a line.
SCRIBBLE = [(0.1, 0.6), (0.2, 0.3), (0.3, 0.7), (0.45, 0.25), (0.6, 0.65), (0.75, 0.35), (0.9, 0.5)]


def draw_with_mouse(page, canvas):
    box = canvas.bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + box["width"] * SCRIBBLE[0][0], y + box["height"] * SCRIBBLE[0][1])
    page.mouse.down()
    for fx, fy in SCRIBBLE[1:]:
        page.mouse.move(x + box["width"] * fx, y + box["height"] * fy, steps=5)
    page.mouse.up()


def draw_with_finger(page, canvas):
    """Touch events straight from the browser's input layer: what a finger on the glass sends."""
    box = canvas.bounding_box()
    cdp = page.context.new_cdp_session(page)
    points = [(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy) for fx, fy in SCRIBBLE]
    cdp.send(
        "Input.dispatchTouchEvent",
        {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]},
    )
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        for step in range(1, 6):
            x, y = x0 + (x1 - x0) * step / 5, y0 + (y1 - y0) * step / 5
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    # The finger rests a moment before it lifts: no fling, which would swallow the next tap.
    last = {"x": points[-1][0], "y": points[-1][1]}
    for _ in range(3):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [last]})
        page.wait_for_timeout(40)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_half_day_sheet_marked_signed_on_tablet_and_phone_locked_and_amended(new_page, cast):
    today = timezone.localdate()
    cohort = CohortFactory(
        school=cast.school_a,
        name="Promotion fibre",
        start_date=today - dt.timedelta(days=14),
        end_date=today + dt.timedelta(days=60),
    )
    cohort.trainers.add(cast.trainer_a)
    learners = {
        "Inès": LearnerFactory(first_name="Inès", last_name="Arnaud", user=cast.learner_a),
        "Bilal": LearnerFactory(first_name="Bilal", last_name="Benali"),
        "Chloé": LearnerFactory(first_name="Chloé", last_name="Caron"),
        "David": LearnerFactory(first_name="David", last_name="Diallo"),
    }
    enrolments = {
        name: EnrolmentFactory(cohort=cohort, learner=learner) for name, learner in learners.items()
    }
    session = TrainingSession.objects.create(
        cohort=cohort,
        date=today,
        period="matin",
        # Started whatever the time the test runs (a sheet is not signed before its half-day starts).
        start_time=dt.time(0, 0),
        end_time=dt.time(12, 30),
        duration_minutes=210,
        trainer=cast.trainer_a,
    )

    # The trainer's tablet: today's half-days, then the sheet.
    tablet = new_page(**TABLET)
    login(tablet, cast.trainer_a.email)
    tablet.get_by_role("link", name="Émargement", exact=True).tap()
    expect(tablet.get_by_role("heading", level=1)).to_contain_text("Émargement du")
    assert tablet.evaluate("document.documentElement.scrollWidth") <= TABLET["width"], "the menu fits"
    assert_accessible(tablet, "emargement-aujourdhui-tablette")
    tablet.get_by_role("link", name=re.compile("Promotion fibre — matin")).tap()
    expect(tablet.get_by_role("heading", level=1)).to_contain_text("Feuille d'émargement")
    assert_accessible(tablet, "feuille-tablette")

    # Everybody present in one tap; David absent, Bilal 15 minutes late.
    tablet.get_by_role("button", name="Tous présents").tap()
    expect(tablet.locator("#feuille [role=status]")).to_have_text("Enregistré — 4 jeunes notés présent·es.")
    row = {name: tablet.locator(f"#ligne-{e.pk}") for name, e in enrolments.items()}
    row["David"].get_by_text("Absent·e", exact=True).tap()
    expect(tablet.locator("#feuille [role=status]")).to_have_text("Enregistré — David Diallo : absent·e.")
    expect(row["David"].locator(".sheet-name")).to_contain_text("Absent·e")
    row["Bilal"].get_by_text("Retard", exact=True).tap()
    row["Bilal"].get_by_label("Minutes de retard").fill("15")
    row["Bilal"].get_by_role("button", name="Enregistrer la présence de Bilal Benali").tap()
    expect(row["Bilal"].locator(".sheet-name")).to_contain_text("En retard de 15 min")
    expect(tablet.locator("#resume-feuille")).to_have_text("4/4 présences notées · 0/3 signatures")
    assert_accessible(tablet, "feuille-presences-notees")

    # Bilal signs with a pen (mouse pointer), Chloé with her finger.
    for name, draw in (("Bilal", draw_with_mouse), ("Chloé", draw_with_finger)):
        row[name].get_by_role("button", name=re.compile("^Faire signer")).tap()
        dialog = tablet.get_by_role("dialog")
        expect(dialog).to_contain_text(f"Signature {de(learners[name])}")
        if name == "Bilal":
            assert_accessible(tablet, "feuille-dialogue-signature")
        draw(tablet, dialog.locator("canvas"))
        dialog.get_by_role("button", name="Valider la signature").tap()
        expect(tablet.get_by_role("status").first).to_contain_text(
            f"Signature {de(learners[name])} enregistrée."
        )
    expect(row["Chloé"].locator(".signature-image svg")).to_be_visible()
    assert Attendance.objects.filter(signature__method=SignatureMethod.TABLET).count() == 2

    # The code for the phones, big, with its QR code.
    tablet.get_by_role("button", name="Afficher le code").tap()
    expect(tablet.locator("#code-signature")).to_have_text(re.compile(r"^\d{3} \d{3}$"))
    assert_accessible(tablet, "feuille-code")
    code = tablet.locator("#code-signature").inner_text().replace(" ", "")
    session.refresh_from_db()
    assert code == session.signing_code
    code_url = tablet.locator("#code strong").inner_text()
    assert code_url.endswith(f"/emargement/?code={code}")

    # Inès scans it on her phone: the login page, then back to the page with the code kept.
    phone = new_page(**PHONE)
    phone.goto(code_url)
    phone.get_by_label("Adresse e-mail").fill(cast.learner_a.email)
    phone.get_by_label("Mot de passe").fill("demo-plombiers")
    phone.get_by_role("button", name="Se connecter").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Signer la feuille d'émargement")
    expect(phone.get_by_label("Code affiché par votre formateur·rice")).to_have_value(code)
    assert_accessible(phone, "emargement-telephone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # A mistyped code first: a clear error, nothing signed.
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    phone.get_by_label("Code affiché par votre formateur·rice").fill(wrong)
    draw_with_finger(phone, phone.locator("canvas"))
    phone.get_by_role("button", name="Signer", exact=True).tap()
    expect(phone.get_by_role("alert")).to_contain_text("rien n'a été enregistré")
    expect(phone.get_by_text("Ce code n'est pas le bon")).to_be_visible()
    assert_accessible(phone, "emargement-telephone-erreur")
    assert not Attendance.objects.get(enrolment=enrolments["Inès"]).signature_id
    phone.get_by_label("Code affiché par votre formateur·rice").fill(code)
    draw_with_finger(phone, phone.locator("canvas"))
    phone.get_by_role("button", name="Signer", exact=True).tap()
    expect(phone.get_by_role("status").first).to_contain_text("Merci, votre signature est enregistrée.")
    expect(phone.get_by_text(re.compile("Vous avez signé à"))).to_be_visible()
    assert_accessible(phone, "emargement-telephone-signe")
    assert Attendance.objects.get(enrolment=enrolments["Inès"]).signature.method == SignatureMethod.PHONE

    # The trainer signs last: the sheet locks.
    tablet.reload()
    expect(row["Inès"]).to_contain_text("sur son téléphone")
    expect(tablet.locator("#resume-feuille")).to_have_text("4/4 présences notées · 3/3 signatures")
    draw_with_finger(tablet, tablet.locator("#signature-formateur canvas"))
    tablet.get_by_role("button", name="Signer et verrouiller la feuille").tap()
    expect(tablet.locator("#feuille-signee")).to_contain_text(
        f"Signée par {cast.trainer_a.get_full_name()} le "
    )
    expect(tablet.get_by_role("button", name="Tous présents")).to_have_count(0)
    assert_accessible(tablet, "feuille-signee")
    session.refresh_from_db()
    assert session.is_locked

    # David brings a summons the next day: an amendment with its reason, kept in the history.
    row["David"].get_by_text("Modifier (avec motif)").tap()
    row["David"].get_by_label("Présence").select_option(label="Absence justifiée")
    row["David"].get_by_label("Motif de l'absence (si justifiée)").fill("Convocation à Pôle emploi")
    row["David"].get_by_label("Motif de la modification").fill("Convocation apportée le lendemain")
    assert_accessible(tablet, "feuille-modification")
    row["David"].get_by_role("button", name=re.compile("^Enregistrer la modification")).tap()
    history = tablet.get_by_role("region", name="Modifications après signature")
    expect(history).to_contain_text("David Diallo")
    expect(history).to_contain_text("Absence justifiée — Convocation à Pôle emploi")
    expect(history).to_contain_text("Convocation apportée le lendemain")
    assert_accessible(tablet, "feuille-historique")
    amendment = AttendanceAmendment.objects.get()
    assert amendment.before["status"] == AttendanceStatus.ABSENT
    assert amendment.after["status"] == AttendanceStatus.EXCUSED

    # The calendar and the hours of the cohort, at tablet and phone sizes.
    tablet.goto(f"/promotions/{cohort.pk}/calendrier/")
    expect(tablet.get_by_role("main")).to_contain_text("Signée")
    assert_accessible(tablet, "calendrier-tablette")
    tablet.goto(f"/promotions/{cohort.pk}/")
    hours = tablet.get_by_role("region", name="Heures de formation")
    expect(hours.get_by_role("row", name=re.compile("Bilal Benali"))).to_contain_text("3 h 15")
    assert_accessible(tablet, "promotion-heures")
    phone.goto(f"/promotions/{cohort.pk}/calendrier/")
    expect(phone.get_by_role("main")).to_contain_text("Signée")
    assert_accessible(phone, "calendrier-telephone")
