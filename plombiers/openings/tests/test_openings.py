import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plombiers.accounts.enums import Role
from plombiers.cohorts.enums import SessionKind
from plombiers.cohorts.models import Cohort
from plombiers.frameworks.loader import frameworks_load
from plombiers.invitations import services as invitation_services
from plombiers.network.enums import OrganisationKind, SchoolStatus
from plombiers.network.models import Network, Partnership, School
from plombiers.network.tests.factories import OrganisationFactory, SchoolFactory
from plombiers.openings import services
from plombiers.openings.checklist import progress, school_checklist
from plombiers.openings.models import CalendarTemplate

STEPS = ["checklist", "calendar", "cohort", "information", "partners", "publish", "copy_settings"]
MONDAY = dt.date(2027, 3, 1)


@pytest.fixture
def new_school(cast):
    frameworks_load()
    holder = OrganisationFactory(
        network=cast.network, kind=OrganisationKind.PROJECT_HOLDER, siret="73282932000074", nda="11755555555"
    )
    return SchoolFactory(
        network=cast.network,
        name="École de Meaux",
        slug="meaux",
        commune=cast.school_a.commune,
        status=SchoolStatus.PROJECT,
        opened_on=None,
        address="",
        project_holder=holder,
    )


@pytest.mark.parametrize("name", STEPS)
def test_only_the_network_staff_opens_a_school(client, cast, new_school, name):
    url = reverse(f"openings:{name}", args=[new_school.slug])
    for who in ("manager_a", "trainer_a", "manager_b", "prescriber", "funder", "learner_a", "outsider"):
        client.force_login(getattr(cast, who))
        assert client.get(url).status_code == 404, who
    client.force_login(cast.staff)
    assert client.get(url).status_code == 200


def test_another_network_s_staff_gets_404(client, cast, new_school):
    from plombiers.accounts.tests.factories import MembershipFactory, UserFactory

    other = UserFactory(email="autre.reseau@test.example")
    MembershipFactory(
        user=other, role=Role.NETWORK_STAFF, network=Network.objects.create(name="Autre", slug="autre")
    )
    client.force_login(other)
    for name in STEPS:
        assert client.get(reverse(f"openings:{name}", args=[new_school.slug])).status_code == 404, name
    # Its own « Ouvrir une école » page opens, and lists none of our schools to copy from.
    page = client.get(reverse("openings:school_open"))
    assert page.status_code == 200
    assert "École A Chelles" not in page.content.decode()


def test_school_open_page_is_network_staff_only(client, cast):
    url = reverse("openings:school_open")
    for who in ("manager_a", "trainer_a", "outsider"):
        client.force_login(getattr(cast, who))
        assert client.get(url).status_code == 404
    client.force_login(cast.staff)
    assert client.get(url).status_code == 200


def test_the_checklist_walks_the_eight_steps(client, cast, new_school, django_capture_on_commit_callbacks):
    client.force_login(cast.staff)
    checklist = reverse("openings:checklist", args=[new_school.slug])
    page = client.get(checklist).content.decode()
    # Only the framework (reference data) is there from the start.
    assert "1 étape sur 8" in page
    # The school page shows what is missing.
    detail = client.get(reverse("network:school_detail", args=[new_school.slug])).content.decode()
    assert "À compléter (1/8)" in detail and "Le calendrier type" in detail

    client.post(
        reverse("network:school_edit", args=[new_school.slug]),
        {
            "name": new_school.name,
            "trade": new_school.trade.pk,
            "status": SchoolStatus.PROJECT,
            "commune": "77108",
            "address": "2 rue de la Gare",
            "default_cohort_capacity": 8,
            "project_holder": new_school.project_holder.pk,
        },
    )
    # A cohort needs the calendar template first: a French error, no 500.
    refused = client.post(
        reverse("openings:cohort", args=[new_school.slug]), {"name": "P1", "start_date": "2027-03-01"}
    )
    assert refused.status_code == 400
    assert "abord le calendrier type" in refused.content.decode()
    bad = client.post(
        reverse("openings:calendar", args=[new_school.slug]),
        {
            "weekdays": [0, 1, 2, 3, 4],
            "morning_start": "09:00",
            "morning_end": "12:30",
            "weeks": "4",
            "internship_weeks": "9",
        },
    )
    assert bad.status_code == 400
    assert "de 1 à 4" in bad.content.decode()
    assert (
        client.post(
            reverse("openings:calendar", args=[new_school.slug]),
            {
                "weekdays": [0, 1, 2, 3, 4],
                "morning_start": "09:00",
                "morning_end": "12:30",
                "afternoon_start": "13:30",
                "afternoon_end": "17:00",
                "weeks": "4",
                "internship_weeks": "3",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("openings:cohort", args=[new_school.slug]),
            {"name": "Meaux P1", "start_date": "2027-03-01"},
        ).status_code
        == 302
    )
    cohort = Cohort.objects.get(school=new_school)
    assert cohort.end_date == dt.date(2027, 3, 26)  # the Friday of the 4th week
    sessions = list(cohort.sessions.all())
    # 4 weeks × 5 days × 2 half-days; the third week is « stage en entreprise »; no holiday in March 2027.
    assert len(sessions) == 40
    assert {s.kind for s in sessions if dt.date(2027, 3, 15) <= s.date <= dt.date(2027, 3, 19)} == {
        SessionKind.INTERNSHIP
    }
    assert (
        client.post(
            reverse("openings:information", args=[new_school.slug]),
            {
                "starts_at": "2027-02-10T14:00",
                "place": "Mission locale de Meaux",
                "capacity": 15,
            },
        ).status_code
        == 302
    )
    directory = [
        OrganisationFactory(network=cast.network, kind=kind, name=f"Annuaire {kind}")
        for kind in (OrganisationKind.COMPANY, OrganisationKind.FUNDER, OrganisationKind.OPCO)
    ]
    assert (
        client.post(
            reverse("openings:partners", args=[new_school.slug]),
            {
                "organisations": [o.pk for o in directory] + [cast.prescriber_org.pk],
            },
        ).status_code
        == 302
    )
    for email, role in [("dir@test.example", Role.SCHOOL_MANAGER), ("form@test.example", Role.TRAINER)]:
        invitation = invitation_services.invitation_create(
            network=cast.network, school=new_school, email=email, role=role, by=cast.staff
        )
        invitation_services.invitation_accept(
            invitation=invitation, first_name="A", last_name="B", password="Meaux-2027-fibre"
        )
    assert (
        client.post(
            reverse("openings:publish", args=[new_school.slug]), {"opened_on": "2027-02-01"}
        ).status_code
        == 302
    )
    page = client.get(checklist).content.decode()
    assert "8 étapes sur 8" in page
    detail = client.get(reverse("network:school_detail", args=[new_school.slug])).content.decode()
    assert "À compléter" not in detail
    new_school.refresh_from_db()
    assert new_school.status == SchoolStatus.OPEN


def test_the_directory_offers_only_the_network_s_partners(client, cast, new_school):
    other = OrganisationFactory(
        network=Network.objects.create(name="Autre", slug="autre"), kind=OrganisationKind.COMPANY
    )
    client.force_login(cast.staff)
    response = client.post(
        reverse("openings:partners", args=[new_school.slug]), {"organisations": [other.pk]}
    )
    assert response.status_code == 400
    assert not Partnership.objects.filter(school=new_school).exists()


def test_the_checklist_s_query_count_is_constant(client, cast, new_school, django_assert_num_queries):
    client.force_login(cast.staff)
    client.get(reverse("openings:checklist", args=[new_school.slug]))
    # session, user, memberships, school (+trade, commune, holder, network), framework, calendar
    # template, first cohort, information session, partner kinds, team roles, pending invitations
    with django_assert_num_queries(11):
        client.get(reverse("openings:checklist", args=[new_school.slug]))


# --- « Copier les réglages d'une école » ------------------------------------------------------------


def test_copy_settings_copies_template_partners_and_texts(cast, new_school):
    source = cast.school_a
    School.objects.filter(pk=source.pk).update(platform_description="Plateau de 120 m², 6 postes de soudure.")
    source.refresh_from_db()
    services.calendar_template_save(
        school=source, by=cast.staff, weekdays=[0, 1, 2, 3], weeks=12, internship_weeks=[5, 6]
    )
    copied = services.school_settings_copy(source=source, target=new_school, by=cast.staff)
    assert copied == {"calendrier": 1, "partenaires": 3, "textes": 1}
    template = CalendarTemplate.objects.get(school=new_school)
    assert (template.weekdays, template.weeks, template.internship_weeks) == ([0, 1, 2, 3], 12, [5, 6])
    assert set(Partnership.objects.filter(school=new_school).values_list("organisation", flat=True)) == {
        cast.prescriber_org.pk,
        cast.funder_org.pk,
        cast.company_a.pk,
    }
    new_school.refresh_from_db()
    assert new_school.platform_description.startswith("Plateau de 120")
    # Again: nothing is doubled.
    assert services.school_settings_copy(source=source, target=new_school, by=cast.staff)["partenaires"] == 0


def test_copy_settings_refuses_another_network_and_other_people(cast, new_school):
    elsewhere = SchoolFactory(network=Network.objects.create(name="Autre", slug="autre"), slug="ailleurs")
    with pytest.raises(Exception, match="tête de réseau"):
        services.school_settings_copy(source=elsewhere, target=new_school, by=cast.staff)
    with pytest.raises(Exception, match="tête de réseau"):
        services.school_settings_copy(source=cast.school_a, target=new_school, by=cast.manager_a)
    with pytest.raises(ValidationError):
        services.school_settings_copy(source=new_school, target=new_school, by=cast.staff)


def test_copy_is_atomic(cast, new_school, monkeypatch):
    services.calendar_template_save(school=cast.school_a, by=cast.staff, weekdays=[0, 1], weeks=10)

    def boom(**kwargs):
        raise ValidationError("coupure")

    monkeypatch.setattr(services, "partnership_add", boom)
    with pytest.raises(ValidationError):
        services.school_settings_copy(source=cast.school_a, target=new_school, by=cast.staff)
    assert not CalendarTemplate.objects.filter(school=new_school).exists()


def test_school_open_creates_and_copies(client, cast):
    frameworks_load()
    services.calendar_template_save(school=cast.school_a, by=cast.staff, weekdays=[0, 1, 2, 3, 4], weeks=14)
    client.force_login(cast.staff)
    response = client.post(
        reverse("openings:school_open"),
        {
            "name": "École de Lagny",
            "trade": cast.school_a.trade.pk,
            "status": SchoolStatus.PROJECT,
            "commune": "77108",
            "copie-source": cast.school_a.pk,
        },
    )
    school = School.objects.get(name="École de Lagny")
    assert response["Location"] == reverse("openings:checklist", args=[school.slug])
    assert CalendarTemplate.objects.filter(school=school).exists()
    steps = school_checklist(school)
    # The framework, and the calendar template copied; school A has no OPCO partner: step 6 not done.
    assert progress(steps) == (2, 8)
    assert Partnership.objects.filter(school=school).count() == 3
