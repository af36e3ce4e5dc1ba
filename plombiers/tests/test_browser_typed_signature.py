"""A signature without drawing (issue 21), in a real browser, with the keyboard alone: a learner who
cannot draw signs on her phone (390 × 844) by typing her name and ticking the confirmation — Tab,
the arrow keys of the radio group, Space, Enter and typing; no mouse, no finger, no pad. axe-core
clean, focus always visible, no console error."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from plombiers.cohorts import attendance as svc
from plombiers.cohorts.enums import SignatureMethod, SignatureMode
from plombiers.cohorts.models import Attendance, TrainingSession
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import assert_accessible
from plombiers.referrals.tests.factories import LearnerFactory

PHONE = {"width": 390, "height": 844, "has_touch": True, "is_mobile": True}
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    name: element.getAttribute("name") || "",
    type: element.getAttribute("type") || element.tagName.toLowerCase(),
    text: (element.innerText || "").trim(),
    visible: style.outlineStyle !== "none" || style.boxShadow !== "none",
  };
}"""


def tab_to(page, name: str, *, type_: str = "", text: str = "", limit: int = 40) -> None:
    """Tab (forward only) until the element named `name` has the focus, which must show at each stop
    that is a form control."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["name"] == name and (not type_ or focused["type"] == type_) and text in focused["text"]:
            assert focused["visible"], f"focus not visible on {name}"
            return
    raise AssertionError(f"{name} never got the focus with Tab")


def test_a_learner_signs_on_her_phone_with_the_keyboard_alone(new_page, cast):
    today = timezone.localdate()
    cohort = CohortFactory(
        school=cast.school_a, start_date=today - dt.timedelta(days=14), end_date=today + dt.timedelta(days=60)
    )
    ines = EnrolmentFactory(
        cohort=cohort, learner=LearnerFactory(first_name="Inès", last_name="Arnaud", user=cast.learner_a)
    )
    session = TrainingSession.objects.create(
        cohort=cohort,
        date=today,
        period="matin",
        # Started whatever the time the test runs (a sheet is not signed before its half-day starts).
        start_time=dt.time(0, 0),
        end_time=dt.time(23, 59),
        duration_minutes=1439,
    )
    code = svc.signing_code_issue(session=session, by=cast.trainer_a).signing_code

    page = new_page(**PHONE)
    # A generous wait (not an assertion on time): the machine the suite runs on is shared.
    page.set_default_timeout(60_000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/emargement/?code={code}")
    # The login, typed: e-mail, password, Enter.
    page.get_by_label("Adresse e-mail").fill(cast.learner_a.email)
    page.get_by_label("Mot de passe").fill("demo-plombiers")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signer la feuille d'émargement")
    expect(page.get_by_label("Code affiché par votre formateur·rice")).to_have_value(code)

    # Tab to the choice, take « Signer sans dessiner » with the arrow key: the pad goes away.
    tab_to(page, "code")
    tab_to(page, "mode")
    expect(page.get_by_label("Signer en dessinant")).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Signer sans dessiner (saisir mon nom)")).to_be_checked()
    expect(page.locator("canvas")).to_be_hidden()
    assert_accessible(page, "signature-sans-trace")
    # The name typed, the box forgotten, Enter: a French error tied to the box, nothing signed.
    tab_to(page, "typed_name")
    page.keyboard.type("ines ARNAUD")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("rien n'a été enregistré")
    box = page.get_by_label("Je confirme signer la feuille d'émargement de cette demi-journée.")
    expect(box).to_have_attribute("aria-describedby", "id_confirmed_error")
    expect(page.locator("#id_confirmed_error")).to_contain_text("Cochez la case « Je confirme signer… »")
    expect(page.get_by_label("Votre nom complet (prénom et nom)")).to_have_value("ines ARNAUD")
    expect(page.locator("canvas")).to_be_hidden()
    assert_accessible(page, "signature-sans-trace-erreur")
    assert not Attendance.objects.filter(enrolment=ines).exists()

    # The box ticked with Space, the form sent from the « Signer » button with Enter.
    tab_to(page, "confirmed")
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    tab_to(page, "", type_="submit", text="Signer")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Merci, votre signature est enregistrée.")
    expect(page.get_by_text('Signé sans tracé : nom saisi "ines ARNAUD" le')).to_be_visible()
    assert_accessible(page, "signature-sans-trace-signee")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    signature = Attendance.objects.get(enrolment=ines).signature
    assert signature.mode == SignatureMode.TYPED and signature.method == SignatureMethod.PHONE
    assert signature.typed_name == "ines ARNAUD" and signature.svg == ""
    assert errors == []
