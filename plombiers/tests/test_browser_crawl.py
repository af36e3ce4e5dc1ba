"""Every page a role reaches from its home, in a real browser: no console error (the
Content-Security-Policy lets htmx work without its injected styles), and on a phone no page wider
than the screen (issue 21)."""

import datetime as dt
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from plombiers.cohorts import attendance as svc
from plombiers.cohorts.enums import CohortStatus, Period
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import login
from plombiers.referrals.tests.factories import LearnerFactory

PHONE = {"width": 390, "height": 844, "has_touch": True, "is_mobile": True}
TABLET = {"width": 1024, "height": 768}
DESKTOP = {"width": 1280, "height": 900}
PAGES = 12  # a bound per role: the crawl follows links from home, breadth first
SKIP = ("/comptes/logout", "/api/", ".pdf", ".csv", ".xlsx", "format=", "export", "telecharger", "/media/")


@pytest.fixture
def school_day(cast):
    """An ongoing cohort of school A, Inès (the learner account) in it, a half-day today."""
    today = timezone.localdate()
    cohort = CohortFactory(
        school=cast.school_a,
        name="Promotion fibre",
        status=CohortStatus.ONGOING,
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=60),
    )
    cohort.trainers.add(cast.trainer_a)
    EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Inès", user=cast.learner_a))
    EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
    svc.session_create(cohort=cohort, by=cast.trainer_a, date=today, period=Period.MORNING)
    return cohort


def crawl(page, *, width: int | None) -> list[str]:
    """Visit home and the pages its links lead to (same site, no downloads, no logout)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    origin = urlsplit(page.url)._replace(path="", query="", fragment="").geturl()
    queue, seen, visited = deque(["/"]), {"/"}, []
    while queue and len(visited) < PAGES:
        path = queue.popleft()
        page.goto(origin + path)
        page.wait_for_load_state("networkidle")
        visited.append(path)
        if width is not None:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{path} is {scroll} px wide on a {width} px phone"
        for href in page.eval_on_selector_all(
            "main a[href], header a[href]", "els => els.map(e => e.getAttribute('href'))"
        ):
            if not href.startswith("/") or href.startswith("//") or any(s in href for s in SKIP):
                continue
            href = href.split("#")[0]
            if href and href not in seen:
                seen.add(href)
                queue.append(href)
    assert len(visited) >= 2, visited
    return errors


@pytest.mark.parametrize(
    ("role", "size"),
    [
        ("learner_a", PHONE),
        ("prescriber", PHONE),
        ("trainer_a", TABLET),
        ("manager_a", DESKTOP),
        ("funder", DESKTOP),
    ],
)
def test_every_page_of_the_crawl_is_without_console_errors_and_fits_a_phone(
    new_page, cast, school_day, role, size
):
    page = new_page(**size)
    page.goto("/comptes/login/", timeout=60_000)  # the live server's first answer can be slow
    login(page, getattr(cast, role).email)
    errors = crawl(page, width=size["width"] if size is PHONE else None)
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("role", ["learner_a", "manager_a"])
def test_the_cohort_page_fits_a_phone(new_page, cast, school_day, role):
    page = new_page(**PHONE)
    page.goto("/comptes/login/", timeout=60_000)
    login(page, getattr(cast, role).email)
    page.goto(school_day.get_absolute_url())
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).first.is_visible()
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= PHONE["width"], f"the cohort page is {scroll} px wide"


def test_the_tutors_signed_links_and_the_prescribers_follow_up_fit_a_phone(new_page, cast, school_day):
    """At phone size: the tutor's evaluation and satisfaction survey (signed links, no account), and
    the prescriber's follow-up of their referral with the pages it links to — no console error,
    axe-clean, nothing wider than the screen."""
    from django.core import signing

    from plombiers.conftest import assert_accessible
    from plombiers.internships.enums import InternshipStatus
    from plombiers.internships.models import TutorEvaluation
    from plombiers.internships.services import EVALUATION_SALT
    from plombiers.internships.tests.factories import CompanySiteFactory, ContactFactory, InternshipFactory
    from plombiers.referrals.tests.factories import referred_by
    from plombiers.surveys.enums import Audience
    from plombiers.surveys.tests.factories import SurveyInvitationFactory

    today = timezone.localdate()
    enrolment = school_day.enrolments.get(learner__user=cast.learner_a)
    referral = referred_by(cast.prescriber, enrolment.learner, cast.school_a)
    tutor = ContactFactory(organisation=cast.company_a, full_name="Marc Tuteur", email="marc@fibre-a.example")
    internship = InternshipFactory(
        enrolment=enrolment,
        site=CompanySiteFactory(company=cast.company_a, commune=cast.school_a.commune),
        tutor=tutor,
        status=InternshipStatus.ONGOING,
        start_date=today - dt.timedelta(days=7),
        end_date=today + dt.timedelta(days=4),
    )
    evaluation = TutorEvaluation.objects.create(
        internship=internship, nonce="0" * 32, expires_at=timezone.now() + dt.timedelta(days=14)
    )
    survey = SurveyInvitationFactory(
        enrolment=None,
        cohort=school_day,
        audience=Audience.TUTOR,
        addressee="Marc",
        respondent_name="Marc Tuteur",
        email=tutor.email,
    )
    errors: list[str] = []

    def check(page, url: str, name: str) -> None:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.get_by_role("heading", level=1).first.is_visible(), url
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= PHONE["width"], f"{url} is {scroll} px wide on a phone"
        assert_accessible(page, name)

    tutor_phone = new_page(**PHONE)
    tutor_phone.on(
        "console", lambda m: errors.append(f"{tutor_phone.url}: {m.text}") if m.type == "error" else None
    )
    tutor_phone.on("pageerror", lambda e: errors.append(f"{tutor_phone.url}: {e}"))
    tutor_phone.set_default_navigation_timeout(60_000)  # the live server's first answer can be slow
    token = signing.dumps({"s": evaluation.pk, "n": evaluation.nonce}, salt=EVALUATION_SALT)
    check(tutor_phone, f"/evaluation/{token}/", "lien-tuteur-evaluation-telephone")
    check(tutor_phone, survey.get_answer_url(), "lien-tuteur-enquete-telephone")

    prescriber = new_page(**PHONE)
    prescriber.on(
        "console", lambda m: errors.append(f"{prescriber.url}: {m.text}") if m.type == "error" else None
    )
    prescriber.on("pageerror", lambda e: errors.append(f"{prescriber.url}: {e}"))
    prescriber.set_default_navigation_timeout(60_000)
    login(prescriber, cast.prescriber.email)
    detail = referral.get_absolute_url()
    check(prescriber, detail, "suivi-prescripteur-telephone")
    links = [
        href.split("#")[0]
        for href in prescriber.eval_on_selector_all(
            "main a[href]", "els => els.map(e => e.getAttribute('href'))"
        )
        if href.startswith("/") and not href.startswith("//") and not any(s in href for s in SKIP)
    ]
    followed = [href for href in dict.fromkeys(links) if href and href != detail][:4]
    assert followed, "the follow-up page leads nowhere"
    for i, href in enumerate(followed):
        check(prescriber, href, f"suivi-prescripteur-lien-{i}")
    assert not errors, "\n".join(errors)
