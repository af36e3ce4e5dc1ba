"""The internships API: internships and their workflow, offers, applications — the whole cast."""

import datetime as dt

import pytest
import schemathesis
import time_machine
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from plombiers.accounts.services import api_token_create
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.frameworks.models import Skill
from plombiers.internships import services as svc
from plombiers.internships.enums import ApplicationStatus, ContractType, OfferStatus
from plombiers.internships.models import Application, ConventionSignature, Internship, Offer
from plombiers.internships.tests.factories import (
    CompanySiteFactory,
    ContactFactory,
    InternshipFactory,
    OfferFactory,
)
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory
from plombiers.referrals.tests.factories import LearnerFactory, referred_by
from plombiers.wsgi import application as wsgi_application

JSON = "application/json"
NOW = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def headers_for(client, user):
    _token, raw = api_token_create(user=user)
    headers = {"Authorization": f"Bearer {raw}"}
    # The first call stamps the token's last use (then at most once a minute): keep it out of counts.
    client.get("/api/v1/internships?limit=1", headers=headers)
    return headers


@pytest.fixture
def trainer(client, cast):
    return headers_for(client, cast.trainer_a)


def post(client, url, payload, headers):
    return client.post(url, payload, content_type=JSON, headers=headers)


def draft(placement, by, **overrides):
    fields = {
        "enrolment": placement.enrolment,
        "site": placement.site,
        "tutor": placement.tutor,
        "start_date": dt.date(2026, 11, 16),
        "end_date": dt.date(2026, 11, 27),
        "objectives": placement.skills[:1],
    }
    return svc.internship_create(by=by, **{**fields, **overrides})


@pytest.fixture
def other_school(cast):
    """School B's cohort, a learner and an internship at its partner « Datacenter B »."""
    cohort = CohortFactory(school=cast.school_b)
    enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(last_name="Bernard"))
    site = CompanySiteFactory(company=cast.company_b, commune=cast.school_b.commune)
    tutor = ContactFactory(organisation=cast.company_b)
    internship = InternshipFactory(enrolment=enrolment, site=site, tutor=tutor)
    offer = OfferFactory(company=cast.company_b, commune=cast.school_b.commune)
    return internship, offer


# --- internships: reading ----------------------------------------------------------------------


def test_internship_list_fields_and_filters(client, cast, placement, trainer, other_school):
    first = draft(placement, cast.trainer_a)
    second_enrolment = EnrolmentFactory(cohort=placement.cohort, learner=LearnerFactory(last_name="Benali"))
    second = draft(
        placement,
        cast.trainer_a,
        enrolment=second_enrolment,
        start_date=dt.date(2026, 12, 1),
        end_date=dt.date(2026, 12, 11),
    )
    svc.internship_transition(internship=second, to="a_signer", by=cast.trainer_a)

    body = client.get("/api/v1/internships", headers=trainer).json()
    assert body["count"] == 2, "not school B's"
    assert [i["id"] for i in body["items"]] == [second.pk, first.pk]
    assert body["items"][1] == {
        "id": first.pk,
        "kind": "stage",
        "status": "brouillon",
        "enrolment": placement.enrolment.pk,
        "cohort": placement.cohort.pk,
        "school": cast.school_a.pk,
        "learner": placement.learner.pk,
        "learner_name": "Inès Arnaud",
        "company": cast.company_a.pk,
        "company_name": "Fibre A",
        "site": placement.site.pk,
        "site_name": "Agence de Chelles",
        "commune": {
            "id": cast.school_a.commune.pk,
            "name": cast.school_a.commune.name,
            "insee_code": "77108",
        },
        "tutor": placement.tutor.pk,
        "tutor_name": "Marc Tuteur",
        "start_date": "2026-11-16",
        "end_date": "2026-11-27",
        "weekly_hours": 35.0,
    }
    to_sign = client.get("/api/v1/internships?status=a_signer", headers=trainer).json()
    assert [i["id"] for i in to_sign["items"]] == [second.pk]
    by_enrolment = client.get(
        f"/api/v1/internships?enrolment={placement.enrolment.pk}", headers=trainer
    ).json()
    assert [i["id"] for i in by_enrolment["items"]] == [first.pk]
    by_cohort = client.get(
        f"/api/v1/internships?cohort={placement.cohort.pk}&limit=1", headers=trainer
    ).json()
    assert by_cohort["count"] == 2 and len(by_cohort["items"]) == 1
    assert client.get("/api/v1/internships?kind=pmsmp", headers=trainer).json()["count"] == 0
    assert client.get("/api/v1/internships?status=inconnu", headers=trainer).status_code == 422


@pytest.mark.parametrize("rows", [3, 10])
def test_internship_list_query_count_is_constant(
    client, cast, placement, trainer, django_assert_num_queries, rows
):
    for _ in range(rows):
        enrolment = EnrolmentFactory(cohort=placement.cohort, learner=LearnerFactory())
        InternshipFactory(enrolment=enrolment, site=placement.site, tutor=placement.tutor)
    # token, count, page of internships with learner, cohort, school, company, site, commune, tutor
    with django_assert_num_queries(3):
        response = client.get("/api/v1/internships?limit=500", headers=trainer)
    assert response.json()["count"] == rows


def test_internship_detail_shows_where_each_party_stands_never_the_link(client, cast, placement, trainer):
    internship = draft(placement, cast.trainer_a, objectives=placement.skills[:2])
    detail = client.get(f"/api/v1/internships/{internship.pk}", headers=trainer).json()
    assert detail["signatures"] == []
    assert {s["id"] for s in detail["objectives"]} == {s.pk for s in placement.skills[:2]}
    assert (detail["prescriber_organisation"], detail["renewal_of"], detail["interruption_reason"]) == (
        None,
        None,
        "",
    )
    svc.internship_transition(internship=internship, to="a_signer", by=cast.trainer_a)
    school = ConventionSignature.objects.get(internship=internship, party="ecole")
    school.signed_at, school.signed_name = NOW, "Karim Boulay"
    school.save()

    response = client.get(f"/api/v1/internships/{internship.pk}", headers=trainer)
    signatures = response.json()["signatures"]
    assert signatures == [
        {"party": "jeune", "name": "Inès Arnaud", "signed_at": None},
        {"party": "entreprise", "name": "Marc Tuteur", "signed_at": None},
        {"party": "ecole", "name": cast.school_a.name, "signed_at": "2026-11-10T09:00:00Z"},
    ]
    for signature in ConventionSignature.objects.filter(internship=internship):
        assert signature.nonce not in response.content.decode()
    assert "nonce" not in response.content.decode() and "link" not in response.content.decode()


def test_who_sees_an_internship(client, cast, placement, other_school):
    internship = draft(placement, cast.trainer_a)
    school_b_internship, _offer = other_school
    for user, status in [
        (cast.manager_a, 200),
        (cast.social_worker_a, 200),
        (cast.staff, 200),
        (cast.learner_a, 200),  # Inès herself
        (cast.manager_b, 404),
        (cast.trainer_b, 404),
        (cast.prescriber, 404),  # did not refer Inès
        (cast.funder, 404),
        (cast.outsider, 404),
    ]:
        headers = headers_for(client, user)
        response = client.get(f"/api/v1/internships/{internship.pk}", headers=headers)
        assert response.status_code == status, user
        listed = client.get("/api/v1/internships", headers=headers).json()["items"]
        assert (internship.pk in {i["id"] for i in listed}) == (status == 200), user
    trainer_a = headers_for(client, cast.trainer_a)
    response = client.get(f"/api/v1/internships/{school_b_internship.pk}", headers=trainer_a)
    assert (response.status_code, response.json()) == (404, {"detail": "Introuvable."})


def test_the_prescriber_sees_the_internship_of_the_young_person_they_referred(client, cast, placement):

    internship = draft(placement, cast.trainer_a)
    referred_by(cast.prescriber, placement.learner, cast.school_a)
    headers = headers_for(client, cast.prescriber)
    assert client.get(f"/api/v1/internships/{internship.pk}", headers=headers).status_code == 200
    refused = post(client, f"/api/v1/internships/{internship.pk}/transitions", {"to": "a_signer"}, headers)
    assert refused.status_code == 403


# --- internships: writing ----------------------------------------------------------------------


def payload_for(placement, **overrides):
    return {
        "enrolment": placement.enrolment.pk,
        "site": placement.site.pk,
        "tutor": placement.tutor.pk,
        "start_date": "2026-11-16",
        "end_date": "2026-11-27",
        **overrides,
    }


def test_trainer_prepares_an_internship(client, cast, placement, trainer):
    skill_by_code, skill_by_id = placement.skills[0], placement.skills[1]
    payload = payload_for(
        placement,
        weekly_hours=24.5,
        objectives=[skill_by_code.code, skill_by_id.pk],
        activities="  Tirage de câble et soudure.  ",
    )
    response = post(client, "/api/v1/internships", payload, trainer)
    assert response.status_code == 201, response.json()
    body = response.json()
    internship = Internship.objects.get()
    assert (body["id"], body["status"], body["kind"], body["weekly_hours"]) == (
        internship.pk,
        "brouillon",
        "stage",
        24.5,
    )
    assert body["activities"] == internship.activities == "Tirage de câble et soudure."
    assert set(internship.objectives.all()) == {skill_by_code, skill_by_id}
    assert {s["code"] for s in body["objectives"]} == {skill_by_code.code, skill_by_id.code}
    assert internship.created_by == cast.trainer_a and body["signatures"] == []


def test_a_pmsmp_has_its_prescriber_as_a_fourth_party(client, cast, placement, trainer):
    payload = payload_for(placement, kind="pmsmp", prescriber_organisation=placement.mission_locale.pk)
    response = post(client, "/api/v1/internships", payload, trainer)
    assert response.status_code == 201, response.json()
    assert response.json()["prescriber_organisation_name"] == "Mission Locale de Chelles"
    internship_id = response.json()["id"]
    moved = post(client, f"/api/v1/internships/{internship_id}/transitions", {"to": "a_signer"}, trainer)
    assert [s["party"] for s in moved.json()["signatures"]] == [
        "jeune",
        "entreprise",
        "ecole",
        "prescripteur",
    ]


@pytest.mark.parametrize(
    ("overrides", "status", "detail"),
    [
        ({"start_date": "2026-08-31", "end_date": "2026-09-11"}, 422, "pendant la promotion ou juste après"),
        ({"start_date": "2027-01-18", "end_date": "2027-01-29"}, 422, "pendant la promotion ou juste après"),
        ({"start_date": "2026-11-23", "end_date": "2026-12-04"}, 422, "chevauchent un autre stage"),
        ({"start_date": "2026-11-27", "end_date": "2026-11-16"}, 422, "doit suivre son début"),
        ({"kind": "pmsmp"}, 422, "structure prescriptrice"),
        ({"kind": "pmsmp", "prescriber_organisation": "company"}, 422, "structure prescriptrice"),
        (
            {"kind": "pmsmp", "prescriber_organisation": "mission locale", "end_date": "2026-12-18"},
            422,
            "un mois au plus",
        ),
        ({"prescriber_organisation": 999999}, 422, "structure prescriptrice n'existe pas"),
        ({"site": 999999}, 422, "site d'entreprise n'existe pas"),
        ({"site": "school B's site"}, 422, "site d'entreprise n'existe pas"),
        ({"tutor": 999999}, 422, "contact de l'entreprise d'accueil"),
        ({"tutor": "other company's contact"}, 422, "contact de l'entreprise d'accueil"),
        ({"objectives": ["XX-999"]}, 422, "référentiel de la promotion"),
        ({"objectives": ["other framework"]}, 422, "référentiel de la promotion"),
        ({"renewal_of": 999999}, 422, "renouveler n'existe pas"),
        ({"kind": "cdi"}, 422, "Requête invalide."),
        ({"weekly_hours": 60}, 422, "Requête invalide."),
        ({"weekly_hours": 0}, 422, "Requête invalide."),
        ({"start_date": "16/11/2026"}, 422, "Requête invalide."),
        ({"activities": "a\x00b"}, 422, "Requête invalide."),
        ({"enrolment": 2**63}, 422, "Requête invalide."),
    ],
)
def test_bad_internships_are_a_french_4xx_and_nothing_is_written(
    client, cast, placement, trainer, overrides, status, detail
):
    existing = InternshipFactory(
        enrolment=placement.enrolment,
        site=placement.site,
        tutor=placement.tutor,
        start_date=dt.date(2026, 12, 1),
        end_date=dt.date(2026, 12, 11),
    )
    substitutes = {
        "company": lambda: cast.company_a.pk,
        "mission locale": lambda: placement.mission_locale.pk,
        "school B's site": lambda: (
            CompanySiteFactory(company=cast.company_b, commune=cast.school_b.commune).pk
        ),
        "other company's contact": lambda: ContactFactory(organisation=cast.company_b).pk,
        "other framework": lambda: Skill.objects.exclude(framework=placement.cohort.framework).first().code,
    }
    for name, value in list(overrides.items()):
        if isinstance(value, str) and value in substitutes:
            overrides[name] = substitutes[value]()
        elif isinstance(value, list):
            overrides[name] = [substitutes[v]() if v in substitutes else v for v in value]
    response = post(client, "/api/v1/internships", payload_for(placement, **overrides), trainer)
    assert response.status_code == status, response.json()
    assert detail in response.json()["detail"]
    assert list(Internship.objects.all()) == [existing]
    assert not ConventionSignature.objects.exists()


def test_network_staff_cannot_place_a_young_person_with_another_schools_partner(client, cast, placement):
    school_b_site = CompanySiteFactory(company=cast.company_b, commune=cast.school_b.commune)
    tutor = ContactFactory(organisation=cast.company_b)
    payload = payload_for(placement, site=school_b_site.pk, tutor=tutor.pk)
    response = post(client, "/api/v1/internships", payload, headers_for(client, cast.staff))
    assert (response.status_code, response.json()) == (
        422,
        {"detail": "Cette entreprise n'est pas partenaire de l'école."},
    )
    assert not Internship.objects.exists()


def test_internship_writes_are_for_the_school_team(client, cast, placement):
    payload = payload_for(placement)
    for user, status in [
        (cast.social_worker_a, 403),
        (cast.learner_a, 403),  # sees her own enrolment, does not prepare her internship
        (cast.manager_b, 404),
        (cast.trainer_b, 404),
        (cast.prescriber, 404),
        (cast.outsider, 404),
    ]:
        headers = headers_for(client, user)
        # Told so before anything about the request itself (not "unknown site").
        response = post(client, "/api/v1/internships", {**payload, "site": 999999}, headers)
        assert response.status_code == status, user
        assert response.json()["detail"]
    assert not Internship.objects.exists()
    manager = headers_for(client, cast.manager_a)
    assert post(client, "/api/v1/internships", payload, manager).status_code == 201


def test_transitions_of_an_internship(client, cast, placement, trainer, frozen):
    internship = draft(placement, cast.trainer_a)
    url = f"/api/v1/internships/{internship.pk}/transitions"

    illegal = post(client, url, {"to": "en_cours"}, trainer)
    assert illegal.status_code == 409
    assert "ne peut pas passer à « En cours »" in illegal.json()["detail"]
    assert post(client, url, {"to": "fin"}, trainer).status_code == 422

    sent = post(client, url, {"to": "a_signer"}, trainer)
    assert sent.status_code == 200, sent.json()
    assert sent.json()["status"] == "a_signer" and len(sent.json()["signatures"]) == 3
    signed_here = post(client, url, {"to": "signee"}, trainer)
    assert (signed_here.status_code, signed_here.json()["detail"]) == (
        422,
        "La convention est signée quand chaque partie l'a acceptée par son lien.",
    )
    unexplained = post(client, url, {"to": "interrompue", "reason": "   "}, trainer)
    assert unexplained.status_code == 422 and "motif" in unexplained.json()["detail"]
    internship.refresh_from_db()
    assert internship.status == "a_signer" and internship.signatures.count() == 3

    stopped = post(client, url, {"to": "interrompue", "reason": "L'entreprise a fermé l'agence."}, trainer)
    assert stopped.status_code == 200
    assert (stopped.json()["status"], stopped.json()["interruption_reason"]) == (
        "interrompue",
        "L'entreprise a fermé l'agence.",
    )
    assert post(client, url, {"to": "brouillon"}, trainer).status_code == 409


def test_a_signed_internship_starts_on_its_first_day(client, cast, placement, trainer, frozen):
    internship = draft(placement, cast.trainer_a)
    svc.internship_transition(internship=internship, to="a_signer", by=cast.trainer_a)
    ConventionSignature.objects.filter(internship=internship).update(signed_at=NOW, signed_name="Signé")
    Internship.objects.filter(pk=internship.pk).update(status="signee")
    url = f"/api/v1/internships/{internship.pk}/transitions"
    early = post(client, url, {"to": "en_cours"}, trainer)
    assert (early.status_code, early.json()["detail"]) == (422, "Le stage commence le 16/11/2026.")
    frozen.move_to(dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.UTC))
    assert post(client, url, {"to": "en_cours"}, trainer).json()["status"] == "en_cours"


def test_internship_transitions_are_for_the_school_team(client, cast, placement):
    internship = draft(placement, cast.trainer_a)
    url = f"/api/v1/internships/{internship.pk}/transitions"
    for user, status in [
        (cast.social_worker_a, 403),
        (cast.learner_a, 403),
        (cast.manager_b, 404),
        (cast.outsider, 404),
    ]:
        response = post(client, url, {"to": "a_signer"}, headers_for(client, user))
        assert response.status_code == status, user
    internship.refresh_from_db()
    assert internship.status == "brouillon" and not internship.signatures.exists()


# --- offers --------------------------------------------------------------------------------------


def test_offer_list_fields_and_filters(client, cast, placement, trainer, other_school):
    _internship, school_b_offer = other_school
    job = OfferFactory(
        company=cast.company_a,
        site=placement.site,
        commune=cast.school_a.commune,
        title="Technicien·ne fibre",
        rome_code="F1605",
        contract=ContractType.CDD,
        contract_months=6,
        start_date=dt.date(2027, 1, 4),
        driving_licence_required=True,
    )
    job.required_skills.set(placement.skills[:2])
    internship_offer = OfferFactory(
        company=cast.company_a, commune=cast.school_a.commune, kind="stage", status=OfferStatus.CLOSED
    )

    body = client.get("/api/v1/offers", headers=trainer).json()
    assert body["count"] == 2, "not school B's partner's"
    item = next(i for i in body["items"] if i["id"] == job.pk)
    assert {k: v for k, v in item.items() if k not in ("created_at", "latitude", "longitude")} == {
        "id": job.pk,
        "title": "Technicien·ne fibre",
        "kind": "emploi",
        "status": "ouverte",
        "company": cast.company_a.pk,
        "company_name": "Fibre A",
        "site": placement.site.pk,
        "rome_code": "F1605",
        "contract": "cdd",
        "contract_months": 6,
        "commune": {
            "id": cast.school_a.commune.pk,
            "name": cast.school_a.commune.name,
            "insee_code": "77108",
        },
        "start_date": "2027-01-04",
        "driving_licence_required": True,
        "required_skills": sorted(
            ({"id": s.pk, "code": s.code, "title": s.title} for s in placement.skills[:2]),
            key=lambda s: s["code"],
        ),
        "description": "",
    }
    assert item["latitude"] == cast.school_a.commune.latitude
    other = next(i for i in body["items"] if i["id"] == internship_offer.pk)
    assert (other["contract"], other["site"], other["required_skills"]) == (None, None, [])
    for query, expected in [
        ("status=fermee", [internship_offer.pk]),
        ("kind=emploi", [job.pk]),
        ("contract=cdd", [job.pk]),
        (f"company={cast.company_a.pk}", [job.pk, internship_offer.pk]),
        (f"company={cast.company_b.pk}", []),
    ]:
        items = client.get(f"/api/v1/offers?{query}", headers=trainer).json()["items"]
        assert sorted(i["id"] for i in items) == sorted(expected), query
    assert client.get("/api/v1/offers?contract=stage", headers=trainer).status_code == 422
    detail = client.get(f"/api/v1/offers/{job.pk}", headers=trainer)
    assert detail.json()["id"] == job.pk
    assert client.get(f"/api/v1/offers/{school_b_offer.pk}", headers=trainer).status_code == 404


@pytest.mark.parametrize("rows", [3, 10])
def test_offer_list_query_count_is_constant(
    client, cast, placement, trainer, django_assert_num_queries, rows
):
    for _ in range(rows):
        offer = OfferFactory(company=cast.company_a, commune=cast.school_a.commune)
        offer.required_skills.set(placement.skills)
    # token, count, page of offers with company and commune, their required skills
    with django_assert_num_queries(4):
        response = client.get("/api/v1/offers?limit=500", headers=trainer)
    assert response.json()["count"] == rows
    assert {len(i["required_skills"]) for i in response.json()["items"]} == {3}


def offer_payload(cast, **overrides):
    return {
        "company": cast.company_a.pk,
        "title": "Raccordeur·se fibre",
        "commune": cast.school_a.commune.pk,
        **overrides,
    }


def test_trainer_publishes_an_offer_with_required_skills(client, cast, placement, trainer):
    payload = offer_payload(
        cast,
        site=placement.site.pk,
        kind="alternance",
        contract="apprentissage",
        rome_code="F1605",
        required_skills=[s.pk for s in placement.skills],
        start_date="2027-02-01",
        driving_licence_required=True,
        description="Chez Fibre A.",
    )
    response = post(client, "/api/v1/offers", payload, trainer)
    assert response.status_code == 201, response.json()
    body = response.json()
    offer = Offer.objects.get()
    assert (body["id"], body["status"], body["contract"], body["kind"]) == (
        offer.pk,
        "ouverte",
        "apprentissage",
        "alternance",
    )
    assert set(offer.required_skills.all()) == set(placement.skills)
    assert (offer.latitude, offer.longitude) == (
        cast.school_a.commune.latitude,
        cast.school_a.commune.longitude,
    )
    assert offer.created_by == cast.trainer_a


@pytest.mark.parametrize(
    ("overrides", "status", "detail"),
    [
        ({"contract": "cdd"}, 422, "Un CDD a une durée"),
        ({"commune": 999999}, 422, "Cette commune n'existe pas."),
        ({"site": "school B's site"}, 422, "pas celui de l'entreprise"),
        ({"required_skills": [999999]}, 422, "Une compétence demandée n'existe pas."),
        ({"company": "prescriber"}, 422, "Une offre vient d'une entreprise."),
        ({"company": "school B's company"}, 404, "Introuvable."),
        ({"company": 999999}, 404, "Introuvable."),
        ({"title": "   "}, 422, "Requête invalide."),
        ({"title": "x" * 201}, 422, "Requête invalide."),
        ({"rome_code": "fibre"}, 422, "Requête invalide."),
        ({"contract": "stage"}, 422, "Requête invalide."),
        ({"contract": "cdd", "contract_months": 0}, 422, "Requête invalide."),
        ({"status": "archivee"}, 422, "Requête invalide."),
        ({"description": "\x00"}, 422, "Requête invalide."),
    ],
)
def test_bad_offers_are_a_french_4xx_and_nothing_is_written(
    client, cast, placement, trainer, overrides, status, detail
):
    substitutes = {
        "school B's site": lambda: (
            CompanySiteFactory(company=cast.company_b, commune=cast.school_b.commune).pk
        ),
        "prescriber": lambda: cast.prescriber_org.pk,
        "school B's company": lambda: cast.company_b.pk,
    }
    overrides = {
        k: substitutes[v]() if isinstance(v, str) and v in substitutes else v for k, v in overrides.items()
    }
    response = post(client, "/api/v1/offers", offer_payload(cast, **overrides), trainer)
    assert response.status_code == status, response.json()
    assert detail in response.json()["detail"]
    assert not Offer.objects.exists()


def test_offer_writes_and_the_cast(client, cast, placement):
    # A company school B merely sees (its project holder, say) is not school B's to publish for.
    cast.school_b.project_holder = cast.company_a
    cast.school_b.save()
    for user, status in [
        (cast.manager_b, 403),
        (cast.trainer_b, 403),
        (cast.learner_a, 404),
        (cast.prescriber, 404),
        (cast.funder, 404),
        (cast.outsider, 404),
    ]:
        response = post(
            client, "/api/v1/offers", offer_payload(cast, commune=999999), headers_for(client, user)
        )
        assert response.status_code == status, user
        assert response.json()["detail"]
    assert not Offer.objects.exists()
    for user in (cast.learner_a, cast.prescriber, cast.outsider):
        assert client.get("/api/v1/offers", headers=headers_for(client, user)).json()["count"] == 0
    # The social worker of a partner school may publish: offer_save's rule (can_manage_offers).
    social_worker = headers_for(client, cast.social_worker_a)
    assert post(client, "/api/v1/offers", offer_payload(cast), social_worker).status_code == 201


# --- applications --------------------------------------------------------------------------------


@pytest.fixture
def offer(cast):
    return OfferFactory(company=cast.company_a, commune=cast.school_a.commune, title="Monteur·se réseaux")


def test_trainer_proposes_a_young_person_then_follows_up(client, cast, placement, trainer, offer):
    response = post(
        client, "/api/v1/applications", {"offer": offer.pk, "enrolment": placement.enrolment.pk}, trainer
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    application = Application.objects.get()
    assert {k: body[k] for k in ("id", "offer", "offer_title", "company_name", "learner_name", "status")} == {
        "id": application.pk,
        "offer": offer.pk,
        "offer_title": "Monteur·se réseaux",
        "company_name": "Fibre A",
        "learner_name": "Inès Arnaud",
        "status": "propose",
    }
    again = post(
        client, "/api/v1/applications", {"offer": offer.pk, "enrolment": placement.enrolment.pk}, trainer
    )
    assert (again.status_code, again.json()["detail"]) == (
        422,
        "Ce ou cette jeune est déjà proposé·e pour cette offre.",
    )

    url = f"/api/v1/applications/{application.pk}/transitions"
    interview = post(client, url, {"to": "entretien", "note": "Jeudi 10 h."}, trainer)
    assert (interview.status_code, interview.json()["status"], interview.json()["note"]) == (
        200,
        "entretien",
        "Jeudi 10 h.",
    )
    assert post(client, url, {"to": "propose"}, trainer).status_code == 409
    assert post(client, url, {"to": "embauche"}, trainer).status_code == 422
    hired = post(client, url, {"to": "retenu", "hired_on": "2027-01-04"}, trainer)
    assert (hired.json()["status"], hired.json()["hired_on"]) == ("retenu", "2027-01-04")
    assert post(client, url, {"to": "non_retenu"}, trainer).status_code == 409
    application.refresh_from_db()
    assert (application.status, application.hired_on) == (ApplicationStatus.HIRED, dt.date(2027, 1, 4))


@pytest.mark.parametrize(
    ("case", "status", "detail"),
    [
        ("closed offer", 422, "n'est plus ouverte"),
        ("school B's offer", 404, "Introuvable."),
        ("school B's enrolment", 404, "Introuvable."),
        ("non-partner offer", 404, "Introuvable."),
        ("huge id", 422, "Requête invalide."),
    ],
)
def test_bad_applications_are_a_4xx_and_nothing_is_written(
    client, cast, placement, trainer, offer, other_school, case, status, detail
):
    school_b_internship, school_b_offer = other_school
    payload = {"offer": offer.pk, "enrolment": placement.enrolment.pk}
    if case == "closed offer":
        offer.status = OfferStatus.CLOSED
        offer.save()
    elif case == "school B's offer":
        payload["offer"] = school_b_offer.pk
    elif case == "school B's enrolment":
        payload["enrolment"] = school_b_internship.enrolment_id
    elif case == "non-partner offer":
        stranger = OrganisationFactory(network=cast.network, kind=OrganisationKind.COMPANY)
        payload["offer"] = OfferFactory(company=stranger, commune=cast.school_a.commune).pk
    else:
        payload["offer"] = 2**64
    response = post(client, "/api/v1/applications", payload, trainer)
    assert response.status_code == status, response.json()
    assert detail in response.json()["detail"]
    assert not Application.objects.exists()


def test_application_list_filters_and_the_cast(client, cast, placement, trainer, offer, other_school):
    second = OfferFactory(company=cast.company_a, commune=cast.school_a.commune)
    mine = svc.application_create(offer=offer, enrolment=placement.enrolment, by=cast.trainer_a)
    other = svc.application_create(offer=second, enrolment=placement.enrolment, by=cast.trainer_a)
    svc.application_transition(application=other, to="non_retenu", by=cast.trainer_a)
    school_b_internship, school_b_offer = other_school
    theirs = svc.application_create(
        offer=school_b_offer, enrolment=school_b_internship.enrolment, by=cast.manager_b
    )

    body = client.get("/api/v1/applications", headers=trainer).json()
    assert sorted(i["id"] for i in body["items"]) == sorted([mine.pk, other.pk])
    for query, expected in [
        ("status=non_retenu", [other.pk]),
        (f"offer={offer.pk}", [mine.pk]),
        (f"enrolment={placement.enrolment.pk}", [mine.pk, other.pk]),
    ]:
        items = client.get(f"/api/v1/applications?{query}", headers=trainer).json()["items"]
        assert sorted(i["id"] for i in items) == sorted(expected), query
    assert client.get("/api/v1/applications?status=embauche", headers=trainer).status_code == 422
    url = f"/api/v1/applications/{mine.pk}"
    for user, status in [
        (cast.trainer_a, 200),
        (cast.social_worker_a, 200),
        (cast.learner_a, 200),
        (cast.manager_b, 404),
        (cast.prescriber, 404),
        (cast.outsider, 404),
    ]:
        assert client.get(url, headers=headers_for(client, user)).status_code == status, user
    assert client.get(f"/api/v1/applications/{theirs.pk}", headers=trainer).status_code == 404


def test_application_writes_are_for_the_school_team(client, cast, placement, offer):
    application = svc.application_create(offer=offer, enrolment=placement.enrolment, by=cast.trainer_a)
    payload = {"offer": offer.pk, "enrolment": placement.enrolment.pk}
    for user, status in [
        (cast.social_worker_a, 403),
        (cast.learner_a, 403),
        (cast.manager_b, 404),
        (cast.outsider, 404),
    ]:
        headers = headers_for(client, user)
        assert post(client, "/api/v1/applications", payload, headers).status_code == status, user
        moved = post(
            client, f"/api/v1/applications/{application.pk}/transitions", {"to": "entretien"}, headers
        )
        assert moved.status_code == status, user
    assert list(Application.objects.values_list("status", flat=True)) == ["propose"]


@pytest.mark.parametrize("rows", [3, 10])
def test_application_list_query_count_is_constant(
    client, cast, placement, trainer, django_assert_num_queries, rows
):
    for _ in range(rows):
        offer = OfferFactory(company=cast.company_a, commune=cast.school_a.commune)
        svc.application_create(offer=offer, enrolment=placement.enrolment, by=cast.trainer_a)
    # token, count, page of applications with offer, company, enrolment, learner, cohort and
    # school, the user's memberships (whether the team's note is shown), once
    with django_assert_num_queries(4):
        response = client.get("/api/v1/applications?limit=500", headers=trainer)
    assert response.json()["count"] == rows


# --- the whole API -------------------------------------------------------------------------------

OPERATIONS = [
    ("get", "/api/v1/internships"),
    ("post", "/api/v1/internships"),
    ("get", "/api/v1/internships/1"),
    ("post", "/api/v1/internships/1/transitions"),
    ("get", "/api/v1/offers"),
    ("post", "/api/v1/offers"),
    ("get", "/api/v1/offers/1"),
    ("get", "/api/v1/applications"),
    ("post", "/api/v1/applications"),
    ("get", "/api/v1/applications/1"),
    ("post", "/api/v1/applications/1/transitions"),
]


@pytest.mark.parametrize(("method", "url"), OPERATIONS)
def test_anonymous_calls_get_401(client, cast, method, url):
    response = getattr(client, method)(url, {}, content_type=JSON)
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentification requise")


def test_openapi_lists_the_internship_operations(client, cast):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/internships"]) == {"get", "post"}
    assert set(paths["/api/v1/internships/{internship_id}"]) == {"get"}
    assert set(paths["/api/v1/internships/{internship_id}/transitions"]) == {"post"}
    assert set(paths["/api/v1/offers"]) == {"get", "post"}
    assert set(paths["/api/v1/offers/{offer_id}"]) == {"get"}
    assert set(paths["/api/v1/applications"]) == {"get", "post"}
    assert set(paths["/api/v1/applications/{application_id}/transitions"]) == {"post"}
    parameters = {p["name"] for p in paths["/api/v1/offers"]["get"]["parameters"]}
    assert {"status", "kind", "contract", "company", "limit", "offset"} <= parameters
    parameters = {p["name"] for p in paths["/api/v1/internships"]["get"]["parameters"]}
    assert {"status", "cohort", "enrolment", "limit", "offset"} <= parameters


# --- fuzzing with real objects ------------------------------------------------------------------
# The API-wide fuzz (api/tests/test_fuzz.py) mostly meets unknown ids, hence 404s: here the ids are
# those of a real internship, offer and application, so that the bodies reach the services.

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_application).include(
    path_regex=r"/(internships|offers|applications)"
)


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: the end of a request must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def real_ids(cast, placement, offer, keep_test_connection):
    internship = draft(placement, cast.trainer_a)
    application = svc.application_create(offer=offer, enrolment=placement.enrolment, by=cast.trainer_a)
    _token, raw = api_token_create(user=cast.trainer_a)
    ids = {"internship_id": internship.pk, "offer_id": offer.pk, "application_id": application.pk}
    return ids, {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_internships_api_never_answers_500(case, real_ids):
    ids, headers = real_ids
    case.path_parameters = {name: ids[name] for name in case.path_parameters or {}}
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
