"""The internship pages: preparing a convention, its workflow buttons, the PDF, the parties' links
(signature) and the tutor's evaluation through a link — French errors, nothing half-written."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from pypdf import PdfReader

from plombiers.internships import services as svc
from plombiers.internships.enums import InternshipKind, InternshipStatus, Party
from plombiers.internships.models import ConventionSignature, Internship, TutorEvaluation
from plombiers.internships.tests.factories import CompanySiteFactory, ContactFactory
from plombiers.privacy.models import AuditEvent
from plombiers.skills.enums import Context, Level
from plombiers.skills.models import Observation

NOW = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def create(placement, by, **overrides):
    fields = {
        "enrolment": placement.enrolment,
        "site": placement.site,
        "tutor": placement.tutor,
        "start_date": dt.date(2026, 11, 16),
        "end_date": dt.date(2026, 11, 27),
        "objectives": placement.skills,
        "weekly_hours": 30,
    }
    fields.update(overrides)
    return svc.internship_create(by=by, **fields)


def to_sign(placement, cast, **overrides):
    internship = create(placement, cast.trainer_a, **overrides)
    return svc.internship_transition(internship=internship, to=InternshipStatus.TO_SIGN, by=cast.trainer_a)


def sign_url(signature):
    return svc.signing_link(signature)


def form_data(placement, **overrides):
    data = {
        "kind": InternshipKind.INTERNSHIP,
        "site": placement.site.pk,
        "tutor": placement.tutor.pk,
        "start_date": "2026-11-16",
        "end_date": "2026-11-27",
        "weekly_hours": "35",
        "objectives": [s.pk for s in placement.skills],
        "activities": "Tirage de câble, raccordements en pied d'immeuble.",
    }
    data.update(overrides)
    return data


def create_url(placement):
    return reverse("internships:internship_create") + f"?inscription={placement.enrolment.pk}"


# --- preparing ------------------------------------------------------------------------------


def test_the_trainer_prepares_an_internship_with_objectives_grouped_by_block(client, cast, placement):
    client.force_login(cast.trainer_a)
    page = client.get(create_url(placement))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Agence de Chelles" in html and "Marc Tuteur" in html
    assert "Mission Locale de Chelles" in html
    groups = page.context["form"].objective_groups()
    assert groups and all(w.data["value"] for g in groups for w in g.widgets)
    response = client.post(create_url(placement), form_data(placement))
    internship = Internship.objects.get()
    assert response.status_code == 302 and response["Location"] == internship.get_absolute_url()
    assert internship.status == InternshipStatus.DRAFT and internship.weekly_hours == 35
    assert set(internship.objectives.all()) == set(placement.skills)
    assert internship.created_by == cast.trainer_a


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_date": "2026-08-01", "end_date": "2026-08-10"}, "pendant la promotion ou juste après"),
        ({"end_date": "2026-11-01"}, "La fin du stage doit suivre son début"),
        ({"kind": InternshipKind.PMSMP}, "Une PMSMP a une structure prescriptrice"),
        ({"weekly_hours": "60"}, "inférieure ou égale à 48"),
        ({"start_date": "pas une date"}, "Date invalide"),
        ({"site": ""}, "Choisissez le site qui accueille"),
    ],
)
def test_bad_input_is_a_french_error_and_nothing_is_written(client, cast, placement, overrides, message):
    client.force_login(cast.trainer_a)
    response = client.post(create_url(placement), form_data(placement, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "rien n'a été enregistré" in response.content.decode()
    assert not Internship.objects.exists()


def test_overlapping_dates_and_a_foreign_tutor_are_refused(client, cast, placement):
    create(placement, cast.trainer_a)
    client.force_login(cast.trainer_a)
    response = client.post(create_url(placement), form_data(placement, start_date="2026-11-20"))
    assert "chevauchent un autre stage" in response.content.decode()
    other_site = CompanySiteFactory(company=cast.company_b, commune=cast.school_b.commune)
    foreign = ContactFactory(organisation=cast.company_b)
    response = client.post(
        create_url(placement),
        form_data(
            placement, start_date="2026-12-01", end_date="2026-12-04", site=other_site.pk, tutor=foreign.pk
        ),
    )
    html = response.content.decode()
    assert "pas celui d&#x27;une entreprise partenaire" in html
    assert "ne travaille pas dans une entreprise partenaire" in html
    # A contact of another partner company of the school: the service refuses the pair.
    other_contact = ContactFactory(organisation=cast.prescriber_org)
    response = client.post(
        create_url(placement),
        form_data(placement, start_date="2026-12-01", end_date="2026-12-04", tutor=other_contact.pk),
    )
    assert "ne travaille pas dans une entreprise partenaire" in response.content.decode()
    assert Internship.objects.count() == 1


def test_a_pmsmp_with_its_prescriber(client, cast, placement):
    client.force_login(cast.trainer_a)
    data = form_data(
        placement, kind=InternshipKind.PMSMP, prescriber_organisation=placement.mission_locale.pk
    )
    assert client.post(create_url(placement), data).status_code == 302
    internship = Internship.objects.get()
    assert internship.prescriber_organisation == placement.mission_locale


def test_a_draft_is_edited_and_only_a_draft(client, cast, placement):
    internship = create(placement, cast.trainer_a)
    client.force_login(cast.trainer_a)
    url = reverse("internships:internship_edit", args=[internship.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'value="30' in page.content.decode()
    response = client.post(url, form_data(placement, weekly_hours="24", end_date="2026-11-20"))
    assert response.status_code == 302
    internship.refresh_from_db()
    assert (internship.weekly_hours, internship.end_date) == (24, dt.date(2026, 11, 20))
    bad = client.post(url, form_data(placement, start_date="2027-06-01", end_date="2027-06-05"))
    assert "pendant la promotion" in bad.content.decode()
    internship.refresh_from_db()
    assert internship.start_date == dt.date(2026, 11, 16)
    svc.internship_transition(internship=internship, to=InternshipStatus.TO_SIGN, by=cast.trainer_a)
    refused = client.post(url, form_data(placement, weekly_hours="20"))
    assert refused.status_code == 302
    internship.refresh_from_db()
    assert internship.weekly_hours == 24


# --- the workflow buttons -----------------------------------------------------------------------


def test_the_buttons_follow_the_workflow(client, cast, placement, frozen):
    internship = create(placement, cast.trainer_a)
    client.force_login(cast.trainer_a)
    detail = internship.get_absolute_url()
    html = client.get(detail).content.decode()
    assert "Envoyer la convention en signature" in html and "Démarrer le stage" not in html
    move = reverse("internships:internship_transition", args=[internship.pk])
    client.post(move, {"to": InternshipStatus.TO_SIGN})
    internship.refresh_from_db()
    assert internship.status == InternshipStatus.TO_SIGN
    html = client.get(detail).content.decode()
    links = re.findall(r'value="(http://testserver/convention/[^"]+/)"', html)
    assert len(links) == 3, "one personal link per party"
    assert html.count("data:image/svg+xml") == 3, "one QR code per party"
    assert "Remettre en brouillon" in html
    # Signed is reached through the links only; start refused before the first day.
    response = client.post(move, {"to": InternshipStatus.SIGNED}, follow=True)
    assert "chaque partie l&#x27;a acceptée par son lien" in response.content.decode()
    for signature in internship.signatures.all():
        svc.convention_sign(token=sign_url(signature).split("/")[-2], name=signature.name, ip="192.0.2.1")
    response = client.post(move, {"to": InternshipStatus.ONGOING}, follow=True)
    assert "Le stage commence le 16/11/2026" in response.content.decode()
    frozen.move_to(dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.UTC))
    client.force_login(cast.trainer_a)  # six days later, a new session (staff: 2 hours idle at most)
    client.post(move, {"to": InternshipStatus.ONGOING})
    internship.refresh_from_db()
    assert internship.status == InternshipStatus.ONGOING
    # Interrupting needs a reason.
    response = client.post(move, {"to": InternshipStatus.INTERRUPTED, "reason": "  "}, follow=True)
    assert "Indiquez le motif de l&#x27;interruption" in response.content.decode()
    internship.refresh_from_db()
    assert internship.status == InternshipStatus.ONGOING
    client.post(move, {"to": InternshipStatus.INTERRUPTED, "reason": "Déménagement"})
    internship.refresh_from_db()
    assert (internship.status, internship.interruption_reason) == (
        InternshipStatus.INTERRUPTED,
        "Déménagement",
    )
    response = client.post(move, {"to": "n_importe_quoi"}, follow=True)
    assert "Action inconnue" in response.content.decode()


def test_the_links_are_emailed_through_the_task(client, cast, placement):
    internship = to_sign(placement, cast)
    client.force_login(cast.trainer_a)
    url = reverse("internships:convention_send", args=[internship.pk])
    client.post(url, {"partie": Party.COMPANY})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["marc@fibre-a.example"]
    signature = internship.signatures.get(party=Party.COMPANY)
    assert sign_url(signature) in message.body
    assert "Inès A." in message.body and "Arnaud" not in message.body
    svc.convention_sign(token=sign_url(signature).split("/")[-2], name="Marc Tuteur")
    mail.outbox.clear()
    client.post(url)
    assert {m.to[0] for m in mail.outbox} == set(
        internship.signatures.filter(signed_at__isnull=True).exclude(email="").values_list("email", flat=True)
    )
    assert "marc@fibre-a.example" not in {m.to[0] for m in mail.outbox}, "not to who has signed"


# --- the convention PDF ---------------------------------------------------------------------


def test_the_convention_pdf_names_the_parties_dates_and_hours_and_is_audited(client, cast, placement):
    internship = to_sign(placement, cast)
    signature = internship.signatures.get(party=Party.LEARNER)
    svc.convention_sign(token=sign_url(signature).split("/")[-2], name="Inès Arnaud", ip="203.0.113.9")
    client.force_login(cast.manager_a)
    response = client.get(reverse("internships:convention_pdf", args=[internship.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    flat = " ".join(text.split())
    for expected in (
        "Inès ARNAUD",
        "Fibre A",
        "Agence de Chelles",
        "Marc Tuteur",
        "École A Chelles",
        "16/11/2026",
        "27/11/2026",
        "30 h",
        "Convention de stage en entreprise",
        "203.0.113.9",
    ):
        assert expected in flat, expected
    assert placement.skills[0].title.split()[0] in flat
    assert AuditEvent.objects.filter(action="internship.convention_pdf", actor=cast.manager_a).count() == 1


def test_a_pmsmp_convention_names_the_prescriber(client, cast, placement):
    internship = to_sign(
        placement, cast, kind=InternshipKind.PMSMP, prescriber_organisation=placement.mission_locale
    )
    client.force_login(cast.trainer_a)
    text = " ".join(
        pdf_text(client.get(reverse("internships:convention_pdf", args=[internship.pk])).content).split()
    )
    assert "Mission Locale de Chelles" in text and "mise en situation en milieu professionnel" in text


# --- the convention signed through a link --------------------------------------------------------


def snapshot():
    return list(
        ConventionSignature.objects.order_by("pk").values_list("pk", "signed_at", "signed_name", "ip_address")
    )


def test_a_party_signs_through_their_link_with_ip_and_browser(client, cast, placement):
    internship = to_sign(placement, cast)
    signature = internship.signatures.get(party=Party.COMPANY)
    url = sign_url(signature)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Inès A." in html and "Arnaud" not in html, "first name and initial only"
    assert "Marc Tuteur" in html and "L&#x27;entreprise d&#x27;accueil".lower() in html.lower()
    assert "16/11/2026" in html and "30 heures par semaine" in html
    assert placement.skills[0].title in html
    pdf = client.get(reverse("internships:convention_read", args=[url.split("/")[-2]]))
    assert pdf["Content-Type"] == "application/pdf"
    # Without the box ticked, or without a name: nothing written.
    response = client.post(url, {"nom": "Marc Tuteur"})
    assert response.status_code == 400
    assert "Cochez « J&#x27;ai lu et j&#x27;accepte la convention »" in response.content.decode()
    response = client.post(url, {"accepte": "oui", "nom": " M "})
    assert response.status_code == 400 and "Écrivez vos prénom et nom" in response.content.decode()
    assert not ConventionSignature.objects.filter(signed_at__isnull=False).exists()
    response = client.post(
        url,
        {"accepte": "oui", "nom": "Marc Tuteur"},
        REMOTE_ADDR="198.51.100.23",
        HTTP_USER_AGENT="Safari iPhone",
    )
    assert response.status_code == 302 and response["Location"] == url
    signature.refresh_from_db()
    assert (signature.signed_name, signature.ip_address, signature.user_agent) == (
        "Marc Tuteur",
        "198.51.100.23",
        "Safari iPhone",
    )
    assert signature.signed_at == NOW
    again = client.get(url)
    assert again.status_code == 200
    assert "déjà été signée par ce lien, par Marc Tuteur, le 10/11/2026 à 10:00" in again.content.decode()
    before = snapshot()
    reused = client.post(url, {"accepte": "oui", "nom": "Quelqu'un d'autre"})
    assert reused.status_code == 409 and "déjà été signée" in reused.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("forged", 404, "n&#x27;est pas valable"),
        ("tampered", 404, "n&#x27;est pas valable"),
        ("garbage", 404, "n&#x27;est pas valable"),
        ("expired", 410, "Ce lien a expiré"),
        ("withdrawn", 410, "n&#x27;est plus à signer"),
    ],
)
def test_a_bad_signing_link_is_refused_in_french_and_writes_nothing(
    client, cast, placement, frozen, case, status, message
):
    internship = to_sign(placement, cast)
    signature = internship.signatures.get(party=Party.SCHOOL)
    token = sign_url(signature).split("/")[-2]
    if case == "forged":
        token = signing.dumps({"s": signature.pk, "n": "0" * 32}, salt=svc.SIGNING_SALT)
    elif case == "tampered":
        token = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    elif case == "garbage":
        token = "rien-du-tout"
    elif case == "expired":
        frozen.shift(dt.timedelta(days=15))
    elif case == "withdrawn":
        svc.internship_transition(
            internship=internship, to=InternshipStatus.INTERRUPTED, by=cast.trainer_a, reason="Annulé"
        )
    url = reverse("internships:convention_sign", args=[token])
    before = snapshot()
    for response in (client.get(url), client.post(url, {"accepte": "oui", "nom": "Karim Boulay"})):
        assert response.status_code == status, case
        assert message in response.content.decode()
        assert "Aucune information n'a été enregistrée" in response.content.decode()
    assert snapshot() == before
    if case != "withdrawn":
        assert client.get(reverse("internships:convention_read", args=[token])).status_code == status


def test_the_last_signature_makes_the_convention_signed(client, cast, placement):
    internship = to_sign(placement, cast)
    for signature in internship.signatures.all():
        client.post(sign_url(signature), {"accepte": "oui", "nom": signature.name})
    internship.refresh_from_db()
    assert internship.status == InternshipStatus.SIGNED


# --- the tutor's evaluation -------------------------------------------------------------------


@pytest.fixture
def ongoing(cast, placement, frozen):
    internship = to_sign(placement, cast)
    for signature in internship.signatures.all():
        svc.convention_sign(token=sign_url(signature).split("/")[-2], name=signature.name)
    frozen.move_to(dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.UTC))
    return svc.internship_transition(internship=internship, to=InternshipStatus.ONGOING, by=cast.trainer_a)


def evaluation_answers(placement, **overrides):
    data = {
        "tutor_name": "Marc Tuteur",
        "attendance": "reguliere",
        "soft_ponctualite": "tres_bien",
        "soft_securite": "bien",
        "soft_equipe": "bien",
        "soft_communication": "passable",
        "soft_autonomie": "bien",
        f"skill_{placement.skills[0].pk}": Level.ACQUIRED,
        f"skill_{placement.skills[1].pk}": Level.IN_PROGRESS,
        f"skill_{placement.skills[2].pk}": Level.NOT_OBSERVED,
        "outcome": "terminee",
        "wants_to_hire": "oui",
        "hired_contract": "apprentissage",
        "comment": "Très motivée.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_tutor_evaluates_through_the_link_and_observations_follow(
    client, cast, placement, ongoing, frozen
):
    client.force_login(cast.trainer_a)
    detail = ongoing.get_absolute_url()
    assert "Demander l'évaluation du tuteur" in client.get(detail).content.decode()
    client.post(reverse("internships:evaluation_request", args=[ongoing.pk]))
    evaluation = TutorEvaluation.objects.get()
    html = client.get(detail).content.decode()
    link = svc.evaluation_link(evaluation)
    assert f"http://testserver{link}" in html and "QR code du lien d'évaluation" in html
    client.post(reverse("internships:evaluation_send", args=[ongoing.pk]))
    assert mail.outbox[-1].to == ["marc@fibre-a.example"] and link in mail.outbox[-1].body
    client.logout()

    frozen.move_to(dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC))
    page = client.get(link)
    html = page.content.decode()
    assert page.status_code == 200 and "Inès A." in html and "Arnaud" not in html
    assert placement.skills[0].title in html and "Autres gestes du métier" in html
    # Missing answers: French errors, nothing written.
    bad = client.post(link, evaluation_answers(placement, soft_equipe=None, attendance=None))
    text = bad.content.decode()
    assert bad.status_code == 400
    assert "Choisissez une appréciation pour « Travail en équipe »" in text
    assert "Choisissez une réponse sur l&#x27;assiduité" in text
    bad = client.post(link, evaluation_answers(placement, wants_to_hire="non"))
    assert "Un contrat ne s&#x27;indique que si vous souhaitez recruter" in bad.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.submitted_at is None and not Observation.objects.exists()

    response = client.post(link, evaluation_answers(placement), REMOTE_ADDR="198.51.100.8")
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.submitted_at is not None and evaluation.ip_address == "198.51.100.8"
    assert (
        evaluation.soft_skills["ponctualite"] == "tres_bien" and evaluation.hired_contract == "apprentissage"
    )
    observations = Observation.objects.order_by("skill__pk")
    assert [(o.skill_id, o.level, o.context) for o in observations] == [
        (placement.skills[0].pk, Level.ACQUIRED, Context.WORKSITE),
        (placement.skills[1].pk, Level.IN_PROGRESS, Context.WORKSITE),
    ]
    thanks = client.get(link)
    assert thanks.status_code == 200 and "Votre évaluation est bien enregistrée" in thanks.content.decode()
    again = client.post(link, evaluation_answers(placement, comment="Autre chose"))
    assert again.status_code == 409
    assert Observation.objects.count() == 2

    client.force_login(cast.trainer_a)
    html = client.get(detail).content.decode()
    assert "Rendue par <strong>Marc Tuteur</strong>" in html
    assert "Très bien" in html and "Contrat d&#x27;apprentissage" in html
    assert placement.skills[0].code in html and "Acquis" in html


def test_a_bad_evaluation_link_is_refused(client, cast, placement, ongoing, frozen):
    evaluation = svc.evaluation_request(internship=ongoing, by=cast.trainer_a)
    link = svc.evaluation_link(evaluation)
    token = link.split("/")[-2]
    forged = reverse(
        "internships:evaluation", args=[token[:-2] + ("aa" if not token.endswith("aa") else "bb")]
    )
    assert client.get(forged).status_code == 404
    assert client.post(forged, evaluation_answers(placement)).status_code == 404
    frozen.shift(dt.timedelta(days=15))
    expired = client.post(link, evaluation_answers(placement))
    assert expired.status_code == 410 and "Ce lien a expiré" in expired.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.submitted_at is None and not Observation.objects.exists()


# --- the list -------------------------------------------------------------------------------------


def test_the_list_filters_and_its_htmx_swap_is_the_fragment_of_the_full_page(client, cast, placement):
    draft = create(placement, cast.trainer_a)
    sent = to_sign(placement, cast, start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 11))
    client.force_login(cast.trainer_a)
    url = reverse("internships:internship_list")

    def listed(query):
        return set(client.get(url + query).context["page"].object_list)

    assert listed("") == {draft, sent}
    assert listed(f"?status={InternshipStatus.TO_SIGN}") == {sent}
    assert listed(f"?cohort={placement.cohort.pk}") == {draft, sent}
    assert listed(f"?inscription={placement.enrolment.pk}&status=brouillon") == {draft}
    assert client.get(url + "?inscription=999999").status_code == 404
    query = f"?status={InternshipStatus.TO_SIGN}"
    full = client.get(url + query).content.decode()
    fragment = client.get(url + query, headers=HTMX).content.decode()
    assert "<html" not in fragment and fragment.strip() in full
    page = client.get(url + f"?inscription={placement.enrolment.pk}").content.decode()
    assert "Préparer un stage" in page


@pytest.mark.parametrize("rows", [1, 6])
def test_the_list_query_count_is_pinned(client, cast, placement, django_assert_num_queries, rows):
    for week in range(rows):
        start = dt.date(2026, 9, 7) + dt.timedelta(days=14 * week)
        create(placement, cast.trainer_a, start_date=start, end_date=start + dt.timedelta(days=4))
    client.force_login(cast.trainer_a)
    client.get(reverse("internships:internship_list"))  # the session and memberships warm up
    with django_assert_num_queries(7):
        response = client.get(reverse("internships:internship_list"))
    assert len(response.context["page"].object_list) == rows
