import pytest
from django.urls import reverse

from plombiers.network.enums import OrganisationKind, SchoolStatus
from plombiers.network.models import Organisation, Partnership, School
from plombiers.network.tests.factories import OrganisationFactory, PartnershipFactory, SchoolFactory
from plombiers.privacy.models import AuditEvent


def school_data(**overrides):
    data = {
        "name": "Plombiers Meaux",
        "trade": "",
        "status": SchoolStatus.OPEN,
        "opened_on": "2025-09-01",
        "commune": "Chelles (77500) — 77108",
        "address": "12 rue des Fibres",
        "default_cohort_capacity": "",
        "project_holder": "",
        "platform_description": "",
        "email": "",
        "phone": "",
    }
    data.update(overrides)
    return data


def test_network_staff_creates_a_school_with_the_trade_capacity(client, cast):
    from plombiers.network.models import Trade

    datacenter = Trade.objects.get(slug="technicien-data-center")
    client.force_login(cast.staff)
    response = client.post(reverse("network:school_create"), school_data(trade=datacenter.pk))
    school = School.objects.get(name="Plombiers Meaux")
    assert response.status_code == 302
    assert response["Location"] == school.get_absolute_url()
    assert school.commune.insee_code == "77108"
    assert school.default_cohort_capacity == 12
    assert school.network == cast.network
    assert AuditEvent.objects.filter(
        action="school.create", object_id=str(school.pk), actor=cast.staff
    ).exists()


@pytest.mark.parametrize(
    ("commune", "message"),
    [
        ("Atlantide", "Commune inconnue"),
        ("99999", "Commune inconnue"),
        ("", "Ce champ est obligatoire"),
    ],
)
def test_unknown_commune_is_a_clear_error_and_nothing_is_saved(client, cast, commune, message):
    client.force_login(cast.staff)
    response = client.post(
        reverse("network:school_create"), school_data(trade=cast.school_a.trade_id, commune=commune)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "rien n'a été enregistré" in response.content.decode()
    assert not School.objects.filter(name="Plombiers Meaux").exists()


@pytest.mark.parametrize("typed", ["77108", "77500", "chelles", "Chelles (77500) — 77108"])
def test_commune_accepts_code_postal_code_name_or_suggestion(client, cast, typed):
    client.force_login(cast.staff)
    client.post(reverse("network:school_create"), school_data(trade=cast.school_a.trade_id, commune=typed))
    assert School.objects.get(name="Plombiers Meaux").commune.insee_code == "77108"


def test_open_school_needs_an_opening_date(client, cast):
    client.force_login(cast.staff)
    response = client.post(
        reverse("network:school_create"), school_data(trade=cast.school_a.trade_id, opened_on="")
    )
    assert "Une école ouverte a une date d&#x27;ouverture." in response.content.decode()
    assert not School.objects.filter(name="Plombiers Meaux").exists()


def test_manager_edits_their_school(client, cast):
    client.force_login(cast.manager_a)
    url = reverse("network:school_edit", args=[cast.school_a.slug])
    data = school_data(
        name="École A Chelles", trade=cast.school_a.trade_id, commune="77108", default_cohort_capacity=10
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    cast.school_a.refresh_from_db()
    assert cast.school_a.default_cohort_capacity == 10
    assert AuditEvent.objects.filter(action="school.update", school=cast.school_a).exists()


def test_capacity_out_of_range_is_refused(client, cast):
    client.force_login(cast.manager_a)
    url = reverse("network:school_edit", args=[cast.school_a.slug])
    response = client.post(
        url, school_data(name="X", trade=cast.school_a.trade_id, commune="77108", default_cohort_capacity=400)
    )
    assert response.status_code == 200
    cast.school_a.refresh_from_db()
    assert cast.school_a.name == "École A Chelles"
    assert "30" in response.content.decode()


def organisation_data(**overrides):
    data = {
        "kind": OrganisationKind.COMPANY,
        "category": "",
        "name": "Fibres du Val",
        "siret": "",
        "commune": "",
        "address": "",
        "website": "",
        "email": "",
        "phone": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_manager_creates_a_partner_tied_to_their_school(client, cast):
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("network:organisation_create"),
        organisation_data(siret="482 017 530 00015", commune="77500"),
    )
    assert response.status_code == 302, response.context["form"].errors
    organisation = Organisation.objects.get(name="Fibres du Val")
    assert organisation.siret == "48201753000015"
    assert organisation.commune.insee_code == "77108"
    assert Partnership.objects.filter(school=cast.school_a, organisation=organisation).exists()
    assert AuditEvent.objects.filter(action="partnership.add", school=cast.school_a).exists()


@pytest.mark.parametrize("siret", ["48201753000016", "4820175300001", "ABCDEFGHIJKLMN"])
def test_invalid_siret_is_a_clear_error(client, cast, siret):
    client.force_login(cast.staff)
    response = client.post(reverse("network:organisation_create"), organisation_data(siret=siret))
    assert response.status_code == 200
    assert "Ce numéro SIRET n&#x27;est pas valide" in response.content.decode()
    assert not Organisation.objects.filter(name="Fibres du Val").exists()


def test_duplicate_siret_is_a_form_error_not_a_500(client, cast):
    client.force_login(cast.staff)
    response = client.post(
        reverse("network:organisation_create"), organisation_data(siret=cast.company_a.siret)
    )
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="Fibres du Val").exists()


def test_school_list_filters_by_trade_region_and_status(client, cast):
    client.force_login(cast.staff)
    url = reverse("network:school_list")
    by_trade = client.get(url, {"trade": cast.school_b.trade_id}).content.decode()
    assert "École B Roubaix" in by_trade and "École A Chelles" not in by_trade
    region = cast.school_a.commune.departement.region_id
    by_region = client.get(url, {"region": region}).content.decode()
    assert "École A Chelles" in by_region and "École B Roubaix" not in by_region
    by_status = client.get(url, {"status": SchoolStatus.PROJECT}).content.decode()
    assert "Aucune école ne correspond" in by_status


def test_htmx_filter_returns_the_fragment_of_the_full_page(client, cast):
    client.force_login(cast.staff)
    url = reverse("network:school_list")
    full = client.get(url, {"trade": cast.school_b.trade_id}).content.decode()
    fragment = client.get(
        url, {"trade": cast.school_b.trade_id}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment
    assert fragment.strip() in full


def test_school_page_shows_partners_and_team(client, cast):
    client.force_login(cast.trainer_a)
    content = client.get(reverse("network:school_detail", args=[cast.school_a.slug])).content.decode()
    assert "Fibre A" in content and "ML Chelles" in content
    assert cast.manager_a.last_name in content
    assert "Datacenter B" not in content
    assert "Modifier l'école" not in content


def test_commune_suggestions(client, cast):
    client.force_login(cast.manager_a)
    content = client.get(reverse("network:commune_suggestions"), {"commune": "chel"}).content.decode()
    assert '<option value="Chelles (77500) — 77108">' in content


def _add_schools(cast, n):
    for i in range(n):
        school = SchoolFactory(network=cast.network, commune=cast.school_a.commune)
        PartnershipFactory(
            school=school, organisation=OrganisationFactory(network=cast.network, name=f"P{i}")
        )


@pytest.mark.parametrize("extra", [0, 30])
def test_school_list_query_count_is_constant(client, cast, django_assert_num_queries, extra):
    _add_schools(cast, extra)
    client.force_login(cast.staff)
    # session, user, memberships (roles), filter regions + trades, count, page of schools
    with django_assert_num_queries(7):
        response = client.get(reverse("network:school_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("extra", [0, 30])
def test_organisation_list_query_count_is_constant(client, cast, django_assert_num_queries, extra):
    _add_schools(cast, extra)
    client.force_login(cast.staff)
    # session, user, memberships (roles), count, page of organisations
    with django_assert_num_queries(5):
        response = client.get(reverse("network:organisation_list"))
    assert response.status_code == 200
