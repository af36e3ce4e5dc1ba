import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.cohorts.enums import CohortStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.network import Builder
from plombiers.frameworks.loader import frameworks_load
from plombiers.network.enums import OrganisationKind, SchoolStatus
from plombiers.network.models import School, Trade
from plombiers.network.tests.factories import OrganisationFactory, SchoolFactory
from plombiers.network.trades import DEFAULT_OFFERS
from plombiers.referrals.models import InformationSession, Learner
from plombiers.referrals.tests.factories import LearnerFactory

from .checks import NS, SCHEMA, assert_valid_lheo, sessions

XML = "application/xml; charset=utf-8"


def test_the_schema_is_the_pinned_lheo_2_3():
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == (
        "93c57269fa6c515b4b103a9d32395cc740e9d8af512fc48c4b2c16d9bab8d71c"
    )


def test_every_demo_school_exports_a_valid_offer(communes, client):
    """Every school of the demo network: the LHEO export validates against the XSD and passes the
    checks the schema cannot make; the network-wide export holds them all; no person in them."""
    demo = Builder().build()
    frameworks_load()
    IntakeBuilder().build(demo)
    # (Names are no test: Faker names streets after people, « 10, boulevard Océane Blanchet ».)
    people = {*User.objects.values_list("email", flat=True), *Learner.objects.values_list("email", flat=True)}
    people |= set(Learner.objects.exclude(phone="").values_list("phone", flat=True))
    people.discard("")
    schools = School.objects.filter(network=demo.network)
    assert schools.count() == 18
    for school in schools:
        response = client.get(f"/ecoles/{school.slug}/offre.lheo.xml")
        assert response.status_code == 200, school.slug
        assert response["Content-Type"] == XML
        root = assert_valid_lheo(response.content)
        assert sessions(root), school.slug
        text = response.content.decode()
        assert not [person for person in people if person in text]
        assert (
            not root.findall(".//l:nom", NS)
            + root.findall(".//l:prenom", NS)
            + root.findall(".//l:civilite", NS)
        )
    everything = client.get("/offre.lheo.xml")
    assert everything.status_code == 200
    root = assert_valid_lheo(everything.content)
    numbers = {f.get("numero") for f in root.findall("l:offres/l:formation", NS)}
    assert {school.slug for school in schools} <= numbers


@pytest.fixture
def school(communes):
    holder = OrganisationFactory(
        kind=OrganisationKind.PROJECT_HOLDER,
        name="École de la 2e Chance Test",
        nda="11770000177",
        commune=communes["77108"],
        address="12 rue de la Fibre",
        email="contact@e2c.example",
    )
    return SchoolFactory(
        network=holder.network,
        name="Plombiers Chelles",
        slug="plombiers-chelles",
        commune=communes["77108"],
        address="3 avenue du Raccordement optique, bâtiment B, zone d'activité des Coudreaux",
        project_holder=holder,
        email="chelles@plombiers.example",
        phone="01 60 00 00 00",
    )


def _get(client, school):
    return client.get(f"/ecoles/{school.slug}/offre.lheo.xml")


def test_only_the_cohorts_to_come_and_their_places(client, school):
    today = timezone.localdate()
    CohortFactory(
        school=school,
        name="Passée",
        start_date=today - dt.timedelta(days=200),
        end_date=today - dt.timedelta(days=100),
        status=CohortStatus.FINISHED,
    )
    CohortFactory(
        school=school,
        name="En cours",
        start_date=today - dt.timedelta(days=10),
        end_date=today + dt.timedelta(days=90),
        status=CohortStatus.ONGOING,
    )
    late = CohortFactory(
        school=school,
        start_date=today - dt.timedelta(days=2),
        end_date=today + dt.timedelta(days=100),
        status=CohortStatus.PLANNED,
    )
    next_one = CohortFactory(
        school=school, start_date=today + dt.timedelta(days=30), end_date=today + dt.timedelta(days=130)
    )
    for _ in range(3):
        EnrolmentFactory(cohort=next_one, learner=LearnerFactory(school=school))
    InformationSession.objects.create(
        school=school, starts_at=timezone.now() + dt.timedelta(days=7), place="Salle du plateau technique"
    )
    InformationSession.objects.create(
        school=school, starts_at=timezone.now() - dt.timedelta(days=7), place="Passée"
    )
    response = _get(client, school)
    assert response.status_code == 200
    root = assert_valid_lheo(response.content)
    found = sessions(root)
    assert [s.get("numero") for s in found] == [f"promotion-{late.pk}", f"promotion-{next_one.pk}"]
    debut = found[1].findtext("l:periode/l:debut", namespaces=NS)
    assert debut == (today + dt.timedelta(days=30)).strftime("%Y%m%d")
    assert "8 places, 5 encore libres." in found[1].findtext("l:modalites-inscription", namespaces=NS)
    assert found[1].findtext("l:etat-recrutement", namespaces=NS) == "1"
    action = root.find("l:offres/l:formation/l:action", NS)
    assert action.findtext("l:adresse-information/l:adresse/l:denomination", namespaces=NS) == (
        "Salle du plateau technique"
    )
    assert len(action.findall("l:date-information", NS)) == 1
    responsible = root.find("l:offres/l:formation/l:organisme-formation-responsable", NS)
    assert responsible.findtext("l:numero-activite", namespaces=NS) == "11770000177"
    assert responsible.findtext("l:raison-sociale", namespaces=NS) == "École de la 2e Chance Test"
    address = action.find("l:lieu-de-formation/l:coordonnees/l:adresse", NS)
    assert all(len(line.text) <= 50 for line in address.findall("l:ligne", NS))
    assert address.findtext("l:code-INSEE-commune", namespaces=NS) == "77108"
    for learner in Learner.objects.all():
        assert learner.last_name not in response.content.decode()


def test_a_full_cohort_is_declared_closed(client, school):
    cohort = CohortFactory(
        school=school,
        capacity=1,
        start_date=timezone.localdate() + dt.timedelta(days=3),
        end_date=timezone.localdate() + dt.timedelta(days=90),
    )
    EnrolmentFactory(cohort=cohort, learner=LearnerFactory(school=school))
    root = assert_valid_lheo(_get(client, school).content)
    assert sessions(root)[0].findtext("l:etat-recrutement", namespaces=NS) == "2"


def test_nothing_to_declare_is_404(client, school):
    assert _get(client, school).status_code == 404  # no cohort to come
    CohortFactory(
        school=school,
        start_date=timezone.localdate() + dt.timedelta(days=3),
        end_date=timezone.localdate() + dt.timedelta(days=90),
    )
    assert _get(client, school).status_code == 200
    school.project_holder.nda = ""
    school.project_holder.save(update_fields=["nda"])
    assert _get(client, school).status_code == 404  # no declaration number
    assert client.get("/ecoles/inconnue/offre.lheo.xml").status_code == 404
    school.project_holder.nda = "11770000177"
    school.project_holder.save(update_fields=["nda"])
    School.objects.filter(pk=school.pk).update(status=SchoolStatus.PROJECT, opened_on=None)
    assert _get(client, school).status_code == 404  # not open


def test_the_export_is_public_cached_and_answers_304(client, school):
    CohortFactory(
        school=school,
        start_date=timezone.localdate() + dt.timedelta(days=3),
        end_date=timezone.localdate() + dt.timedelta(days=90),
    )
    response = _get(client, school)
    assert response.status_code == 200 and response["Content-Type"] == XML
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    again = client.get(f"/ecoles/{school.slug}/offre.lheo.xml", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.post(f"/ecoles/{school.slug}/offre.lheo.xml").status_code == 405


@pytest.mark.parametrize("role", ["staff", "manager_a", "trainer_a", "manager_b", "outsider"])
def test_api_lheo_for_the_schools_one_sees(client, cast, role):
    for school in (cast.school_a, cast.school_b):
        holder = OrganisationFactory(
            network=school.network, kind=OrganisationKind.PROJECT_HOLDER, nda="11770000177"
        )
        School.objects.filter(pk=school.pk).update(project_holder=holder)
        CohortFactory(
            school=school,
            start_date=timezone.localdate() + dt.timedelta(days=3),
            end_date=timezone.localdate() + dt.timedelta(days=90),
        )
    client.force_login(getattr(cast, role))
    sees = {
        "staff": {"a", "b"},
        "manager_a": {"a"},
        "trainer_a": {"a"},
        "manager_b": {"b"},
        "outsider": set(),
    }[role]
    for key, school in (("a", cast.school_a), ("b", cast.school_b)):
        response = client.get(f"/api/v1/schools/{school.pk}/lheo")
        assert response.status_code == (200 if key in sees else 404), (role, key)
        if key in sees:
            assert response["Content-Type"] == XML
            assert_valid_lheo(response.content)
    assert client.get("/api/v1/schools/999999/lheo").status_code == 404


def test_api_lheo_needs_an_account(client, cast):
    assert client.get(f"/api/v1/schools/{cast.school_a.pk}/lheo").status_code == 401


def test_the_default_trades_carry_their_codes_and_the_frameworks_rome(communes):
    frameworks_load()
    for slug, offer in DEFAULT_OFFERS.items():
        trade = Trade.objects.get(slug=slug)
        assert trade.rome_codes == offer["rome_codes"]
        assert trade.formacode_codes and trade.nsf_codes and trade.public_codes
        assert trade.rome_codes == trade.frameworks.get().rome_codes


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rome_codes", ["F16051"]),
        ("rome_codes", ["Z1605"]),
        ("formacode_codes", ["2289"]),
        ("nsf_codes", ["255s"]),
    ],
)
def test_trade_codes_are_checked(communes, field, value):
    trade = Trade.objects.get(slug="fibre-optique")
    setattr(trade, field, value)
    with pytest.raises(ValidationError):
        trade.full_clean()


def test_membership_is_no_part_of_the_export(client, school):
    """The staff of the school are people: none of them is named in the offer."""
    user = User.objects.create(
        email="formatrice.secrete@plombiers.example", first_name="Zoé", last_name="Xylophone"
    )
    Membership.objects.create(user=user, role=Role.TRAINER, school=school)
    CohortFactory(
        school=school,
        start_date=timezone.localdate() + dt.timedelta(days=3),
        end_date=timezone.localdate() + dt.timedelta(days=90),
    )
    text = _get(client, school).content.decode()
    assert "Xylophone" not in text and "formatrice.secrete" not in text


def test_the_network_export_query_count_is_constant(client, school, communes, django_assert_num_queries):
    """Whatever the number of schools, cohorts and information sessions."""
    for n in range(3):
        other = SchoolFactory(
            network=school.network, project_holder=school.project_holder, commune=communes["77108"]
        )
        for week in (1, 10):
            CohortFactory(
                school=other if n else school,
                start_date=timezone.localdate() + dt.timedelta(weeks=week),
                end_date=timezone.localdate() + dt.timedelta(weeks=week + 14),
            )
        InformationSession.objects.create(
            school=other, starts_at=timezone.now() + dt.timedelta(days=n + 1), place="Salle"
        )
    # 1. the declarable schools, with their trade, commune, project holder and its commune
    # 2. their upcoming cohorts, with the count of active enrolments
    # 3. their upcoming information sessions
    with django_assert_num_queries(3):
        response = client.get("/offre.lheo.xml")
    root = assert_valid_lheo(response.content)
    assert len(root.findall("l:offres/l:formation", NS)) == 3
    # 1. the school (open), then the same three
    with django_assert_num_queries(4):
        assert _get(client, school).status_code == 200


@pytest.mark.parametrize(
    ("role", "shown"), [("staff", True), ("manager_a", True), ("trainer_a", True), ("funder", False)]
)
def test_the_school_page_links_its_export(client, cast, role, shown):
    client.force_login(getattr(cast, role))
    response = client.get(f"/ecoles/{cast.school_a.slug}/")
    assert response.status_code == 200
    assert (f'href="/ecoles/{cast.school_a.slug}/offre.lheo.xml"' in response.content.decode()) is shown


def test_a_holder_with_an_invalid_siret_is_not_declared(client, school):
    """A SIRET written around the form's validation: left out, never exported invalid."""
    CohortFactory(
        school=school,
        start_date=timezone.localdate() + dt.timedelta(days=3),
        end_date=timezone.localdate() + dt.timedelta(days=90),
    )
    assert _get(client, school).status_code == 200
    wrong = school.project_holder.siret[:-1] + str((int(school.project_holder.siret[-1]) + 1) % 10)
    type(school.project_holder).objects.filter(pk=school.project_holder_id).update(siret=wrong)
    assert _get(client, school).status_code == 404


def test_a_school_of_a_trade_added_as_data_exports_a_valid_offer(client, school):
    """The third trade (IRVE) comes from its framework file alone: its codes and texts go to LHEO."""
    frameworks_load()
    irve = Trade.objects.get(slug="irve")
    assert (irve.rome_codes, irve.formacode_codes, irve.nsf_codes) == (["F1602", "I1309"], ["24066"], ["255"])
    assert irve.rome_codes == irve.frameworks.get().rome_codes
    School.objects.filter(pk=school.pk).update(trade=irve)
    school.refresh_from_db()
    CohortFactory(
        school=school,
        start_date=timezone.localdate() + dt.timedelta(days=30),
        end_date=timezone.localdate() + dt.timedelta(days=130),
    )
    response = _get(client, school)
    assert response.status_code == 200
    root = assert_valid_lheo(response.content)
    formation = root.find("l:offres/l:formation", NS)
    assert formation.findtext("l:intitule-formation", namespaces=NS).startswith("Bornes de recharge (IRVE)")
    assert "habilitation B1V / BR" in formation.findtext("l:objectif-formation", namespaces=NS)
    assert len(sessions(root)) == 1
