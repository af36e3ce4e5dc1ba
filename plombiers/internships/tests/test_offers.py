"""The offer pages: creating and editing through `offer_save`, bad input refused in French with
nothing written, lists filtered with a pinned query count, applications moved along."""

import datetime as dt
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from plombiers.cohorts.tests.factories import EnrolmentFactory
from plombiers.internships.enums import ApplicationStatus, OfferStatus
from plombiers.internships.models import Application, Offer
from plombiers.internships.tests.factories import OfferFactory
from plombiers.internships.tests.offers_fixtures import offers_fixture  # noqa: F401 — the `offers` fixture
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.tests.factories import LearnerFactory

NOW = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def text(response) -> str:
    return unescape(response.content.decode())


def offer_data(cast, offers, **overrides):
    data = {
        "company": cast.company_a.pk,
        "site": offers.placement.site.pk,
        "title": "Technicien·ne d'intervention",
        "kind": "alternance",
        "rome_code": "f1605",
        "contract": "apprentissage",
        "contract_months": "12",
        "commune": cast.school_a.commune.insee_code,
        "start_date": "2027-01-04",
        "required_skills": [s.pk for s in offers.placement.skills[:2]],
        "driving_licence_required": "on",
        "description": "Raccordement d'abonnés en pavillon.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- create and edit -------------------------------------------------------------------------------


def test_trainer_publishes_an_offer_with_skills_grouped_by_block(client, cast, offers):
    client.force_login(cast.trainer_a)
    page = client.get(reverse("internships:offer_create"))
    assert page.status_code == 200
    html = text(page)
    block = offers.placement.skills[0].block
    assert f"{block.framework.trade.name} · {block.title}" in html
    assert "Datacenter B" not in html, "school B's partner is no choice of school A"
    response = client.post(reverse("internships:offer_create"), offer_data(cast, offers))
    offer = Offer.objects.get(title="Technicien·ne d'intervention")
    assert response.status_code == 302 and response.url == offer.get_absolute_url()
    assert (offer.rome_code, offer.contract_months, offer.kind, offer.created_by) == (
        "F1605",
        12,
        "alternance",
        cast.trainer_a,
    )
    assert (offer.latitude, offer.longitude) == (
        cast.school_a.commune.latitude,
        cast.school_a.commune.longitude,
    )
    assert set(offer.required_skills.all()) == set(offers.placement.skills[:2])
    assert AuditEvent.objects.filter(action="offer.save", object_id=str(offer.pk)).count() == 1
    detail = text(client.get(offer.get_absolute_url()))
    assert "Contrat d'apprentissage de 12 mois" in detail and offers.placement.skills[0].title in detail


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rome_code": "Z1234"}, "rome_code", "Le code ROME s'écrit avec une lettre de A à N"),
        ({"rome_code": "F16"}, "rome_code", "Le code ROME s'écrit avec une lettre de A à N"),
        ({"contract": "cdd", "contract_months": ""}, "contract_months", "Un CDD a une durée"),
        ({"commune": "Nulle-Part-sur-Mer"}, "commune", "Commune inconnue"),
        ({"title": ""}, "title", "Ce champ est obligatoire."),
        ({"start_date": "31/02/2027"}, "start_date", "Saisissez une date valide."),
        ({"kind": "benevolat"}, "kind", "Sélectionnez un choix valide"),
    ],
)
def test_bad_offer_input_is_refused_in_french_and_nothing_is_written(
    client, cast, offers, overrides, field, message
):
    client.force_login(cast.trainer_a)
    before = Offer.objects.count()
    response = client.post(reverse("internships:offer_create"), offer_data(cast, offers, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "rien n'a été enregistré" in text(response)
    assert Offer.objects.count() == before


def test_another_company_site_skill_or_school_b_company_is_refused(client, cast, offers):
    client.force_login(cast.trainer_a)
    before = Offer.objects.count()
    datacenter_skill = offers.framework_b.skills.first()
    cases = [
        ({"site": offers.site_b.pk}, "site"),
        ({"required_skills": [datacenter_skill.pk]}, "required_skills"),
        ({"company": cast.company_b.pk, "site": ""}, "company"),
        ({"company": cast.prescriber_org.pk, "site": ""}, "company"),
    ]
    for overrides, field in cases:
        response = client.post(reverse("internships:offer_create"), offer_data(cast, offers, **overrides))
        assert response.status_code == 200 and field in response.context["form"].errors, overrides
    assert Offer.objects.count() == before


def test_staff_cannot_require_a_skill_of_a_trade_the_company_schools_do_not_teach(client, cast, offers):
    """Network staff see both trades' skills; the chosen company decides which are allowed."""
    client.force_login(cast.staff)
    datacenter_skill = offers.framework_b.skills.first()
    response = client.post(
        reverse("internships:offer_create"), offer_data(cast, offers, required_skills=[datacenter_skill.pk])
    )
    assert "viennent des référentiels des écoles partenaires" in " ".join(
        response.context["form"].errors["required_skills"]
    )


def test_offer_edit_changes_fields_and_keeps_skills_of_an_older_framework(client, cast, offers):
    client.force_login(cast.manager_a)
    url = reverse("internships:offer_edit", args=[offers.offer_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        offer_data(
            cast,
            offers,
            title="Raccordeur·se fibre confirmé·e",
            contract="cdd",
            contract_months="6",
            required_skills=[offers.placement.skills[2].pk],
        ),
    )
    assert response.status_code == 302
    offers.offer_a.refresh_from_db()
    assert (offers.offer_a.title, offers.offer_a.contract, offers.offer_a.contract_months) == (
        "Raccordeur·se fibre confirmé·e",
        "cdd",
        6,
    )
    assert list(offers.offer_a.required_skills.all()) == [offers.placement.skills[2]]
    # A contract without a duration loses the stale duration.
    client.post(url, offer_data(cast, offers, contract="cdi", contract_months="6"))
    offers.offer_a.refresh_from_db()
    assert (offers.offer_a.contract, offers.offer_a.contract_months) == ("cdi", None)


def test_status_moves_between_open_filled_and_closed(client, cast, offers):
    client.force_login(cast.trainer_a)
    url = reverse("internships:offer_status", args=[offers.offer_a.pk])
    for status in (OfferStatus.FILLED, OfferStatus.CLOSED, OfferStatus.OPEN):
        response = client.post(url, {"status": status}, follow=True)
        offers.offer_a.refresh_from_db()
        assert offers.offer_a.status == status
        assert f"L'offre est maintenant « {OfferStatus(status).label} »" in text(response)
    response = client.post(url, {"status": "archivee"}, follow=True)
    assert "Statut inconnu : rien n'a été modifié." in text(response)
    offers.offer_a.refresh_from_db()
    assert offers.offer_a.status == OfferStatus.OPEN
    assert client.get(url).status_code == 405


# --- lists ----------------------------------------------------------------------------------------


def test_offer_list_filters_and_defaults_to_open_offers(client, cast, offers):
    OfferFactory(
        company=cast.company_a,
        title="Stage fermé",
        kind="stage",
        status="fermee",
        commune=cast.school_a.commune,
    )
    OfferFactory(
        company=cast.company_a,
        title="CDD ouvert",
        contract="cdd",
        contract_months=3,
        commune=cast.school_a.commune,
    )
    client.force_login(cast.trainer_a)
    url = reverse("internships:offer_list")

    def titles(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {offer.title for offer in response.context["page"].object_list}

    assert titles() == {"Raccordeur·se fibre", "CDD ouvert"}
    assert titles(status="") == {"Raccordeur·se fibre", "CDD ouvert", "Stage fermé"}
    assert titles(status="", kind="stage") == {"Stage fermé"}
    assert titles(contract="cdd") == {"CDD ouvert"}
    assert titles(company=cast.company_a.pk) == {"Raccordeur·se fibre", "CDD ouvert"}
    # School B's company is no choice of school A: an error, and no offer.
    response = client.get(url, {"company": cast.company_b.pk})
    assert response.context["page"].object_list == [] or not list(response.context["page"].object_list)
    assert "Filtre invalide" in text(response)
    # The htmx swap is the fragment alone.
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "<h1" not in text(fragment) and "Raccordeur·se fibre" in text(fragment)


@pytest.mark.parametrize("rows", [2, 60])
def test_offer_list_query_count_is_constant(client, cast, offers, django_assert_num_queries, rows):
    for n in range(rows):
        OfferFactory(company=cast.company_a, title=f"Offre {n}", commune=cast.school_a.commune)
    client.force_login(cast.trainer_a)
    # session, user, memberships, the filter's company choices, count, page of offers with
    # company, site and commune
    with django_assert_num_queries(6):
        response = client.get(reverse("internships:offer_list"))
    assert len(response.context["page"].object_list) == min(rows + 1, 25)


def test_application_list_filters_by_status_offer_and_cohort(client, cast, offers):
    other = EnrolmentFactory(cohort=offers.placement.cohort, learner=LearnerFactory(first_name="Zoé"))
    Application.objects.create(offer=offers.offer_a, enrolment=other, status=ApplicationStatus.INTERVIEW)
    client.force_login(cast.manager_a)
    url = reverse("internships:application_list")

    def names(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {a.enrolment.learner.first_name for a in response.context["page"].object_list}

    assert names() == {"Inès", "Zoé"}, "school B's Bilal is not listed"
    assert names(status="entretien") == {"Zoé"}
    assert names(offer=offers.offer_a.pk, cohort=offers.placement.cohort.pk) == {"Inès", "Zoé"}
    assert names(offer=offers.offer_b.pk) == set(), "an offer without our applications is no choice"


@pytest.mark.parametrize("rows", [2, 40])
def test_application_list_query_count_is_constant(client, cast, offers, django_assert_num_queries, rows):
    for n in range(rows):
        enrolment = EnrolmentFactory(cohort=offers.placement.cohort, learner=LearnerFactory())
        offer = OfferFactory(company=cast.company_a, title=f"Offre {n}", commune=cast.school_a.commune)
        Application.objects.create(offer=offer, enrolment=enrolment)
    client.force_login(cast.trainer_a)
    # session, user, memberships, offer choices (with company), cohort choices, count, page of
    # applications with offer, company, learner and cohort
    with django_assert_num_queries(7):
        response = client.get(reverse("internships:application_list"))
    assert len(response.context["page"].object_list) == min(rows + 1, 25)


def test_a_young_person_reads_their_own_applications_only(client, cast, offers):
    client.force_login(cast.learner_a)
    response = client.get(reverse("internships:application_list"))
    html = text(response)
    assert response.status_code == 200 and "Mes candidatures" in html
    assert "Raccordeur·se fibre" in html and "Technicien·ne de salle" not in html
    assert offers.offer_a.get_absolute_url() not in html, "the offer page is the school's"


# --- applications ---------------------------------------------------------------------------------


def test_trainer_proposes_a_young_person_then_moves_them_to_hired(client, cast, offers):
    zoé = EnrolmentFactory(
        cohort=offers.placement.cohort, learner=LearnerFactory(first_name="Zoé", last_name="Morel")
    )
    client.force_login(cast.trainer_a)
    page = client.get(offers.offer_a.get_absolute_url())
    choices = [str(e) for e in page.context["propose_form"].fields["enrolment"].queryset]
    assert len(choices) == 1, "Inès is already proposed; Zoé only"
    response = client.post(
        reverse("internships:application_create", args=[offers.offer_a.pk]),
        {"enrolment": zoé.pk, "note": "Très motivée"},
        follow=True,
    )
    assert "Zoé Morel est proposé·e pour cette offre." in text(response)
    application = Application.objects.get(enrolment=zoé)
    assert (application.status, application.proposed_by, application.note) == (
        "propose",
        cast.trainer_a,
        "Très motivée",
    )

    url = reverse("internships:application_transition", args=[application.pk])
    prefix = f"c{application.pk}"
    client.post(url, {f"{prefix}-status": "entretien", f"{prefix}-note": "Entretien le 12/11"})
    application.refresh_from_db()
    assert application.status == "entretien"
    response = client.post(url, {f"{prefix}-status": "retenu", f"{prefix}-hired_on": "2026-12-01"})
    assert response.status_code == 302 and response.url.endswith(f"#candidature-{application.pk}")
    application.refresh_from_db()
    assert (application.status, application.hired_on) == ("retenu", dt.date(2026, 12, 1))
    assert application.note == "Très motivée\nEntretien le 12/11"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "retenu"}, "Indiquez la date d'embauche."),
        ({"status": "non_retenu"}, "Indiquez pourquoi la candidature n'est pas retenue."),
        ({"status": "retenu", "hired_on": "2026-13-01"}, "Saisissez une date valide."),
        ({"status": "embauche"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_application_moves_are_refused_in_french(client, cast, offers, data, message):
    application = offers.application_a
    client.force_login(cast.trainer_a)
    prefix = f"c{application.pk}"
    response = client.post(
        reverse("internships:application_transition", args=[application.pk]),
        {f"{prefix}-{k}": v for k, v in data.items()},
    )
    assert response.status_code == 400
    assert message in text(response)
    application.refresh_from_db()
    assert (application.status, application.hired_on, application.note) == ("propose", None, "")


def test_a_final_application_cannot_move_again(client, cast, offers):
    application = offers.application_a
    application.status, application.hired_on = ApplicationStatus.HIRED, offers.hired_on
    application.save()
    client.force_login(cast.trainer_a)
    prefix = f"c{application.pk}"
    response = client.post(
        reverse("internships:application_transition", args=[application.pk]),
        {f"{prefix}-status": "non_retenu", f"{prefix}-note": "Erreur"},
    )
    assert response.status_code == 400
    assert "Une candidature « Retenu·e » ne peut pas passer" in text(response)
    application.refresh_from_db()
    assert (application.status, application.note) == ("retenu", "")
    page = client.get(offers.offer_a.get_absolute_url())
    assert page.context["rows"][0].form is None, "no form offers a move from a final status"


def test_proposing_for_a_closed_offer_or_a_young_person_of_another_school_is_refused(client, cast, offers):
    client.force_login(cast.trainer_a)
    url = reverse("internships:application_create", args=[offers.offer_a.pk])
    response = client.post(url, {"enrolment": offers.enrolment_b.pk})
    assert response.status_code == 400 and "Sélectionnez un choix valide" in text(response)
    zoé = EnrolmentFactory(cohort=offers.placement.cohort, learner=LearnerFactory(first_name="Zoé"))
    offers.offer_a.status = OfferStatus.CLOSED
    offers.offer_a.save()
    response = client.post(url, {"enrolment": zoé.pk})
    assert response.status_code == 400 and "Cette offre n'est plus ouverte." in text(response)
    assert Application.objects.count() == 2


@pytest.mark.parametrize("rows", [1, 12])
def test_offer_page_query_count_is_constant(client, cast, offers, django_assert_num_queries, rows):
    for _ in range(rows):
        enrolment = EnrolmentFactory(cohort=offers.placement.cohort, learner=LearnerFactory())
        Application.objects.create(offer=offers.offer_a, enrolment=enrolment, status="entretien")
    client.force_login(cast.trainer_a)
    # session, user, memberships, the offer (company, site, communes), its applications (learner,
    # cohort, school, proposer), can manage (partnership), partner schools, required skills with
    # blocks, proposable young people
    with django_assert_num_queries(9):
        response = client.get(offers.offer_a.get_absolute_url())
    assert len(response.context["rows"]) == rows + 1
