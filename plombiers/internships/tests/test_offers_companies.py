"""The relationship page of a partner company (figures checked by hand, each one SQL aggregation,
within what the person may see) and the small forms of its sites and tutors."""

import datetime as dt
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from plombiers.cohorts.tests.factories import EnrolmentFactory
from plombiers.internships.enums import InternshipStatus
from plombiers.internships.models import Application, CompanySite, TutorEvaluation
from plombiers.internships.tests.factories import ContactFactory, InternshipFactory, OfferFactory
from plombiers.internships.tests.offers_fixtures import offers_fixture  # noqa: F401 — the `offers` fixture
from plombiers.network.models import Contact
from plombiers.network.tests.factories import PartnershipFactory
from plombiers.referrals.tests.factories import LearnerFactory

NOW = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)
ALL = dict.fromkeys(("ponctualite", "securite", "equipe", "communication", "autonomie"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def text(response) -> str:
    return unescape(response.content.decode())


def host(placement, *, start, status, cohort=None, site=None, tutor=None, evaluation=None):
    enrolment = EnrolmentFactory(cohort=cohort or placement.cohort, learner=LearnerFactory())
    internship = InternshipFactory(
        enrolment=enrolment,
        site=site or placement.site,
        tutor=tutor or placement.tutor,
        start_date=start,
        end_date=start + dt.timedelta(days=11),
        status=status,
    )
    if evaluation is not None:
        soft_skills, wants_to_hire, contract = evaluation
        TutorEvaluation.objects.create(
            internship=internship,
            nonce=f"n{internship.pk}",
            expires_at=NOW,
            submitted_at=NOW,
            tutor_name="Marc Tuteur",
            attendance="reguliere",
            outcome="terminee",
            soft_skills=soft_skills,
            wants_to_hire=wants_to_hire,
            hired_contract=contract,
        )
    return internship


@pytest.fixture
def history(cast, offers):
    """Fibre A over two years, seen by school A; one internship of school B's young person at
    Fibre A (now a partner of both schools) that school A must not count."""
    p = offers.placement
    host(p, start=dt.date(2026, 11, 16), status=InternshipStatus.ONGOING)
    host(
        p,
        start=dt.date(2026, 9, 14),
        status=InternshipStatus.FINISHED,
        evaluation=({**dict.fromkeys(ALL, "tres_bien")}, True, "cdi"),
    )
    host(
        p,
        start=dt.date(2026, 10, 5),
        status=InternshipStatus.INTERRUPTED,
        evaluation=({**dict.fromkeys(ALL, "passable"), "ponctualite": "bien"}, False, ""),
    )
    host(p, start=dt.date(2025, 3, 3), status=InternshipStatus.FINISHED)
    PartnershipFactory(school=cast.school_b, organisation=cast.company_a)
    host(
        p,
        start=dt.date(2026, 10, 5),
        status=InternshipStatus.FINISHED,
        cohort=offers.enrolment_b.cohort,
        evaluation=(dict.fromkeys(ALL, "insuffisant"), True, "interim"),
    )
    offers.application_a.status, offers.application_a.hired_on = "retenu", dt.date(2026, 12, 1)
    offers.application_a.save()
    OfferFactory(
        company=cast.company_a, title="Offre pourvue", status="pourvue", commune=cast.school_a.commune
    )
    return offers


def test_relationship_page_figures_by_hand(client, cast, history):
    client.force_login(cast.manager_a)
    response = client.get(reverse("internships:company_detail", args=[cast.company_a.pk]))
    assert response.status_code == 200
    context = response.context
    assert context["by_year"] == [
        {"year": 2026, "hosted": 3, "finished": 1, "interrupted": 1},
        {"year": 2025, "hosted": 1, "finished": 1, "interrupted": 0},
    ]
    evaluations = context["evaluations"]
    assert (evaluations["submitted"], evaluations["wants_to_hire"], evaluations["contracts"]) == (2, 1, 1)
    # ponctualité (4 + 3) / 2 = 3.5 → « Très bien »; the others (4 + 2) / 2 = 3 → « Bien »;
    # all: (3.5 + 4 × 3) / 5 = 3.1 → « Bien ».
    words = {c.label: c.words for c in evaluations["criteria"]}
    assert words["Ponctualité"] == "Très bien" and words["Autonomie"] == "Bien"
    assert evaluations["overall"].average == pytest.approx(3.1) and evaluations["overall"].words == "Bien"
    assert context["offer_counts"] == {"open": 1, "filled": 1, "total": 2}
    assert context["hire_count"] == 1 and [a.enrolment.learner.first_name for a in context["hires"]] == [
        "Inès"
    ]
    assert [o.title for o in context["open_offers"]] == ["Raccordeur·se fibre"]
    site = next(iter(context["sites"]))
    tutor = next(t for t in context["tutors"] if t.full_name == "Marc Tuteur")
    assert (site.hosted, tutor.tutored) == (4, 4)
    html = text(response)
    assert "Marc Tuteur" in html and "Agence de Chelles" in html and "Raccordeur·se fibre" in html


def test_network_staff_count_every_school(client, cast, history):
    client.force_login(cast.staff)
    context = client.get(reverse("internships:company_detail", args=[cast.company_a.pk])).context
    assert context["by_year"][0] == {"year": 2026, "hosted": 4, "finished": 2, "interrupted": 1}
    evaluations = context["evaluations"]
    assert (evaluations["submitted"], evaluations["wants_to_hire"], evaluations["contracts"]) == (3, 2, 2)
    words = {c.label: c.words for c in evaluations["criteria"]}
    assert words["Ponctualité"] == "Bien", "(4 + 3 + 1) / 3 ≈ 2.67 → « Bien »"


def test_a_company_without_history_says_so(client, cast, offers):
    client.force_login(cast.trainer_b)
    response = client.get(reverse("internships:company_detail", args=[cast.company_b.pk]))
    html = text(response)
    assert "Aucun stage accueilli pour l'instant." in html and "Aucune évaluation rendue" in html
    assert response.context["evaluations"]["overall"].words == "—"


@pytest.mark.parametrize("rows", [1, 15])
def test_relationship_page_query_count_is_constant(client, cast, offers, django_assert_num_queries, rows):
    p = offers.placement
    for n in range(rows):
        site = CompanySite.objects.create(
            company=cast.company_a, name=f"Site {n}", commune=cast.school_a.commune
        )
        tutor = ContactFactory(organisation=cast.company_a)
        host(
            p,
            start=dt.date(2020 + n % 7, 3, 2),
            status=InternshipStatus.FINISHED,
            site=site,
            tutor=tutor,
            evaluation=(dict.fromkeys(ALL, "bien"), n % 2 == 0, "cdi" if n % 2 == 0 else ""),
        )
        offer = OfferFactory(company=cast.company_a, commune=cast.school_a.commune)
        enrolment = EnrolmentFactory(cohort=p.cohort, learner=LearnerFactory())
        Application.objects.create(
            offer=offer, enrolment=enrolment, status="retenu", hired_on=dt.date(2026, 10, 1)
        )
    client.force_login(cast.trainer_a)
    # session, user, memberships, the company, its partner schools among mine, can manage
    # (partnership), offer counts, hire count, sites with hosted counts, tutors with counts,
    # internships by year, evaluations aggregate, hires list, open offers
    with django_assert_num_queries(14):
        response = client.get(reverse("internships:company_detail", args=[cast.company_a.pk]))
    assert response.context["hire_count"] == rows


# --- sites and tutors ------------------------------------------------------------------------------


def test_team_adds_and_edits_a_site_with_a_commune(client, cast, offers, communes):
    client.force_login(cast.trainer_a)
    url = reverse("internships:site_create", args=[cast.company_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "  Dépôt   de Torcy ", "commune": "77468", "address": ""})
    assert response.status_code == 200 and "Commune inconnue" in text(response), "77468 is not a test commune"
    assert not CompanySite.objects.filter(name__contains="Torcy").exists()
    response = client.post(url, {"name": "  Dépôt   de Lagny ", "commune": communes["77108"].label})
    assert response.status_code == 302
    site = CompanySite.objects.get(name="Dépôt de Lagny")
    assert site.company == cast.company_a and site.commune == communes["77108"]
    edit = reverse("internships:site_edit", args=[site.pk])
    client.post(edit, {"name": "Dépôt de Lagny-sur-Marne", "commune": "77108", "address": "2 rue du Port"})
    site.refresh_from_db()
    assert (site.name, site.address) == ("Dépôt de Lagny-sur-Marne", "2 rue du Port")
    response = client.post(edit, {"name": "", "commune": "77108"})
    assert "Ce champ est obligatoire." in text(response)


def test_team_adds_and_edits_a_tutor(client, cast, offers):
    client.force_login(cast.manager_a)
    url = reverse("internships:tutor_create", args=[cast.company_a.pk])
    response = client.post(url, {"full_name": "Al", "email": "pas-un-email"})
    assert response.status_code == 200
    html = text(response)
    assert "Saisissez une adresse de courriel valide." in html and "rien n'a été enregistré" in html
    response = client.post(url, {"full_name": "Al", "email": ""})
    assert "Indiquez les prénom et nom du tuteur ou de la tutrice." in text(response)
    assert not Contact.objects.filter(full_name="Al").exists()
    response = client.post(
        url, {"full_name": "Samia  Haddad", "job_title": "Cheffe d'équipe", "phone": "0601020304"}
    )
    assert response.status_code == 302
    tutor = Contact.objects.get(full_name="Samia Haddad")
    assert tutor.organisation == cast.company_a
    client.post(
        reverse("internships:tutor_edit", args=[tutor.pk]),
        {"full_name": "Samia Haddad", "email": "s@fibre-a.example"},
    )
    tutor.refresh_from_db()
    assert tutor.email == "s@fibre-a.example"


def test_the_organisation_page_of_a_company_links_to_the_relationship_page(client, cast, offers):
    client.force_login(cast.trainer_a)
    link = reverse("internships:company_detail", args=[cast.company_a.pk])
    assert link in text(client.get(cast.company_a.get_absolute_url()))
    assert "/entreprises/" not in text(client.get(cast.prescriber_org.get_absolute_url()))
