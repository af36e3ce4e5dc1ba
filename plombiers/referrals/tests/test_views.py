import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plombiers.privacy import crypto
from plombiers.referrals import services
from plombiers.referrals.enums import DecisionReason, Diploma, ReferralStatus
from plombiers.referrals.models import InformationSession, Invitation, Learner, Referral, ReferralEvent
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory

KEY = "0b0c1f9e-2f43-4e1a-9f57-1f1d2a3b4c5d"


def form_data(cast, **overrides):
    data = {
        "school": cast.school_a.pk,
        "first_name": "Inès",
        "last_name": "Lefèvre-Durand",
        "birth_date": "2007-03-14",
        "gender": "",
        "phone": "06 12 34 56 78",
        "email": "",
        "commune": "Chelles (77500) — 77108",
        "address": "",
        "lives_in_qpv": "on",
        "highest_diploma": Diploma.NONE,
        "last_class": "",
        "neet_since": "",
        "is_neet": "on",
        "driving_licence": "aucun",
        "transport": "",
        "max_travel_km": "",
        "france_travail_id": "",
        "motivation": "Très motivée par la fibre.",
        "idempotency_key": KEY,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def rows():
    return [Learner.objects.count(), Referral.objects.count(), ReferralEvent.objects.count()]


def refer(cast, by=None, school=None, **learner):
    data = {"first_name": "Inès", "last_name": "Lefèvre-Durand", "birth_date": dt.date(2007, 3, 14)}
    data.setdefault("highest_diploma", Diploma.NONE)
    data.update(learner)
    return services.referral_create(
        by=by or cast.prescriber, school=school or cast.school_a, learner_data=data, motivation="Motivée"
    ).referral


# --- new referral -----------------------------------------------------------


def test_the_form_offers_only_the_schools_a_prescriber_works_with(client, cast):
    client.force_login(cast.prescriber)
    response = client.get(reverse("referrals:referral_create"))
    assert response.status_code == 200
    schools = list(response.context["form"].fields["school"].queryset)
    assert schools == [cast.school_a]
    assert "prescriber_organisation" not in response.context["form"].fields
    assert 'name="idempotency_key"' in response.content.decode()
    # A phone keypad on a phone: the field's type, not an attribute the widget overwrites.
    assert re.search(r'<input type="tel" name="phone"[^>]*autocomplete="tel"', response.content.decode())


def test_a_prescriber_refers_a_young_person_and_lands_on_the_candidate_file(client, cast):
    client.force_login(cast.prescriber)
    response = client.post(reverse("referrals:referral_create"), form_data(cast))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == referral.get_absolute_url()
    assert referral.prescriber == cast.prescriber
    assert referral.prescriber_organisation == cast.prescriber_org
    assert referral.learner.commune.insee_code == "77108"
    assert referral.learner.lives_in_qpv
    page = client.get(response["Location"]).content.decode()
    assert "Éligible" in page
    assert "Âge : " in page
    assert "quartier prioritaire" in page
    assert "L&#x27;école va étudier la candidature." in page


def test_a_double_submission_gives_one_referral(client, cast):
    client.force_login(cast.prescriber)
    first = client.post(reverse("referrals:referral_create"), form_data(cast))
    second = client.post(reverse("referrals:referral_create"), form_data(cast))
    assert Referral.objects.count() == 1
    assert first["Location"] == second["Location"] == Referral.objects.get().get_absolute_url()


def test_a_young_person_the_prescriber_already_referred_needs_a_confirmation(client, cast):
    existing = refer(cast, by=cast.prescriber, school=cast.school_a)
    services.referral_transition(referral=existing, to=ReferralStatus.CANCELLED, by=cast.prescriber)
    client.force_login(cast.prescriber)
    before = rows()
    response = client.post(
        reverse("referrals:referral_create"),
        form_data(cast, first_name="INES", last_name="lefevre durand", phone=""),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Vous connaissez déjà ce ou cette jeune" in page
    assert "Cochez la case pour confirmer" in page
    assert rows() == before
    response = client.post(
        reverse("referrals:referral_create"),
        form_data(cast, first_name="INES", last_name="lefevre durand", confirm_existing="on"),
    )
    assert response.status_code == 302
    referral = Referral.objects.filter(prescriber=cast.prescriber).first()
    assert referral.learner == existing.learner
    assert Learner.objects.count() == 1


def test_a_record_the_prescriber_cannot_see_is_neither_announced_nor_shown(client, cast):
    existing = refer(
        cast, by=cast.manager_a, school=cast.school_a, phone="0799999999", address="1 rue Secrète"
    )
    services.referral_transition(referral=existing, to=ReferralStatus.CANCELLED, by=cast.manager_a)
    client.force_login(cast.prescriber)
    response = client.post(
        reverse("referrals:referral_create"),
        form_data(cast, first_name="INES", last_name="lefevre durand", phone=""),
        follow=True,
    )
    page = response.content.decode()
    assert "Vous connaissez déjà" not in page and "fiche existante" not in page
    # The school keeps one record of the person: the referral joins it, silently.
    referral = Referral.objects.get(prescriber=cast.prescriber)
    assert referral.learner == existing.learner


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_name": ""}, "Ce champ est obligatoire"),
        ({"birth_date": ""}, "Ce champ est obligatoire"),
        ({"birth_date": "2007-02-30"}, "Saisissez une date valide"),
        ({"birth_date": "2090-01-01"}, "ne peut pas être dans le futur"),
        ({"birth_date": "1850-01-01"}, "trop ancienne"),
        ({"commune": "Atlantide"}, "Commune inconnue"),
        ({"highest_diploma": ""}, "Ce champ est obligatoire"),
        ({"max_travel_km": "900"}, "inférieure ou égale à 500"),
        ({"school": "999999"}, "Sélectionnez un choix valide"),
        ({"email": "pas-un-mail"}, "adresse de courriel valide"),
    ],
)
def test_bad_input_is_a_french_error_and_writes_nothing(client, cast, overrides, message):
    client.force_login(cast.prescriber)
    response = client.post(reverse("referrals:referral_create"), form_data(cast, **overrides))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page, page
    assert "rien n'a été enregistré" in page
    assert rows() == [0, 0, 0]


def test_a_prescriber_cannot_refer_to_a_school_their_structure_does_not_work_with(client, cast):
    client.force_login(cast.prescriber)
    client.post(reverse("referrals:referral_create"), form_data(cast, school=cast.school_b.pk))
    assert rows() == [0, 0, 0]


def test_a_second_open_referral_is_refused_without_revealing_the_first(client, cast):
    refer(cast, by=cast.manager_a)
    client.force_login(cast.prescriber)
    before = rows()
    response = client.post(
        reverse("referrals:referral_create"), form_data(cast, confirm_existing="on", phone="0700000000")
    )
    page = response.content.decode()
    assert "déjà en cours" in page
    assert "statut" not in page.split("déjà en cours")[1][:40], "the status of a record they cannot see"
    assert rows() == before
    assert Learner.objects.get().phone == ""


def test_a_manager_sees_the_status_of_the_open_referral(client, cast):
    refer(cast, by=cast.manager_a)
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("referrals:referral_create"),
        form_data(cast, confirm_existing="on", prescriber_organisation=cast.prescriber_org.pk),
    )
    assert "(statut : nouvelle)" in response.content.decode()


def test_trainers_funders_and_outsiders_cannot_refer(client, cast):
    for user in (cast.trainer_a, cast.social_worker_a, cast.funder, cast.outsider, cast.learner_a):
        client.force_login(user)
        assert client.get(reverse("referrals:referral_create")).status_code == 403
        assert client.post(reverse("referrals:referral_create"), form_data(cast)).status_code == 403
    assert rows() == [0, 0, 0]


# --- candidate file and decisions -------------------------------------------


def test_the_candidate_file_shows_eligibility_history_and_decision_choices(client, cast):
    referral = refer(cast, highest_diploma=Diploma.LEVEL_4, has_rqth=True)
    client.force_login(cast.manager_a)
    response = client.get(referral.get_absolute_url())
    page = response.content.decode()
    assert "Hors critères" in page
    assert "Non rempli :</strong> Diplôme" in page
    assert "RQTH" in page
    assert "Historique" in page and "Nouvelle" in page
    form = response.context["form"]
    offered = [value for value, _label in form.fields["to"].widget.choices]
    assert offered == services.referral_allowed_statuses(referral, cast.manager_a)
    assert "justification" in form.fields, "an ineligible candidate needs a written justification"
    assert "Communiquer le motif au prescripteur" in page


def test_a_trainer_is_offered_only_the_study_stages(client, cast):
    referral = refer(cast)
    client.force_login(cast.trainer_a)
    form = client.get(referral.get_absolute_url()).context["form"]
    assert [v for v, _ in form.fields["to"].widget.choices] == [
        ReferralStatus.REVIEW,
        ReferralStatus.INFO_SESSION,
        ReferralStatus.INTERVIEW,
    ]


def test_a_manager_refuses_with_a_reason_and_the_prescriber_is_emailed(
    client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    referral = refer(cast)
    client.force_login(cast.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("referrals:referral_transition", args=[referral.pk]),
            {
                "to": ReferralStatus.REFUSED,
                "reason": DecisionReason.BARRIERS,
                "reason_detail": "Santé",
                "note": "Interne",
            },
        )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFUSED and referral.reason == DecisionReason.BARRIERS
    assert not referral.reason_shared
    [mail] = mailoutbox
    assert "Santé" not in mail.body
    event = referral.events.last()
    assert event.by == cast.manager_a and event.note == "Interne"


def test_the_prescriber_sees_the_decision_but_never_the_unshared_reason_nor_school_notes(client, cast):
    referral = refer(cast)
    services.referral_transition(
        referral=referral,
        to=ReferralStatus.REFUSED,
        by=cast.manager_a,
        reason=DecisionReason.BARRIERS,
        reason_detail="Problème de santé",
        note="Note de l'équipe",
    )
    client.force_login(cast.prescriber)
    page = client.get(referral.get_absolute_url()).content.decode()
    assert "Refusée" in page and "Candidature non retenue." in page
    assert "santé" not in page.lower().replace("freins à lever avant l'entrée (santé", "")
    assert DecisionReason.BARRIERS.label not in page
    assert "Problème de santé" not in page
    assert "Note de l" not in page
    client.force_login(cast.manager_a)
    page = client.get(referral.get_absolute_url()).content.decode()
    assert "Problème de santé" in page and "Note de l" in page


def test_the_prescriber_sees_a_shared_reason(client, cast):
    referral = refer(cast)
    services.referral_transition(
        referral=referral,
        to=ReferralStatus.REDIRECTED,
        by=cast.manager_a,
        reason=DecisionReason.OTHER_PROGRAMME,
        reason_detail="La Garantie jeunes convient mieux",
        reason_shared=True,
    )
    client.force_login(cast.prescriber)
    page = client.get(referral.get_absolute_url()).content.decode()
    assert "Un autre dispositif est plus adapté" in page
    assert "La Garantie jeunes convient mieux" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to": ReferralStatus.REFUSED}, "Un motif est obligatoire"),
        ({"to": "inconnu"}, "Sélectionnez un choix valide"),
        ({}, "Ce champ est obligatoire"),
        ({"to": ReferralStatus.ADMITTED}, "une justification écrite est obligatoire"),
    ],
)
def test_a_bad_decision_is_a_french_error_and_changes_nothing(client, cast, data, message):
    referral = refer(cast, highest_diploma=Diploma.LEVEL_5)
    client.force_login(cast.manager_a)
    response = client.post(reverse("referrals:referral_transition", args=[referral.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW and referral.events.count() == 1


def test_an_illegal_transition_is_a_french_error(client, cast):
    referral = refer(cast)
    services.referral_transition(
        referral=referral, to=ReferralStatus.REFUSED, by=cast.manager_a, reason="projet"
    )
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("referrals:referral_transition", args=[referral.pk]), {"to": ReferralStatus.ADMITTED}
    )
    assert response.status_code in (400, 403)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFUSED and referral.events.count() == 2


def test_an_ineligible_candidate_is_admitted_with_a_justification(client, cast):
    referral = refer(cast, highest_diploma=Diploma.LEVEL_5)
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("referrals:referral_transition", args=[referral.pk]),
        {"to": ReferralStatus.ADMITTED, "justification": "Projet très solide"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (
        referral.status == ReferralStatus.ADMITTED and referral.eligibility_override == "Projet très solide"
    )


def test_forbidden_moves_are_403(client, cast):
    referral = refer(cast)
    client.force_login(cast.trainer_a)
    url = reverse("referrals:referral_transition", args=[referral.pk])
    assert client.post(url, {"to": ReferralStatus.ADMITTED}).status_code == 403
    client.force_login(cast.prescriber)
    assert client.post(url, {"to": ReferralStatus.ADMITTED}).status_code == 403
    assert client.get(url).status_code == 405
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW


def test_the_prescriber_may_cancel_their_referral(client, cast):
    referral = refer(cast)
    client.force_login(cast.prescriber)
    response = client.post(
        reverse("referrals:referral_transition", args=[referral.pk]),
        {"to": ReferralStatus.CANCELLED, "note": "A trouvé un CDD"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELLED
    assert "A trouvé un CDD" in client.get(referral.get_absolute_url()).content.decode()


# --- lists ------------------------------------------------------------------


def test_the_inbox_filters_by_status_school_and_name(client, cast):
    ines = refer(cast)
    yanis = refer(cast, first_name="Yanis", last_name="Benali")
    other = refer(cast, by=cast.staff, school=cast.school_b, first_name="Léa", last_name="Martin")
    services.referral_transition(referral=yanis, to=ReferralStatus.REVIEW, by=cast.manager_a)
    client.force_login(cast.staff)
    url = reverse("referrals:referral_list")

    def listed(query):
        return set(client.get(url + query).context["page"].object_list)

    assert listed("") == {ines, yanis, other}
    assert listed("?status=en_etude") == {yanis}
    assert listed(f"?school={cast.school_b.pk}") == {other}
    assert listed("?q=lefevre") == {ines}
    assert listed("?q=LÉA martin") == {other}


def test_the_htmx_swap_is_the_fragment_of_the_full_page(client, cast):
    refer(cast)
    client.force_login(cast.manager_a)
    url = reverse("referrals:referral_list") + "?status=nouvelle"
    full = client.get(url).content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert fragment.strip() in full


def test_the_column_view_groups_by_stage_with_markers(client, cast):
    refer(cast, lives_in_qpv=True)
    waiting = refer(cast, first_name="Yanis", has_rqth=True)
    services.referral_transition(referral=waiting, to=ReferralStatus.WAITLIST, by=cast.manager_a)
    client.force_login(cast.manager_a)
    response = client.get(reverse("referrals:referral_list") + "?vue=colonnes")
    columns = {c.key: c for c in response.context["columns"]}
    assert [r.learner.first_name for r in columns["nouvelle"].cards] == ["Inès"]
    assert columns["liste_attente"].total == 1
    page = response.content.decode()
    assert ">QPV<" in page and ">RQTH<" in page
    assert "Liste d&#x27;attente" in page


def test_a_prescriber_sees_their_referrals_with_the_next_step(client, cast):
    mine = refer(cast)
    refer(cast, by=cast.manager_a, first_name="Autre")
    client.force_login(cast.prescriber)
    response = client.get(reverse("referrals:referral_list"))
    assert list(response.context["page"].object_list) == [mine]
    assert "Mes prescriptions" in response.content.decode()
    assert "L&#x27;école va étudier la candidature." in response.content.decode()


def _many_referrals(cast, n):
    learners = LearnerFactory.create_batch(n, lives_in_qpv=True)
    for learner in learners:
        ReferralFactory(
            learner=learner, school=cast.school_a, prescriber=cast.prescriber, created_by=cast.prescriber
        )


@pytest.mark.parametrize("n", [2, 200])
@pytest.mark.parametrize("vue", ["", "colonnes"])
def test_the_referral_list_query_count_is_constant(client, cast, django_assert_num_queries, n, vue):
    _many_referrals(cast, n)
    client.force_login(cast.manager_a)
    # 1 session, 2 user, 3 memberships (roles, menu and scoping), 4 count, 5 page of referrals with
    # learner, commune, school, prescriber and structure, 6 schools of the filter
    # (+ 1 aggregate of the column totals in the column view)
    with django_assert_num_queries(6 + (vue == "colonnes")):
        response = client.get(reverse("referrals:referral_list") + f"?vue={vue}")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == n


def _counting_decryptions(monkeypatch) -> list[str]:
    decrypted, decrypt = [], crypto.decrypt

    def counted(token):
        decrypted.append(token)
        return decrypt(token)

    monkeypatch.setattr(crypto, "decrypt", counted)
    return decrypted


def test_a_list_decrypts_no_motivation(client, cast, monkeypatch):
    """The lists never show the motivation (an encrypted text): it is not read, so not decrypted."""
    referral = ReferralFactory(school=cast.school_a, motivation="Veut travailler dehors, sans voiture.")
    client.force_login(cast.manager_a)
    decrypted = _counting_decryptions(monkeypatch)
    for url in (
        reverse("referrals:referral_list"),
        reverse("referrals:referral_list") + "?vue=colonnes",
        reverse("referrals:learner_detail", args=[referral.learner.pk]),
    ):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and referral.learner.last_name in response.content.decode()
        if "jeunes" not in url:  # a young person's page shows their commune; a line of the list does not
            assert not any("network_commune" in query["sql"] for query in queries), url
    assert decrypted == []
    # Its page shows it.
    assert "Veut travailler dehors" in client.get(referral.get_absolute_url()).content.decode()
    assert len(decrypted) == 1


@pytest.mark.parametrize("n", [2, 200])
def test_the_learner_list_query_count_is_constant(client, cast, django_assert_num_queries, n):
    _many_referrals(cast, n)
    client.force_login(cast.prescriber)
    # 1 session, 2 user, 3 memberships, 4 count, 5 page of learners with their commune
    with django_assert_num_queries(5):
        response = client.get(reverse("referrals:learner_list"))
    assert response.context["page"].paginator.count == n


def test_the_learner_page_shows_visible_referrals_and_enrolments(client, cast):
    from plombiers.cohorts.tests.factories import CohortFactory

    referral = refer(cast)
    other = refer(cast, by=cast.staff, school=cast.school_b)
    cohort = CohortFactory(school=cast.school_a, name="Promo printemps")
    referral.learner.enrolments.create(cohort=cohort, entry_date=dt.date(2026, 3, 2), referral=referral)
    client.force_login(cast.prescriber)
    response = client.get(referral.learner.get_absolute_url())
    assert list(response.context["referrals"]) == [referral]
    assert other not in response.context["referrals"]
    page = response.content.decode()
    assert "Promo printemps" in page and "02/03/2026" in page
    # School B keeps its own record of the same person: neither school reads the other's.
    assert other.learner != referral.learner
    assert other.learner.identity_key == referral.learner.identity_key
    client.force_login(cast.trainer_b)
    assert client.get(referral.learner.get_absolute_url()).status_code == 404
    response = client.get(other.learner.get_absolute_url())
    assert list(response.context["referrals"]) == [other]
    assert "Promo printemps" not in response.content.decode()


def test_learners_are_searched_by_name(client, cast):
    refer(cast)
    refer(cast, first_name="Yanis", last_name="Benali")
    client.force_login(cast.manager_a)
    response = client.get(reverse("referrals:learner_list") + "?q=benali")
    assert [learner.first_name for learner in response.context["page"].object_list] == ["Yanis"]


# --- information sessions ---------------------------------------------------


def test_a_manager_creates_a_session_invites_candidates_and_records_who_came(client, cast):
    ines = refer(cast)
    yanis = refer(cast, first_name="Yanis")
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("referrals:session_create"),
        {
            "school": cast.school_a.pk,
            "starts_at": "2026-05-12T09:30",
            "place": "Plateau technique",
            "capacity": 10,
        },
    )
    session = InformationSession.objects.get()
    assert response["Location"] == session.get_absolute_url()
    page = client.get(session.get_absolute_url())
    assert set(page.context["invitable"]) == {ines, yanis}
    client.post(reverse("referrals:session_invite", args=[session.pk]), {"referrals": [ines.pk, yanis.pk]})
    ines.refresh_from_db()
    assert ines.status == ReferralStatus.INFO_SESSION
    assert Invitation.objects.count() == 2
    client.post(reverse("referrals:session_attendance", args=[session.pk]), {"present": [ines.pk]})
    attended = dict(Invitation.objects.values_list("referral_id", "attended"))
    assert attended == {ines.pk: True, yanis.pk: False}
    candidate_file = client.get(ines.get_absolute_url()).content.decode()
    assert "Plateau technique : présent·e" in candidate_file


def test_a_full_session_invites_nobody(client, cast):
    referrals = [refer(cast, first_name=name) for name in ("Ana", "Bob", "Céa")]
    session = services.session_create(
        school=cast.school_a,
        by=cast.manager_a,
        starts_at=dt.datetime(2026, 5, 12, 9, tzinfo=dt.UTC),
        place="Salle",
        capacity=2,
    )
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("referrals:session_invite", args=[session.pk]),
        {"referrals": [r.pk for r in referrals]},
        follow=True,
    )
    assert "Plus assez de places" in response.content.decode()
    assert Invitation.objects.count() == 0
    assert set(Referral.objects.values_list("status", flat=True)) == {ReferralStatus.NEW}


def test_a_session_form_error_is_french(client, cast):
    client.force_login(cast.trainer_a)
    response = client.post(
        reverse("referrals:session_create"), {"school": cast.school_a.pk, "starts_at": "demain", "place": ""}
    )
    assert "Saisissez une date et une heure valides" in response.content.decode()
    assert not InformationSession.objects.exists()


def test_information_sessions_are_for_school_staff_only(client, cast):
    for user in (cast.prescriber, cast.funder, cast.outsider, cast.learner_a):
        client.force_login(user)
        assert client.get(reverse("referrals:session_list")).status_code == 403
        assert client.get(reverse("referrals:session_create")).status_code == 403
