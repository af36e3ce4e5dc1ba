"""The public catalogue: what it lists (filters, places left), the two doors, and the young
person's application with its protections against spam."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from plombiers.accounts.services import api_token_create
from plombiers.catalogue import services
from plombiers.catalogue.selectors import distance_km
from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.network.enums import SchoolStatus
from plombiers.network.tests.factories import SchoolFactory
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.enums import ReferralSource
from plombiers.referrals.models import InformationSession, Learner, Referral, identity_key
from plombiers.referrals.tests.factories import LearnerFactory

NOW = "2026-06-01 10:00+02:00"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sessions(cast, frozen):
    """Chelles (fibre, Île-de-France) and Roubaix (data centre, Hauts-de-France) each plan a
    cohort in September; Chelles also has a finished one and one under way."""
    a = CohortFactory(school=cast.school_a, name="Fibre septembre", capacity=8)
    b = CohortFactory(school=cast.school_b, name="Data center septembre", capacity=12)
    CohortFactory(
        school=cast.school_a, name="Fibre passée", start_date=dt.date(2025, 9, 1),
        end_date=dt.date(2025, 12, 19), status=CohortStatus.FINISHED,
    )  # fmt: skip
    CohortFactory(
        school=cast.school_a, name="Fibre en cours", start_date=dt.date(2026, 4, 6),
        end_date=dt.date(2026, 7, 17), status=CohortStatus.ONGOING,
    )  # fmt: skip
    return a, b


def names(response):
    return [c.name for c in response.context["page"].object_list]


def test_the_catalogue_lists_the_planned_cohorts_of_open_schools(client, cast, sessions, communes):
    closed = SchoolFactory(network=cast.network, trade=cast.school_a.trade, commune=communes["34172"])
    CohortFactory(school=closed, name="École fermée")
    closed.status = SchoolStatus.CLOSED
    closed.save(update_fields=["status"])
    response = client.get(reverse("catalogue:cohort_list"))
    assert response.status_code == 200
    assert names(response) == ["Fibre septembre", "Data center septembre"]
    page = response.content.decode()
    assert "Du 07/09/2026 au 18/12/2026" in page and "8 places restantes sur 8" in page


def test_the_catalogue_filters_by_trade_region_and_school(client, cast, sessions):
    url = reverse("catalogue:cohort_list")
    assert names(client.get(url, {"metier": "technicien-data-center"})) == ["Data center septembre"]
    assert names(client.get(url, {"region": "11"})) == ["Fibre septembre"]  # Île-de-France
    assert names(client.get(url, {"region": "32"})) == ["Data center septembre"]  # Hauts-de-France
    assert names(client.get(url, {"ecole": cast.school_b.slug})) == ["Data center septembre"]
    assert names(client.get(url, {"metier": "fibre-optique", "region": "32"})) == []


def test_the_catalogue_filters_by_distance_from_a_real_commune(client, cast, sessions, communes):
    url = reverse("catalogue:cohort_list")
    paris = communes["75056"].label
    # Chelles is about 20 km east of the centre of Paris; Roubaix about 210 km north.
    response = client.get(url, {"commune": paris, "distance": "30"})
    assert names(response) == ["Fibre septembre"]
    assert 15 < response.context["page"].object_list[0].distance_km < 25
    assert "à 2" in response.content.decode()  # « à 20 km »
    assert names(client.get(url, {"commune": paris, "distance": "10"})) == []
    lille_area = communes["59350"].label  # Lille: Roubaix is next door
    assert names(client.get(url, {"commune": lille_area, "distance": "20"})) == ["Data center septembre"]
    unknown = client.get(url, {"commune": "Atlantide"})
    assert names(unknown) == [] and "Commune inconnue" in unknown.content.decode()


def test_haversine_distance_between_real_towns(communes):
    paris, marseille = communes["75056"], communes["13055"]
    assert 650 < distance_km(paris.latitude, paris.longitude, marseille.latitude, marseille.longitude) < 670


def test_places_left_are_the_capacity_minus_the_active_enrolments(client, cast, sessions):
    cohort, _ = sessions
    for _ in range(3):
        EnrolmentFactory(cohort=cohort, learner=LearnerFactory(school=cast.school_a))
    EnrolmentFactory(
        cohort=cohort, learner=LearnerFactory(school=cast.school_a), status=EnrolmentStatus.DROPPED_OUT,
        drop_out_reason="sante", end_date=dt.date(2026, 9, 20),
    )  # fmt: skip
    assert "5 places restantes sur 8" in client.get(reverse("catalogue:cohort_list")).content.decode()
    detail = client.get(reverse("catalogue:cohort_detail", args=[cohort.pk]))
    assert detail.context["cohort"].seats_left == 5
    assert "5 sur 8" in detail.content.decode()


@pytest.mark.parametrize("n", [2, 30])
def test_the_catalogue_query_count_is_constant(client, cast, frozen, django_assert_num_queries, n):
    for i in range(n):
        CohortFactory(school=cast.school_a if i % 2 else cast.school_b)
    # 1 count, 2 page of cohorts with school, commune, département, région, trade and the active
    # enrolments, 3 trades and 4 regions of the filter form (anonymous: no session, no user)
    with django_assert_num_queries(4):
        response = client.get(reverse("catalogue:cohort_list"))
    assert response.context["page"].paginator.count == n
    # With a commune: 1 the commune typed, 2 the open schools' coordinates, then the same four.
    with django_assert_num_queries(6):
        client.get(reverse("catalogue:cohort_list"), {"commune": "77108", "distance": "50"})


def test_the_detail_shows_the_school_and_its_next_information_sessions(client, cast, sessions):
    cohort, _ = sessions
    cast.school_a.address = "12 rue des Artisans"
    cast.school_a.save(update_fields=["address"])
    when = dt.datetime(2026, 6, 10, 14, 0, tzinfo=dt.UTC)
    InformationSession.objects.create(school=cast.school_a, starts_at=when, place="Salle du plateau")
    InformationSession.objects.create(
        school=cast.school_a, starts_at=when - dt.timedelta(days=30), place="Salle passée"
    )
    page = client.get(reverse("catalogue:cohort_detail", args=[cohort.pk])).content.decode()
    assert "12 rue des Artisans" in page and "77500 Chelles" in page
    assert "le 10/06/2026 à 16:00 — Salle du plateau" in page
    assert "Salle passée" not in page


def test_a_cohort_not_in_the_catalogue_is_not_found(client, cast, sessions):
    finished = cast.school_a.cohorts.get(name="Fibre passée")
    for name in ("catalogue:cohort_detail", "catalogue:apply", "catalogue:applied"):
        assert client.get(reverse(name, args=[finished.pk])).status_code == 404


def test_the_orient_door_leads_a_prescriber_to_the_referral_form_with_the_school(client, cast, sessions):
    cohort, _ = sessions
    url = reverse("catalogue:cohort_detail", args=[cohort.pk])
    target = f"{reverse('referrals:referral_create')}?ecole={cast.school_a.pk}"
    anonymous = client.get(url).context["orient_url"]
    assert anonymous.startswith(reverse("account_login") + "?next=")
    client.force_login(cast.prescriber)
    assert client.get(url).context["orient_url"] == target
    form = client.get(target).context["form"]
    assert str(form["school"].value()) == str(cast.school_a.pk)
    client.force_login(cast.trainer_a)  # a trainer does not refer
    assert client.get(url).context["orient_url"] is None


def test_the_commune_suggestions_are_public(client, communes):
    response = client.get(reverse("catalogue:commune_suggestions"), {"commune": "Chel"})
    assert response.status_code == 200 and "Chelles (77500)" in response.content.decode()


# --- « Je suis intéressé·e » --------------------------------------------------------------------


def application(**changes):
    data = {
        "first_name": "Yasmine",
        "last_name": "Benali",
        "birth_date": "2006-03-14",
        "phone": "06 12 34 56 78",
        "email": "",
        "commune": "77108",
        "highest_diploma": "aucun",
        "expectations": "Travailler dehors, apprendre un métier.",
        "contact_consent": "on",
        "website": "",
    }
    return {**data, **changes}


def apply(client, cohort, frozen, **changes):
    """Open the form as a person does, take some time to fill it, send it."""
    form = client.get(reverse("catalogue:apply", args=[cohort.pk])).context["form"]
    frozen.shift(dt.timedelta(seconds=40))
    data = application(shown_at=form.initial["shown_at"], **changes)
    return client.post(reverse("catalogue:apply", args=[cohort.pk]), data)


def test_a_young_person_applies_and_the_school_sees_the_referral(
    client, cast, sessions, frozen, mailoutbox, django_capture_on_commit_callbacks
):
    cohort, _ = sessions
    with django_capture_on_commit_callbacks(execute=True):
        response = apply(client, cohort, frozen)
    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue:applied", args=[cohort.pk])
    referral = Referral.objects.get()
    assert referral.source == ReferralSource.SELF_REFERRAL and referral.is_self_referral
    assert referral.prescriber is None and referral.prescriber_organisation is None
    assert referral.school == cast.school_a and referral.created_by is None
    assert referral.contact_consent_at is not None
    assert "Session visée : Fibre septembre" in referral.motivation
    assert "Travailler dehors" in referral.motivation
    learner = referral.learner
    assert (learner.school, learner.phone, learner.commune.insee_code) == (
        cast.school_a,
        "06 12 34 56 78",
        "77108",
    )
    assert referral.eligibility["eligible"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"learner.create", "referral.create", "catalogue.self_referral"} <= actions
    # The direction of the school is told, through the task queue, with no more than a first name.
    (mail,) = mailoutbox
    assert mail.to == [cast.manager_a.email]
    assert mail.subject == "Candidature directe de Yasmine B. à École A Chelles"
    assert "Benali" not in mail.body and referral.get_absolute_url() in mail.body
    # The school's director sees it; another school does not.
    client.force_login(cast.manager_a)
    page = client.get(referral.get_absolute_url())
    assert page.status_code == 200 and "Candidature directe vers École A Chelles" in page.content.decode()
    assert "Candidature directe" in client.get(reverse("referrals:referral_list")).content.decode()
    client.force_login(cast.manager_b)
    assert client.get(referral.get_absolute_url()).status_code == 404
    assert referral not in client.get(reverse("referrals:referral_list")).context["page"].object_list
    # The API says where it came from, to the school alone.
    for user, expected in [(cast.manager_a, 200), (cast.manager_b, 404)]:
        _token, raw = api_token_create(user=user)
        response = client.get(f"/api/v1/referrals/{referral.pk}", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == expected
    assert response.status_code == 404
    _token, raw = api_token_create(user=cast.manager_a)
    body = client.get(f"/api/v1/referrals/{referral.pk}", headers={"Authorization": f"Bearer {raw}"}).json()
    assert body["source"] == "candidature_directe" and body["prescriber_organisation"] is None


def test_the_confirmation_page_is_in_french_and_personal_data_free(client, cast, sessions, frozen):
    cohort, _ = sessions
    response = client.get(apply(client, cohort, frozen)["Location"])
    page = response.content.decode()
    assert "Merci, votre candidature est envoyée" in page
    assert "Yasmine" not in page and "Benali" not in page


def test_the_same_person_applying_twice_makes_one_referral_and_learns_nothing(client, cast, sessions, frozen):
    cohort, _ = sessions
    born = dt.date(2006, 3, 14)
    known = LearnerFactory(
        school=cast.school_a, first_name="Yasmine", last_name="BENALI", birth_date=born,
        identity_key=identity_key(last_name="Benali", first_name="Yasmine", birth_date=born),
    )  # fmt: skip
    assert apply(client, cohort, frozen).status_code == 302
    second = apply(client, cohort, frozen, first_name="yasmine")
    assert second.status_code == 302  # the same confirmation: a public form never says who is known
    referral = Referral.objects.get()
    assert referral.learner == known  # matched by the referral rules: the school's own record
    known.refresh_from_db()
    assert known.phone == ""  # a form without an account writes nothing into an existing record
    assert "Coordonnées laissées : 06 12 34 56 78." in referral.motivation
    assert Learner.objects.count() == 1
    assert AuditEvent.objects.filter(action="catalogue.self_referral.duplicate").count() == 1


def test_the_honeypot_writes_nothing(client, cast, sessions, frozen, mailoutbox):
    cohort, _ = sessions
    response = apply(client, cohort, frozen, website="http://spam.example")
    assert response.status_code == 302  # the robot is told nothing
    assert not Referral.objects.exists() and not Learner.objects.exists() and not mailoutbox


def test_a_form_sent_too_fast_is_refused_in_french(client, cast, sessions, frozen):
    cohort, _ = sessions
    form = client.get(reverse("catalogue:apply", args=[cohort.pk])).context["form"]
    frozen.shift(dt.timedelta(seconds=1))
    response = client.post(
        reverse("catalogue:apply", args=[cohort.pk]), application(shown_at=form.initial["shown_at"])
    )
    assert response.status_code == 400
    assert "envoyé trop vite" in response.content.decode()
    forged = client.post(reverse("catalogue:apply", args=[cohort.pk]), application(shown_at="123:forged"))
    assert forged.status_code == 400
    assert not Referral.objects.exists()


def test_bad_input_gets_french_errors_and_writes_nothing(client, cast, sessions, frozen):
    cohort, _ = sessions
    response = apply(client, cohort, frozen, phone="", contact_consent="", birth_date="2030-01-01")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Donnez un téléphone ou un e-mail" in page
    assert "sans votre accord" in page
    assert "ne peut pas être dans le futur" in page
    assert not Referral.objects.exists()


def test_an_address_that_sends_too_many_applications_gets_a_429_page(client, cast, sessions, frozen):
    cohort, _ = sessions
    for i in range(services.RATE_LIMIT):
        assert apply(client, cohort, frozen, first_name=f"Jeune{'e' * i}").status_code == 302
    assert Referral.objects.count() == services.RATE_LIMIT
    response = apply(client, cohort, frozen, first_name="Encore")
    assert response.status_code == 429
    assert "Trop de candidatures envoyées depuis cette connexion" in response.content.decode()
    assert Referral.objects.count() == services.RATE_LIMIT
    frozen.shift(services.RATE_WINDOW)
    assert apply(client, cohort, frozen, first_name="Plus tard").status_code == 302


def test_the_public_results_page_links_to_the_school_sessions(client, cast, communes):
    response = client.get(reverse("impact:public_results", args=[cast.school_a.slug]))
    assert f"{reverse('catalogue:cohort_list')}?ecole={cast.school_a.slug}" in response.content.decode()
