"""The alert pages: the list with its rules explained, one alert, the acknowledgement (htmx and a
plain POST), the count in the menu; other schools and outsiders get 404."""

import pytest
from django.urls import reverse

from plombiers.alerts.models import Alert
from plombiers.cohorts.enums import CohortStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.tests import access

from .factories import alert_make

HTMX = {"HTTP_HX_REQUEST": "true"}
NOTE = "Appel à Inès : souci de transport, rendez-vous pris avec la mission locale pour l'aide au permis."


def listed(response) -> list[int]:
    return [alert.pk for alert in response.context["page"].object_list]


@pytest.mark.parametrize("role", ["trainer_a", "social_worker_a", "manager_a"])
def test_the_school_team_lists_its_alerts_open_first_with_the_rules_explained(client, cast, setting, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("alerts:alert_list"))
    assert response.status_code == 200
    assert listed(response) == [setting.chloe.pk, setting.ines.pk, setting.bilal.pk]
    page = response.content.decode()
    assert "Roubaix" not in page
    assert "2 absences non justifiées ou plus sur les 5 dernières demi-journées notées" in page
    assert "3 retards ou plus sur les 7 derniers jours." in page
    assert "repéré depuis 21 jours ou plus" in page
    assert reverse("cohorts:cohort_detail", args=[setting.autumn.pk]) in page


def test_network_staff_see_every_school(client, cast, setting):
    client.force_login(cast.staff)
    response = client.get(reverse("alerts:alert_list"))
    assert set(listed(response)) == {setting.ines.pk, setting.bilal.pk, setting.chloe.pk, setting.yanis.pk}


def test_a_rule_switched_off_is_said_on_the_list(client, cast, setting, settings):
    settings.PLOMBIERS_ALERT_RULES = {"retards": {"enabled": False}}
    client.force_login(cast.trainer_a)
    page = client.get(reverse("alerts:alert_list")).content.decode()
    assert "<strong>Retards répétés</strong> : règle désactivée par le réseau." in page


def test_the_list_filters_by_cohort_and_status(client, cast, setting):
    client.force_login(cast.social_worker_a)
    url = reverse("alerts:alert_list")
    assert listed(client.get(url, {"cohort": setting.autumn.pk})) == [setting.ines.pk, setting.bilal.pk]
    assert listed(client.get(url, {"status": "open"})) == [setting.chloe.pk, setting.ines.pk]
    assert listed(client.get(url, {"status": "acknowledged"})) == [setting.bilal.pk]
    both = client.get(url, {"cohort": setting.autumn.pk, "status": "open"})
    assert listed(both) == [setting.ines.pk]
    # htmx gets the table alone, the same rows as a reload.
    fragment = client.get(url, {"cohort": setting.autumn.pk, "status": "open"}, **HTMX)
    assert listed(fragment) == [setting.ines.pk]
    assert "<h1" not in fragment.content.decode()
    assert "<table" in fragment.content.decode()
    # A cohort of another school is not a choice: a French error, never a 500.
    other = client.get(url, {"cohort": Alert.objects.get(pk=setting.yanis.pk).enrolment.cohort_id})
    assert other.status_code == 200
    assert "Sélectionnez un choix valide" in other.content.decode()
    assert setting.yanis.pk not in listed(other)
    assert client.get(url, {"cohort": "x" * 30, "status": "inconnu"}).status_code == 200


def test_the_list_query_count_is_pinned(client, cast, django_assert_num_queries):
    cohort = CohortFactory(school=cast.school_a, status=CohortStatus.ONGOING)
    for i in range(30):
        alert_make(EnrolmentFactory(cohort=cohort, learner=LearnerFactory(last_name=f"Jeune{i}")))
    client.force_login(cast.trainer_a)
    # session, user, memberships, the cohorts of the filter, count, the page of alerts (learner, cohort,
    # acknowledged by)
    with django_assert_num_queries(6):
        response = client.get(reverse("alerts:alert_list"))
    assert len(response.context["page"].object_list) == 25
    # and the chosen cohort, checked
    with django_assert_num_queries(7):
        client.get(reverse("alerts:alert_list"), {"cohort": cohort.pk, "status": "open", "page": 2})


@pytest.mark.parametrize("role", [role for role in access.ROLES if role not in access.SCHOOL_SIDE])
def test_nobody_outside_the_team_has_an_alert_page(client, cast, setting, role):
    client.force_login(getattr(cast, role))
    if role in access.NETWORK_STAFF:  # another network's staff: their own network's list, empty
        response = client.get(reverse("alerts:alert_list"))
        assert response.status_code == 200 and not list(response.context["page"].object_list)
    else:
        assert client.get(reverse("alerts:alert_list")).status_code == 404
        assert client.get(reverse("alerts:alert_badge")).status_code == 404
    assert client.get(reverse("alerts:alert_detail", args=[setting.ines.pk])).status_code == 404


# An alert of school A: its team and the network staff, nobody else.
@pytest.mark.parametrize(
    ("role", "status"),
    [(role, 200 if role in access.on_a(access.SCHOOL_TEAM) else 404) for role in access.ROLES],
)
def test_who_sees_and_acknowledges_an_alert(client, cast, setting, role, status):
    client.force_login(getattr(cast, role))
    alert = setting.ines
    detail = client.get(reverse("alerts:alert_detail", args=[alert.pk]))
    assert detail.status_code == status
    if status == 200:
        page = detail.content.decode()
        assert alert.reason in page
        assert reverse("support:learner_support", args=[alert.enrolment.learner_id]) in page
        assert reverse("cohorts:cohort_detail", args=[alert.enrolment.cohort_id]) in page
    ack = client.post(reverse("alerts:alert_acknowledge", args=[alert.pk]), {"note": NOTE})
    assert ack.status_code == (302 if status == 200 else 404)
    alert.refresh_from_db()
    assert alert.is_open == (status == 404)


def test_the_detail_query_count_is_pinned(client, cast, setting, django_assert_num_queries):
    client.force_login(cast.social_worker_a)
    # session, user, memberships, the alert (learner, cohort, acknowledged by)
    with django_assert_num_queries(4):
        assert client.get(reverse("alerts:alert_detail", args=[setting.ines.pk])).status_code == 200


def test_a_social_worker_acknowledges_with_a_plain_post(client, cast, setting):
    client.force_login(cast.social_worker_a)
    url = reverse("alerts:alert_acknowledge", args=[setting.ines.pk])
    response = client.post(url, {"note": NOTE}, follow=True)
    assert response.redirect_chain == [(reverse("alerts:alert_detail", args=[setting.ines.pk]), 302)]
    page = response.content.decode()
    assert "Alerte prise en compte." in page
    assert "souci de transport" in page
    alert = Alert.objects.get(pk=setting.ines.pk)
    assert (alert.acknowledged_by, alert.note) == (cast.social_worker_a, NOTE)
    event = AuditEvent.objects.get(action="alerts.alert.acknowledge")
    assert (event.actor, event.school, event.object_id) == (
        cast.social_worker_a,
        cast.school_a,
        str(alert.pk),
    )
    assert NOTE not in str(event.details)
    # Twice: a French error, the first note kept.
    again = client.post(url, {"note": "Autre note"})
    assert again.status_code == 400
    assert "a déjà été prise en compte le" in again.content.decode()
    assert Alert.objects.get(pk=alert.pk).note == NOTE


@pytest.mark.parametrize("note", ["", "   ", "x" * 2001])
def test_a_note_is_required_and_bounded(client, cast, setting, note):
    client.force_login(cast.trainer_a)
    response = client.post(reverse("alerts:alert_acknowledge", args=[setting.ines.pk]), {"note": note})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Écrivez une note" in page or "2000 caractères" in page
    assert Alert.objects.get(pk=setting.ines.pk).is_open
    assert not AuditEvent.objects.exists()


def test_the_htmx_acknowledgement_swaps_the_same_block_as_a_reload(client, cast, setting):
    client.force_login(cast.trainer_a)
    url = reverse("alerts:alert_acknowledge", args=[setting.ines.pk])
    error = client.post(url, {"note": ""}, **HTMX)
    assert error.status_code == 200
    assert error.content.decode().lstrip().startswith('<section id="prise-en-compte"')
    assert "Écrivez une note" in error.content.decode()
    done = client.post(url, {"note": NOTE}, **HTMX)
    assert done.status_code == 200
    fragment = done.content.decode()
    assert 'role="status">Alerte prise en compte.' in fragment
    assert done["HX-Trigger"] == "alerts-changed"
    reload = client.get(reverse("alerts:alert_detail", args=[setting.ines.pk])).content.decode()
    for text in ("Prise en compte le", "souci de transport", "<blockquote"):
        assert text in fragment and text in reload
    assert "<form" not in reload.split('id="prise-en-compte"')[1]


def test_the_menu_counts_the_open_alerts_of_one_s_schools(client, cast, setting, django_assert_num_queries):
    client.force_login(cast.trainer_a)
    home = client.get(reverse("home")).content.decode()
    assert f'hx-get="{reverse("alerts:alert_badge")}"' in home
    # session, user, memberships, the count
    with django_assert_num_queries(4):
        badge = client.get(reverse("alerts:alert_badge"), **HTMX)
    assert (
        '<span class="badge rounded-pill text-bg-warning ms-1">2<span class="visually-hidden"> à traiter</span></span>'
        in badge.content.decode()
    )
    client.force_login(cast.staff)
    assert ">3<" in client.get(reverse("alerts:alert_badge"), **HTMX).content.decode()
    Alert.objects.open().delete()
    assert "badge" not in client.get(reverse("alerts:alert_badge"), **HTMX).content.decode()
    client.force_login(cast.learner_a)
    assert reverse("alerts:alert_badge") not in client.get(reverse("home")).content.decode()
