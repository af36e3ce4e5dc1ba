import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from plombiers.accounts.enums import Role
from plombiers.accounts.tests.factories import MembershipFactory
from plombiers.cohorts import services
from plombiers.cohorts.enums import CohortStatus, DropOutReason, EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment, WaitlistEntry
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory, running_cohort
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory


@pytest.fixture
def cohort(cast):
    return running_cohort(school=cast.school_a, name="Promotion automne", capacity=2)


def cohort_data(cast, **overrides):
    data = {
        "school": cast.school_a.pk,
        "name": "Promotion printemps 2027",
        "start_date": "2027-03-01",
        "end_date": "",
        "capacity": "",
        "status": CohortStatus.PLANNED,
        "social_worker": "",
    }
    data.update(overrides)
    return data


# --- list ----------------------------------------------------------------------------------------


def test_list_shows_dates_seats_and_waiting_list_in_words(client, cast, cohort):
    EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
    WaitlistEntry.objects.create(
        cohort=cohort,
        referral=ReferralFactory(school=cast.school_a, status=ReferralStatus.WAITLIST),
        position=1,
    )
    CohortFactory(school=cast.school_b, name="Promotion Roubaix")
    client.force_login(cast.manager_a)
    response = client.get(reverse("cohorts:cohort_list"))
    html = response.content.decode()
    assert "Promotion automne" in html
    assert f"du {cohort.start_date:%d/%m/%Y} au {cohort.end_date:%d/%m/%Y}" in html
    assert "1 place libre sur 2" in html
    assert "1 candidat·e" in html
    assert "Promotion Roubaix" not in html


def test_list_filters_by_school_and_status_and_htmx_gives_the_fragment(client, cast, cohort):
    CohortFactory(school=cast.school_b, name="Promotion Roubaix")
    CohortFactory(school=cast.school_a, name="Promotion passée", status=CohortStatus.FINISHED)
    client.force_login(cast.staff)
    url = reverse("cohorts:cohort_list")
    by_school = client.get(url, {"school": cast.school_b.pk}).content.decode()
    assert "Promotion Roubaix" in by_school and "Promotion automne" not in by_school
    full = client.get(url, {"status": CohortStatus.FINISHED})
    fragment = client.get(url, {"status": CohortStatus.FINISHED}, headers={"HX-Request": "true"})
    assert "Promotion passée" in fragment.content.decode()
    assert "Promotion automne" not in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    # The swap shows what a reload shows.
    assert fragment.content.decode().strip() in full.content.decode()


def test_a_learner_sees_only_their_own_cohort(client, cast, cohort):
    other = CohortFactory(school=cast.school_a, name="Autre promotion")
    EnrolmentFactory(cohort=cohort, learner=LearnerFactory(user=cast.learner_a))
    client.force_login(cast.learner_a)
    html = client.get(reverse("cohorts:cohort_list")).content.decode()
    assert cohort.name in html and other.name not in html


def _add_cohorts(cast, n):
    learners = LearnerFactory.create_batch(n)
    for i, learner in enumerate(learners):
        school = cast.school_a if i % 2 else cast.school_b
        cohort = CohortFactory(school=school, capacity=3)
        EnrolmentFactory(cohort=cohort, learner=learner)
        WaitlistEntry.objects.create(
            cohort=cohort, referral=ReferralFactory(school=school, status=ReferralStatus.WAITLIST), position=1
        )


@pytest.mark.parametrize("rows", [2, 200])
def test_list_query_count_is_constant(client, cast, django_assert_num_queries, rows):
    _add_cohorts(cast, rows)
    client.force_login(cast.staff)
    # session, user, memberships (roles), school filter choices, "can create" (editable schools exist),
    # count, page of cohorts with school, trade, learners in training and waiting-list length
    with django_assert_num_queries(7):
        response = client.get(reverse("cohorts:cohort_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(rows, 25)


# --- create and edit -----------------------------------------------------------------------------


def test_manager_creates_a_cohort_with_default_end_and_capacity(client, cast):
    MembershipFactory(user=cast.trainer_b, role=Role.TRAINER, school=cast.school_a)
    client.force_login(cast.manager_a)
    response = client.get(reverse("cohorts:cohort_create"))
    assert cast.trainer_a.get_full_name() in response.content.decode()
    data = cohort_data(cast, trainers=[cast.trainer_a.pk], social_worker=cast.social_worker_a.pk)
    response = client.post(reverse("cohorts:cohort_create"), data)
    cohort = Cohort.objects.get(name="Promotion printemps 2027")
    assert response.status_code == 302 and response["Location"] == cohort.get_absolute_url()
    assert cohort.end_date == dt.date(2027, 3, 1) + dt.timedelta(weeks=15)
    assert cohort.capacity == cast.school_a.default_cohort_capacity
    assert cohort.trade == cast.school_a.trade
    assert list(cohort.trainers.all()) == [cast.trainer_a]
    assert cohort.social_worker == cast.social_worker_a
    assert AuditEvent.objects.filter(action="cohort.create", actor=cast.manager_a).exists()


def test_the_price_and_the_opco_of_the_convention_are_set_on_the_cohort(client, cast):
    opco = OrganisationFactory(network=cast.network, kind=OrganisationKind.OPCO, name="OPCO Atlas")
    company = cast.company_a
    client.force_login(cast.manager_a)
    response = client.post(reverse("cohorts:cohort_create"), cohort_data(cast, opco=company.pk))
    assert response.status_code == 200 and not Cohort.objects.exists(), "a company does not pay the training"
    response = client.post(
        reverse("cohorts:cohort_create"), cohort_data(cast, opco=opco.pk, price_per_learner="7450.50")
    )
    cohort = Cohort.objects.get()
    assert (cohort.opco, cohort.price_per_learner) == (opco, Decimal("7450.50"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "2028-03-02"}, "Une promotion dure au plus un an"),
        ({"end_date": "2027-02-01"}, "La date de fin doit être postérieure à la date de début."),
        ({"end_date": "2027-03-01"}, "La date de fin doit être postérieure à la date de début."),
        ({"capacity": "0"}, "supérieure ou égale à 1"),
        ({"capacity": "40"}, "inférieure ou égale à 30"),
        ({"name": ""}, "Ce champ est obligatoire"),
        ({"start_date": "pas une date"}, "Saisissez une date valide"),
    ],
)
def test_bad_cohort_input_is_a_french_error_and_nothing_is_written(client, cast, overrides, message):
    client.force_login(cast.manager_a)
    response = client.post(reverse("cohorts:cohort_create"), cohort_data(cast, **overrides))
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert message in html
    assert "rien n'a été enregistré" in html
    assert not Cohort.objects.exists()


def test_a_trainer_of_another_school_cannot_be_chosen(client, cast):
    client.force_login(cast.staff)
    response = client.post(reverse("cohorts:cohort_create"), cohort_data(cast, trainers=[cast.trainer_b.pk]))
    assert response.status_code == 200
    assert not Cohort.objects.exists()


def test_a_manager_cannot_create_a_cohort_in_another_school(client, cast):
    client.force_login(cast.manager_a)
    response = client.post(reverse("cohorts:cohort_create"), cohort_data(cast, school=cast.school_b.pk))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Cohort.objects.exists()


def test_manager_edits_a_cohort(client, cast, cohort):
    client.force_login(cast.manager_a)
    data = cohort_data(cast, name="Promotion automne 2026", start_date="2026-09-07", end_date="2026-12-18")
    data["capacity"] = "10"
    response = client.post(reverse("cohorts:cohort_edit", args=[cohort.pk]), data)
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert (cohort.name, cohort.capacity) == ("Promotion automne 2026", 10)
    assert AuditEvent.objects.filter(action="cohort.update", object_id=str(cohort.pk)).exists()


def test_capacity_below_the_learners_in_training_is_refused(client, cast, cohort):
    for _ in range(2):
        EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
    client.force_login(cast.manager_a)
    data = cohort_data(cast, name=cohort.name, start_date="2026-09-07", end_date="2026-12-18", capacity="1")
    response = client.post(reverse("cohorts:cohort_edit", args=[cohort.pk]), data)
    assert response.status_code == 200
    assert "plus de jeunes que ce nombre de places" in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.capacity == 2


# --- cohort page ---------------------------------------------------------------------------------


def test_cohort_page_shows_learners_waiting_list_and_the_call_to_action(client, cast, cohort):
    learner = LearnerFactory(first_name="Inès", last_name="Benali")
    EnrolmentFactory(cohort=cohort, learner=learner)
    waiting = ReferralFactory(
        school=cast.school_a,
        learner=LearnerFactory(first_name="Yanis", last_name="Morel"),
        status=ReferralStatus.WAITLIST,
    )
    WaitlistEntry.objects.create(cohort=cohort, referral=waiting, position=1)
    client.force_login(cast.manager_a)
    html = client.get(cohort.get_absolute_url()).content.decode()
    assert "Inès Benali" in html
    assert "1 place libre sur 2" in html
    assert "Une place est libre : admettre Yanis Morel (rang 1)" in html
    assert reverse("cohorts:referral_admit", args=[waiting.pk]) in html
    assert "Clôturer la promotion" in html


def test_the_call_to_action_is_for_managers_only(client, cast, cohort):
    WaitlistEntry.objects.create(
        cohort=cohort,
        referral=ReferralFactory(school=cast.school_a, status=ReferralStatus.WAITLIST),
        position=1,
    )
    client.force_login(cast.trainer_a)
    html = client.get(cohort.get_absolute_url()).content.decode()
    assert "Une place est libre" not in html
    assert "Clôturer" not in html and "Abandon" not in html


@pytest.mark.parametrize("rows", [2, 200])
def test_cohort_page_query_count_is_constant(client, cast, django_assert_num_queries, rows):
    cohort = CohortFactory(school=cast.school_a, capacity=30)
    cohort.trainers.set([cast.trainer_a])
    for learner in LearnerFactory.create_batch(min(rows, 30)):
        EnrolmentFactory(cohort=cohort, learner=learner, status=EnrolmentStatus.COMPLETED)
    for position in range(1, rows + 1):
        WaitlistEntry.objects.create(
            cohort=cohort,
            referral=ReferralFactory(school=cast.school_a, status=ReferralStatus.WAITLIST),
            position=position,
        )
    client.force_login(cast.manager_a)
    # session, user, memberships, the cohort (school, network, trade, social worker, counts),
    # its trainers, its enrolments with learners, its waiting list with referrals and learners
    with django_assert_num_queries(7):
        response = client.get(cohort.get_absolute_url())
    assert response.status_code == 200


# --- admission -----------------------------------------------------------------------------------


def test_admission_page_shows_open_cohorts_with_seats_and_eligibility(client, cast, cohort):
    CohortFactory(school=cast.school_a, name="Promotion close", status=CohortStatus.FINISHED)
    CohortFactory(school=cast.school_b, name="Promotion Roubaix")
    referral = ReferralFactory(
        school=cast.school_a,
        eligibility={
            "eligible": True,
            "reasons": [],
            "explanations": ["Âge : 19 ans au 07/09/2026, entre 16 et 25 ans."],
            "priorities": ["Habite un quartier prioritaire de la politique de la ville (QPV)"],
        },
    )
    client.force_login(cast.manager_a)
    html = client.get(reverse("cohorts:referral_admit", args=[referral.pk])).content.decode()
    assert "Promotion automne" in html and "2 places libres sur 2" in html
    assert "Promotion close" not in html and "Promotion Roubaix" not in html
    assert "Éligible" in html and "19 ans" in html and "QPV" in html


def test_admission_takes_a_seat(client, cast, cohort):
    referral = ReferralFactory(school=cast.school_a)
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("cohorts:referral_admit", args=[referral.pk]), {"cohort": cohort.pk}, follow=True
    )
    assert f"{referral.learner} est admis·e dans « Promotion automne »" in response.content.decode()
    assert Enrolment.objects.get(referral=referral).cohort == cohort
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ADMITTED


def test_admission_into_a_full_cohort_goes_to_the_waiting_list(client, cast, cohort):
    for _ in range(2):
        EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
    referral = ReferralFactory(school=cast.school_a)
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("cohorts:referral_admit", args=[referral.pk]), {"cohort": cohort.pk}, follow=True
    )
    assert "Promotion complète" in response.content.decode()
    assert "liste d&#x27;attente (rang 1)" in response.content.decode()
    assert not Enrolment.objects.filter(referral=referral).exists()
    assert WaitlistEntry.objects.get(referral=referral).position == 1


def test_ineligible_candidate_needs_a_justification(client, cast, cohort):
    referral = ReferralFactory(
        school=cast.school_a, eligibility={"eligible": False, "reasons": ["Âge : 27 ans, au-delà de 25 ans."]}
    )
    client.force_login(cast.manager_a)
    url = reverse("cohorts:referral_admit", args=[referral.pk])
    response = client.post(url, {"cohort": cohort.pk, "justification": "  "})
    assert response.status_code == 200
    assert "une justification écrite est obligatoire" in response.content.decode()
    assert not Enrolment.objects.exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW
    client.post(url, {"cohort": cohort.pk, "justification": "Sortie de l'ASE à 26 ans, projet solide."})
    enrolment = Enrolment.objects.get(referral=referral)
    assert enrolment.eligibility_override == "Sortie de l'ASE à 26 ans, projet solide."


def test_a_finished_cohort_cannot_be_chosen(client, cast, cohort):
    cohort.status = CohortStatus.FINISHED
    cohort.save()
    referral = ReferralFactory(school=cast.school_a)
    client.force_login(cast.manager_a)
    response = client.post(reverse("cohorts:referral_admit", args=[referral.pk]), {"cohort": cohort.pk})
    assert response.status_code == 200
    assert "pas ouverte aux admissions" in response.content.decode()
    assert not Enrolment.objects.exists() and not WaitlistEntry.objects.exists()


def test_a_decided_referral_is_not_admitted_twice(client, cast, cohort):
    referral = ReferralFactory(school=cast.school_a)
    services.referral_admit(referral=referral, cohort=cohort, by=cast.manager_a)
    other = CohortFactory(school=cast.school_a)
    client.force_login(cast.manager_a)
    response = client.post(reverse("cohorts:referral_admit", args=[referral.pk]), {"cohort": other.pk})
    assert "n&#x27;attend pas de décision d&#x27;admission" in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_only_managers_admit(client, cast, cohort):
    referral = ReferralFactory(school=cast.school_a)
    client.force_login(cast.trainer_a)
    url = reverse("cohorts:referral_admit", args=[referral.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"cohort": cohort.pk}).status_code == 403
    assert not Enrolment.objects.exists()


# --- drop-out and closing ------------------------------------------------------------------------


def test_drop_out_names_the_next_candidate(client, cast, cohort):
    referrals = [ReferralFactory(school=cast.school_a) for _ in range(3)]
    for referral in referrals:
        services.referral_admit(referral=referral, cohort=cohort, by=cast.manager_a)
    enrolment = Enrolment.objects.get(referral=referrals[0])
    client.force_login(cast.manager_a)
    url = reverse("cohorts:enrolment_drop_out", args=[enrolment.pk])
    assert "Motif de l&#x27;abandon" in client.get(url).content.decode()
    response = client.post(
        url,
        {"reason": DropOutReason.JOB, "on": enrolment.entry_date.isoformat(), "detail": "CDD"},
        follow=True,
    )
    html = response.content.decode()
    assert f"Prochain·e sur la liste d&#x27;attente : {referrals[2].learner} (rang 1)" in html
    assert f"Une place est libre : admettre {referrals[2].learner} (rang 1)" in html
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.drop_out_reason, enrolment.drop_out_detail) == (
        EnrolmentStatus.DROPPED_OUT,
        DropOutReason.JOB,
        "CDD",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "", "on": "2026-09-10"}, "Le motif d&#x27;abandon est obligatoire."),
        ({"reason": DropOutReason.HEALTH, "on": "2026-09-01"}, "ne peut pas précéder"),
        ({"reason": DropOutReason.HEALTH, "on": ""}, "La date de l&#x27;abandon est obligatoire."),
        ({"reason": "inconnu", "on": "2026-09-10"}, "Sélectionnez un choix valide"),
        ({"reason": DropOutReason.HEALTH, "on": "2099-01-01"}, "ne peut pas être dans le futur"),
    ],
)
def test_bad_drop_out_is_a_french_error_and_nothing_is_written(client, cast, cohort, data, message):
    enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
    client.force_login(cast.manager_a)
    response = client.post(reverse("cohorts:enrolment_drop_out", args=[enrolment.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE


def test_finish_asks_for_confirmation_then_closes(client, cast, cohort):
    enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
    client.force_login(cast.manager_a)
    url = reverse("cohorts:cohort_finish", args=[cohort.pk])
    page = client.get(url).content.decode()
    assert "Confirmer la clôture" in page and "Jeunes encore en formation : 1." in page
    cohort.refresh_from_db()
    assert cohort.status == CohortStatus.PLANNED
    response = client.post(url, follow=True)
    assert "est clôturée : 1 parcours terminé." in response.content.decode()
    cohort.refresh_from_db()
    enrolment.refresh_from_db()
    assert cohort.status == CohortStatus.FINISHED
    assert enrolment.status == EnrolmentStatus.COMPLETED


# --- the school page -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [0, 30])
def test_school_page_lists_cohorts_with_a_constant_query_count(client, cast, django_assert_num_queries, rows):
    for _ in range(rows):
        CohortFactory(school=cast.school_a)
    CohortFactory(school=cast.school_a, name="Promotion visible")
    client.force_login(cast.manager_a)
    # session, user, memberships, school, partners, staff, "can edit", cohorts with counts
    with django_assert_num_queries(8):
        response = client.get(cast.school_a.get_absolute_url())
    html = response.content.decode()
    assert "Promotions" in html and "Nouvelle promotion" in html


def test_school_page_hides_cohorts_from_partners(client, cast):
    CohortFactory(school=cast.school_a, name="Promotion visible")
    client.force_login(cast.funder)
    html = client.get(cast.school_a.get_absolute_url()).content.decode()
    assert "Promotion visible" not in html


# --- the learner page (referrals), through cohorts' block --------------------------------------------


def test_learner_page_lists_the_enrolments_through_the_cohorts_block(client, cast):
    cohort = CohortFactory(school=cast.school_a, name="Promotion du bloc")
    enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
    client.force_login(cast.manager_a)
    html = client.get(reverse("referrals:learner_detail", args=[enrolment.learner_id])).content.decode()
    assert "Inscriptions en promotion" in html and "Promotion du bloc" in html
