"""A social worker on a tablet sees the alert count in the menu, reads why an alert was raised and
acknowledges it with a note (refused first without one). axe-core reports no violation."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from plombiers.alerts.models import Alert
from plombiers.alerts.services import alerts_compute
from plombiers.cohorts.enums import CohortStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import assert_accessible, login
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.support.enums import BarrierLevel, default_categories_ensure
from plombiers.support.models import Barrier, BarrierCategory

TABLET = {"width": 1024, "height": 768}


def test_social_worker_acknowledges_an_alert(new_page, cast):
    # Transactional tests flush the tables, data migrations included: put the categories back.
    default_categories_ensure(BarrierCategory)
    today = timezone.localdate()
    cohort = CohortFactory(
        school=cast.school_a,
        name="Fibre automne",
        status=CohortStatus.ONGOING,
        start_date=today - dt.timedelta(days=40),
        end_date=today + dt.timedelta(days=60),
    )
    enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Inès", last_name="Benali"))
    Barrier.objects.create(
        learner=enrolment.learner,
        category=BarrierCategory.objects.get(code="logement"),
        level=BarrierLevel.BLOCKING,
        raised_on=today - dt.timedelta(days=23),
        summary="Hébergée chez une amie",
    )
    assert alerts_compute() == 1

    page = new_page(**TABLET, has_touch=True)
    login(page, cast.social_worker_a.email)
    navigation = page.get_by_role("navigation", name="Navigation principale")
    menu = navigation.get_by_role("link", name="Alertes 1 à traiter")
    expect(menu).to_be_visible()
    assert_accessible(page, "alertes-menu")
    menu.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alertes de décrochage")
    expect(page.get_by_text("Frein bloquant « Logement » non levé depuis 23 jours")).to_be_visible()
    assert_accessible(page, "alertes-liste")

    page.get_by_role("link", name="Inès Benali").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerte : Inès Benali")
    expect(page.get_by_role("link", name="Voir l'accompagnement d'Inès")).to_be_visible()
    assert_accessible(page, "alerte-detail")

    # Without a note: refused in French, nothing saved.
    page.get_by_role("button", name="Prendre en compte l'alerte").click()
    expect(page.get_by_role("alert")).to_contain_text("rien n'a été enregistré")
    expect(page.get_by_text("Écrivez une note")).to_be_visible()
    assert Alert.objects.get().is_open
    assert_accessible(page, "alerte-note-manquante")

    page.get_by_label("Note").fill("Entretien fixé jeudi, demande de place au FJT envoyée.")
    page.get_by_role("button", name="Prendre en compte l'alerte").click()
    expect(page.get_by_role("status")).to_have_text("Alerte prise en compte.")
    expect(page.get_by_text("Entretien fixé jeudi, demande de place au FJT envoyée.")).to_be_visible()
    alert = Alert.objects.get()
    assert (alert.acknowledged_by, alert.is_open) == (cast.social_worker_a, False)
    # The menu count follows at once.
    expect(navigation.get_by_role("link", name="Alertes", exact=True)).to_be_visible()
    assert_accessible(page, "alerte-prise-en-compte")

    navigation.get_by_role("link", name="Alertes", exact=True).click()
    expect(page.get_by_role("cell", name="Prise en compte")).to_be_visible()
