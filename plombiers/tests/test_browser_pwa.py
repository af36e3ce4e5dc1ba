"""The young person's space offline, in a real browser on a phone (issue 21): the planning and the
attestations read again with the network cut, a staff page not; the copies gone at logout."""

import datetime as dt

import pytest
from django.utils import timezone

from plombiers.cohorts.enums import CohortStatus
from plombiers.cohorts.models import TrainingSession
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import assert_accessible, login
from plombiers.referrals.tests.factories import LearnerFactory

PHONE = {"width": 390, "height": 844, "has_touch": True, "is_mobile": True}


@pytest.fixture
def cohort(cast):
    today = timezone.localdate()
    cohort = CohortFactory(
        school=cast.school_a,
        name="Promotion fibre",
        status=CohortStatus.ONGOING,
        start_date=today - dt.timedelta(days=14),
        end_date=today + dt.timedelta(days=60),
    )
    cohort.trainers.add(cast.trainer_a)
    EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Inès", user=cast.learner_a))
    TrainingSession.objects.create(
        cohort=cohort,
        date=today + dt.timedelta(days=1),
        period="matin",
        start_time=dt.time(9, 0),
        end_time=dt.time(12, 30),
        duration_minutes=210,
    )
    return cohort


# `page.evaluate` with a function: `wait_for_function` with a string would need `eval`, which the
# CSP forbids.
# Each waits for at most 20 s (a bound, not a measure) and says whether the wait was met.
WAIT_FOR_CONTROLLER = """async () => {
    for (let i = 0; i < 400 && !navigator.serviceWorker.controller; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return navigator.serviceWorker.controller !== null;
}"""
WAIT_FOR_EMPTY_CACHES = """async () => {
    for (let i = 0; i < 400 && (await caches.keys()).length; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return (await caches.keys()).length === 0;
}"""


def _cached_paths(page):
    return page.evaluate(
        """async () => {
            const paths = [];
            for (const key of await caches.keys()) {
                const cache = await caches.open(key);
                for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
            }
            return paths;
        }"""
    )


def _controlled(page) -> bool:
    """The worker controls the page. A navigation that started while the worker was still
    activating is not controlled, whatever `clients.claim()` does: as a browser would on the next
    visit, reload once the worker is ready."""
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()
    return page.evaluate(WAIT_FOR_CONTROLLER)


def test_the_planning_and_the_attestations_read_offline_on_a_phone(new_page, cast, cohort):
    page = new_page(**PHONE)
    page.set_default_navigation_timeout(60_000)  # a bound: a cold live server on a busy machine
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    login(page, cast.learner_a.email)
    page.goto("/mon-espace/")
    assert _controlled(page), errors
    planning = f"/promotions/{cohort.pk}/calendrier/"
    page.goto(planning)
    page.wait_for_load_state("networkidle")
    assert_accessible(page, "planning-jeune-en-ligne")
    page.goto("/attestations/")
    page.wait_for_load_state("networkidle")
    assert sorted(p for p in _cached_paths(page) if not p.startswith("/static/")) == [
        "/attestations/",
        planning,
    ]
    assert not errors, errors

    page.context.set_offline(True)
    page.goto(planning)
    assert page.get_by_role("heading", level=1).is_visible()
    assert "Promotion fibre" in page.content()
    assert_accessible(page, "planning-jeune-hors-ligne")
    page.reload()
    assert "Promotion fibre" in page.content()
    page.goto("/attestations/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert not errors, errors
    # Their home, never kept, is not there offline.
    with pytest.raises(Exception, match=r"ERR_INTERNET_DISCONNECTED|ERR_FAILED"):
        page.goto("/mon-espace/")
    page.context.set_offline(False)

    # Logging out empties the copies: nothing of theirs stays on the phone.
    page.goto("/mon-espace/")
    page.get_by_role("button", name="Ouvrir le menu").click()
    page.get_by_role("button", name="Compte de").click()
    logout = page.get_by_role("button", name="Se déconnecter")
    if not logout.is_visible():  # a tap on the account menu while the phone menu was still unfolding
        page.get_by_role("button", name="Compte de").click()
    logout.click()
    page.wait_for_url(lambda url: "/comptes/login/" in url)
    assert page.evaluate(WAIT_FOR_EMPTY_CACHES)
    page.context.set_offline(True)
    with pytest.raises(Exception, match=r"ERR_INTERNET_DISCONNECTED|ERR_FAILED"):
        page.goto(planning)
    page.context.set_offline(False)


def test_a_staff_page_is_not_kept_on_a_shared_phone(new_page, cast, cohort):
    """The worker a young person registered stays on the phone; a trainer's pages are not kept."""
    page = new_page(**PHONE)
    page.set_default_navigation_timeout(60_000)
    login(page, cast.learner_a.email)
    page.goto("/mon-espace/")
    assert _controlled(page)
    page.context.clear_cookies()
    login(page, cast.trainer_a.email)
    planning = f"/promotions/{cohort.pk}/calendrier/"
    page.goto(planning)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert [p for p in _cached_paths(page) if not p.startswith("/static/")] == []
    page.context.set_offline(True)
    with pytest.raises(Exception, match=r"ERR_INTERNET_DISCONNECTED|ERR_FAILED"):
        page.goto(planning)
    page.context.set_offline(False)
