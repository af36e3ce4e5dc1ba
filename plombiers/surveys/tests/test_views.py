import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.impact import rollup
from plombiers.lib import derived
from plombiers.network.enums import SchoolStatus
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.surveys.enums import Audience
from plombiers.surveys.models import SurveyAnswer, SurveyInvitation
from plombiers.tests import access

from .factories import SurveyInvitationFactory, answer

FILLED = {
    "overall": "4",
    "gestures": "3",
    "trainers": "4",
    "support": "2",
    "internship": "3",
    "next_step": "1",
    "recommend": "1",
    "comment": "Le plateau technique était top.",
}


@pytest.fixture
def invitation(cohort):
    return SurveyInvitationFactory(enrolment=cohort.completed[0])


# --- the answer page ---------------------------------------------------------------------


def test_the_answer_page_greets_by_first_name_only(client, invitation):
    response = client.get(invitation.get_answer_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bonjour Inès" in html and "Promotion automne 2025" in html
    assert "Benali" not in html and "ines@jeune.example" not in html and "École A" not in html
    assert html.count("<fieldset") == 7 and html.count("<legend>") == 7
    assert "Tout à fait" in html and "Plutôt pas" in html
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_an_incomplete_answer_gets_french_errors_and_writes_nothing(client, invitation):
    response = client.post(invitation.get_answer_url(), {**FILLED, "overall": "", "recommend": "9"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Il manque des réponses" in html
    assert "Choisissez une réponse." in html and "Cette réponse n&#x27;est pas dans la liste." in html
    assert 'value="3" id="id_gestures_2" checked' in html  # what was chosen stays chosen
    assert not SurveyAnswer.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def test_an_answer_is_recorded_once_and_a_second_visit_says_thank_you(client, invitation):
    url = invitation.get_answer_url()
    response = client.post(url, FILLED)
    assert response.status_code == 302 and response.url == url
    assert "Vos réponses sont bien enregistrées" in client.get(url).content.decode()
    assert SurveyAnswer.objects.filter(invitation=invitation).count() == 8
    response = client.post(url, {**FILLED, "overall": "1"})
    assert response.status_code == 200 and "Merci Inès" in response.content.decode()
    assert SurveyAnswer.objects.get(question="overall").value == 4


def test_a_forged_or_tampered_link_gets_a_clear_404_and_writes_nothing(client, invitation, cohort):
    other = SurveyInvitationFactory(enrolment=cohort.completed[1])
    pk_nonce, signature = invitation.token.split(":")
    for token in ["abc", f"{other.pk}.{invitation.nonce}:{signature}", f"{pk_nonce}:{signature[:-2]}xx"]:
        url = reverse("surveys:answer", args=[token])
        response = client.post(url, FILLED)
        assert response.status_code == 404
        assert "Ce lien ne fonctionne pas" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_an_expired_link_gets_a_410_and_writes_nothing(client, invitation):
    with time_machine.travel(invitation.expires_at + dt.timedelta(minutes=1)):
        for response in (
            client.get(invitation.get_answer_url()),
            client.post(invitation.get_answer_url(), FILLED),
        ):
            assert response.status_code == 410
            html = response.content.decode()
            assert "Ce lien a expiré" in html and "Aucune réponse n'a été enregistrée" in html
    assert not SurveyAnswer.objects.exists()


# --- the public figures (Qualiopi indicator 2) -------------------------------------------


#: The public page publishes the last twelve whole months: read on 10 February 2026, it counts the
#: answers of January (and the cohort that ended on 19/12/2025).
PUBLISHED_ON = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC)
ANSWERED_AT = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)


@time_machine.travel(PUBLISHED_ON, tick=False)
def test_the_public_page_needs_five_answers_and_shows_no_name(client, cast, cohort):
    url = reverse("impact:public_results", args=[cast.school_a.slug])
    enrolments = cohort.completed + [
        EnrolmentFactory(
            cohort=cohort.cohort, learner=LearnerFactory(first_name=n), status=EnrolmentStatus.COMPLETED
        )
        for n in ("Zoé", "Malik", "Lina")
    ]
    for enrolment in enrolments[:4]:
        answer(
            SurveyInvitationFactory(enrolment=enrolment),
            answered_at=ANSWERED_AT,
            overall=4,
            recommend=1,
            comment="Merci Sophie !",
        )
    html = client.get(url).content.decode()
    assert "du 01/02/2025 au 31/01/2026" in html
    assert html.count("Pas encore assez de réponses") == 3  # completion: 3 + 1 dropped out = 4 left
    answer(SurveyInvitationFactory(enrolment=enrolments[4]), answered_at=ANSWERED_AT, overall=2, recommend=0)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # Five answers, but four satisfied: four people, a small cell — masked, its sample shown.
    assert "80&nbsp;%" not in html and "sur 5 répondant·es" in html
    assert html.count("Chiffre masqué (secret statistique)") == 2
    assert '<abbr title="De 1 à 4 jeunes : masqué (secret statistique)">&lt; 5</abbr>' in html
    answer(SurveyInvitationFactory(enrolment=enrolments[5]), answered_at=ANSWERED_AT, overall=3, recommend=1)
    html = client.get(url).content.decode()
    assert "83&nbsp;%" in html and "sur 6 répondant·es" in html  # 5 of 6
    for name in ("Inès", "Benali", "Yanis", "Zoé", "Malik", "Lina", "Hugo", "Sophie"):
        assert name not in html


def test_the_public_page_of_a_school_still_in_project_does_not_exist(client, cast):
    cast.school_b.status = SchoolStatus.PROJECT
    cast.school_b.save(update_fields=["status"])
    assert client.get(reverse("impact:public_results", args=[cast.school_b.slug])).status_code == 404
    assert client.get(reverse("impact:public_results", args=["inconnue"])).status_code == 404


# --- the results and the invitations: who sees what --------------------------------------


@pytest.fixture
def answered(cohort, invitation):
    answer(invitation, overall=4, gestures=3, recommend=1, comment="Merci pour le stage chez Fibre A.")
    return invitation


def _pages(cohort, invitation):
    return [
        reverse("surveys:cohort_results", args=[cohort.cohort.pk]),
        reverse("surveys:cohort_invitations", args=[cohort.cohort.pk]),
        reverse("surveys:school_results", args=[cohort.cohort.school.slug]),
        reverse("surveys:invitation_link", args=[invitation.pk]),
    ]


@pytest.mark.parametrize(
    "who", [role for role in access.ROLES if role not in access.on_a(access.SCHOOL_TEAM)]
)
def test_another_school_and_outsiders_get_404(client, cast, cohort, answered, who):
    client.force_login(getattr(cast, who))
    for url in _pages(cohort, answered):
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_the_login_page(client, cohort, answered):
    for url in [*_pages(cohort, answered), reverse("surveys:index")]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/comptes/login/")


@pytest.mark.parametrize(("who", "sees_texts"), [("manager_a", True), ("trainer_a", True), ("staff", False)])
def test_free_texts_are_for_the_school_team_only(client, cast, cohort, answered, who, sees_texts):
    client.force_login(getattr(cast, who))
    for url in _pages(cohort, answered)[:3:2]:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "1 réponse sur 1 invitation" in html and "sur 1 réponse" in html
        assert ("Merci pour le stage chez Fibre A." in html) is sees_texts
        assert "Inès" not in html  # results never say who answered what


def test_the_invitations_page_says_who_answered_never_what(client, cast, cohort, answered):
    SurveyInvitationFactory(enrolment=cohort.completed[1])
    client.force_login(cast.trainer_a)
    html = client.get(reverse("surveys:cohort_invitations", args=[cohort.cohort.pk])).content.decode()
    assert "Inès Benali" in html and "Répondu le" in html and "Yanis Morel" in html and "En attente" in html
    assert "Merci pour le stage" not in html
    assert "Envoyer les invitations" not in html  # a trainer does not launch the survey


def test_the_link_page_shows_the_qr_code_of_a_pending_invitation(client, cast, cohort, answered):
    pending = SurveyInvitationFactory(enrolment=cohort.completed[1])
    client.force_login(cast.trainer_a)
    html = client.get(reverse("surveys:invitation_link", args=[pending.pk])).content.decode()
    assert 'src="data:image/svg+xml' in html and f"http://127.0.0.1:8000/enquete/{pending.token}/" in html
    html = client.get(reverse("surveys:invitation_link", args=[answered.pk])).content.decode()
    assert "a déjà répondu" in html and answered.token not in html


def test_the_manager_launches_the_invitations(
    client, cast, cohort, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("surveys:cohort_invitations", args=[cohort.cohort.pk])
    client.force_login(cast.trainer_a)
    assert client.post(url, {"audience": Audience.LEARNER}).status_code == 403
    client.force_login(cast.manager_a)
    response = client.post(url, {"audience": "parents"})
    assert response.status_code == 200 and "Sélectionnez un choix valide" in response.content.decode()
    assert not SurveyInvitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"audience": Audience.LEARNER}, follow=True)
    assert "3 invitations créées, 2 envoyées par e-mail." in response.content.decode()
    assert len(mailoutbox) == 2
    response = client.post(url, {"audience": Audience.LEARNER}, follow=True)
    assert "Personne de plus à inviter" in response.content.decode()
    assert SurveyInvitation.objects.count() == 3


def test_the_index_lists_the_schools_one_may_see(client, cast, answered):
    client.force_login(cast.manager_a)
    html = client.get(reverse("surveys:index")).content.decode()
    assert "École A Chelles" in html and "École B Roubaix" not in html
    client.force_login(cast.staff)
    html = client.get(reverse("surveys:index")).content.decode()
    assert "École A Chelles" in html and "École B Roubaix" in html
    for who in ("outsider", "learner_a", "prescriber", "funder"):
        client.force_login(getattr(cast, who))
        assert client.get(reverse("surveys:index")).status_code == 404


def test_the_school_page_counts_each_cohort(client, cast, cohort, answered):
    SurveyInvitationFactory(enrolment=cohort.completed[1])
    client.force_login(cast.manager_a)
    response = client.get(reverse("surveys:school_results", args=[cast.school_a.slug]))
    (row,) = response.context["page"].object_list
    assert (row.name, row.invited, row.answered, row.rated, row.satisfied) == (
        "Promotion automne 2025",
        2,
        1,
        1,
        1,
    )


# --- pinned query counts -----------------------------------------------------------------


@pytest.fixture
def busy(cast, cohort):
    """Three finished cohorts of school A, each with four answers out of five invitations."""
    cohorts = [cohort.cohort] + [
        CohortFactory(school=cast.school_a, start_date=dt.date(2025, m, 1), end_date=dt.date(2025, m + 3, 28))
        for m in (1, 5)
    ]
    for index, each in enumerate(cohorts):
        for n in range(5):
            enrolment = EnrolmentFactory(
                cohort=each, learner=LearnerFactory(), status=EnrolmentStatus.COMPLETED
            )
            invitation = SurveyInvitationFactory(enrolment=enrolment, created_at=timezone.now())
            if n < 4:
                answer(invitation, overall=1 + (n + index) % 4, recommend=n % 2, comment=f"Avis {index}-{n}")
    return cohorts


def test_results_pages_have_a_constant_number_of_queries(client, cast, busy, django_assert_num_queries):
    client.force_login(cast.manager_a)
    # session, user, memberships; the cohort; invitation counts, answer counts, free texts.
    with django_assert_num_queries(7):
        assert client.get(reverse("surveys:cohort_results", args=[busy[0].pk])).status_code == 200
    # session, user, memberships; the school; the three aggregates; the page of cohorts and its count.
    with django_assert_num_queries(9):
        assert client.get(reverse("surveys:school_results", args=[cast.school_a.slug])).status_code == 200
    # session, user, memberships; the schools with their figures and their count.
    with django_assert_num_queries(5):
        assert client.get(reverse("surveys:index")).status_code == 200
    # session, user, memberships; the cohort; the invitations with their learners.
    with django_assert_num_queries(5):
        assert client.get(reverse("surveys:cohort_invitations", args=[busy[0].pk])).status_code == 200


def test_the_public_page_and_the_answer_page_have_a_constant_number_of_queries(
    client, cast, busy, django_assert_num_queries
):
    url = reverse("impact:public_results", args=[cast.school_a.slug])
    derived.flush()  # what the fixtures marked, as their commit would
    # Before the first complete run of the rollup: the school; the answers aggregate; the last
    # run; the enrolments, the exits and the follow-ups (the completion and insertion rates).
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
    # As in production, where it runs every night: the rates in one statement of the rollup by month,
    # then the figures kept (`impact.models.PublicResults`)…
    rollup.refresh()
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
    # … read with the school until a write changes what they stand on.
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
    pending = SurveyInvitation.objects.filter(answered_at=None).first()
    # the invitation with its cohort.
    with django_assert_num_queries(1):
        assert client.get(pending.get_answer_url()).status_code == 200
