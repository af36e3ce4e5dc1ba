"""Issue 16, point 12: signed links that never died.

- A party's convention link kept opening the signed convention (full name, birth date, address)
  forever. It now reads it for `PLOMBIERS_CONVENTION_READ_DAYS` (30) after the last signature;
  then it answers, in French, that it expired and that one logs in — where the convention's own
  page still serves those allowed.
- A young person's follow-up link (`/suivi/<jeton>/`) was the signature of the follow-up's id
  alone: a link sent to a wrong address could not be taken back. It now carries a nonce, drawn
  again when the school sends a new link; the old one is refused with a clear page, never a 500.
"""

import datetime as dt

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.internships import services as internships
from plombiers.internships.enums import InternshipStatus
from plombiers.internships.models import ConventionSignature
from plombiers.internships.tests.factories import CompanySiteFactory, ContactFactory, InternshipFactory
from plombiers.outcomes import services as outcomes
from plombiers.outcomes.enums import FollowUpStatus
from plombiers.outcomes.models import FollowUp
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory

PDF = "application/pdf"


# --- the convention -------------------------------------------------------------------------------

SIGNING_DAY = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)
LAST_SIGNATURE = dt.datetime(2026, 11, 12, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def convention(client, cast):
    """Inès's internship at Fibre A (she was referred by the prescriber): the convention sent for
    signature on 10/11/2026, signed by each party through their link, the last on 12/11."""
    with time_machine.travel(SIGNING_DAY, tick=False) as traveller:
        cohort = CohortFactory(
            school=cast.school_a, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18)
        )
        learner = LearnerFactory(
            first_name="Inès", last_name="Arnaud", birth_date=dt.date(2007, 3, 14), user=cast.learner_a
        )
        referral = ReferralFactory(school=cast.school_a, learner=learner, prescriber=cast.prescriber)
        internship = InternshipFactory(
            enrolment=EnrolmentFactory(cohort=cohort, learner=learner, referral=referral),
            site=CompanySiteFactory(company=cast.company_a, commune=cast.school_a.commune),
            tutor=ContactFactory(organisation=cast.company_a, full_name="Marc Tuteur"),
        )
        internships.internship_transition(
            internship=internship, to=InternshipStatus.TO_SIGN, by=cast.trainer_a
        )
        signatures = list(internship.signatures.order_by("pk"))
        links = {s.party: internships.signing_link(s) for s in signatures}
        for signature in signatures[:-1]:
            assert (
                client.post(links[signature.party], {"accepte": "oui", "nom": signature.name}).status_code
                == 302
            )
        traveller.move_to(LAST_SIGNATURE)
        last = signatures[-1]
        assert client.post(links[last.party], {"accepte": "oui", "nom": last.name}).status_code == 302
    internship.refresh_from_db()
    assert internship.status == InternshipStatus.SIGNED
    return internship, links


def read_url(link: str) -> str:
    return reverse("internships:convention_read", args=[link.split("/")[-2]])


def test_an_old_convention_link_no_longer_reads_the_signed_convention(client, cast, convention):
    internship, links = convention
    # Within 30 days of the last signature, every party's link still reads it.
    with time_machine.travel(LAST_SIGNATURE + dt.timedelta(days=29), tick=False):
        for link in links.values():
            response = client.get(read_url(link))
            assert (response.status_code, response["Content-Type"]) == (200, PDF)
            page = client.get(link).content.decode()
            assert "Convention signée" in page and "jusqu'au 12/12/2026" in page
    # Past them: refused, in French, with the way in; nothing of the young person.
    with time_machine.travel(LAST_SIGNATURE + dt.timedelta(days=30, minutes=1), tick=False):
        for link in links.values():
            for response in (client.get(read_url(link)), client.get(link)):
                html = response.content.decode()
                assert response.status_code == 410, link
                assert response["Content-Type"].startswith("text/html")
                assert "Ce lien a expiré le 12/12/2026" in html and "connectez-vous" in html
                assert "Arnaud" not in html and "14/03/2007" not in html and "Inès" not in html
                login = (
                    reverse("account_login")
                    + "?next="
                    + reverse("internships:convention_pdf", args=[internship.pk])
                )
                assert login in html


def test_the_logged_in_route_still_serves_those_allowed(client, cast, convention):
    internship, _links = convention
    url = reverse("internships:convention_pdf", args=[internship.pk])
    with time_machine.travel(LAST_SIGNATURE + dt.timedelta(days=400), tick=False):
        for role in ("trainer_a", "manager_a", "learner_a", "prescriber"):
            client.force_login(getattr(cast, role))
            response = client.get(url)
            assert (response.status_code, response["Content-Type"]) == (200, PDF), role
        for role in ("trainer_b", "funder", "outsider"):
            client.force_login(getattr(cast, role))
            assert client.get(url).status_code == 404, role


def test_the_window_runs_from_the_last_signature_and_is_a_setting(client, settings, convention):
    _internship, links = convention
    first = next(iter(links.values()))  # signed on 10/11, two days before the last one
    with time_machine.travel(SIGNING_DAY + dt.timedelta(days=31), tick=False):
        assert client.get(read_url(first))["Content-Type"] == PDF
    settings.PLOMBIERS_CONVENTION_READ_DAYS = 7
    with time_machine.travel(LAST_SIGNATURE + dt.timedelta(days=7, minutes=1), tick=False):
        response = client.get(read_url(first))
        assert (
            response.status_code == 410 and "7 jours après la dernière signature" in response.content.decode()
        )


def test_a_link_not_yet_signed_still_expires_with_its_own_date(client, cast):
    with time_machine.travel(SIGNING_DAY, tick=False) as traveller:
        cohort = CohortFactory(
            school=cast.school_a, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18)
        )
        internship = InternshipFactory(
            enrolment=EnrolmentFactory(cohort=cohort, learner=LearnerFactory()),
            site=CompanySiteFactory(company=cast.company_a, commune=cast.school_a.commune),
            tutor=ContactFactory(organisation=cast.company_a),
        )
        internships.internship_transition(
            internship=internship, to=InternshipStatus.TO_SIGN, by=cast.trainer_a
        )
        link = internships.signing_link(ConventionSignature.objects.filter(internship=internship).first())
        assert client.get(read_url(link))["Content-Type"] == PDF
        traveller.shift(dt.timedelta(days=15))
        response = client.get(read_url(link))
        assert (
            response.status_code == 410
            and "demandez-en un nouveau à l&#x27;école" in response.content.decode()
        )


# --- the follow-up link ---------------------------------------------------------------------------

TODAY = dt.datetime(2027, 1, 25, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def follow_up(cast):
    """Inès finished the autumn cohort on 18/12/2026; her exit is recorded and her 1-month
    follow-up can be answered today (25/01/2027)."""
    with time_machine.travel(TODAY, tick=False):
        learner = LearnerFactory(
            first_name="Inès", last_name="Arnaud", user=cast.learner_a, email="ines@example.org"
        )
        cohort = CohortFactory(
            school=cast.school_a, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18)
        )
        enrolment = EnrolmentFactory(
            cohort=cohort, learner=learner, status=EnrolmentStatus.COMPLETED, end_date=dt.date(2026, 12, 18)
        )
        exit = outcomes.exit_record(enrolment, by=cast.social_worker_a, exit_type="recherche_emploi")
    return exit.follow_ups.get(horizon=1)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def renew(client, by, follow_up):
    client.force_login(by)
    response = client.post(reverse("outcomes:follow_up_link_renew", args=[follow_up.pk]))
    client.logout()
    return response


def test_an_old_follow_up_link_is_refused_after_a_new_one_is_sent(client, cast, follow_up):
    old = outcomes.follow_up_link(follow_up)
    assert "Bonjour Inès" in client.get(old).content.decode()
    # The link went to a wrong address: the social worker sends a new one from the exit's page.
    client.force_login(cast.social_worker_a)
    page = client.get(follow_up.exit.get_absolute_url()).content.decode()
    assert "Renvoyer un nouveau lien par e-mail" in page
    response = client.post(reverse("outcomes:follow_up_link_renew", args=[follow_up.pk]), follow=True)
    assert "Un nouveau lien est envoyé par e-mail à ines@example.org" in response.content.decode()
    client.logout()
    follow_up.refresh_from_db()
    new = outcomes.follow_up_link(follow_up)
    assert new != old
    assert mail.outbox[-1].to == ["ines@example.org"] and new in mail.outbox[-1].body
    assert old not in mail.outbox[-1].body
    # The old link: a clear page, nothing of her or of the school, nothing written.
    for response in (client.get(old), client.post(old, {"situation_type": "cdi", "comment": "Pirate"})):
        html = response.content.decode()
        assert response.status_code == 410
        assert "Ce lien a été remplacé" in html and "l&#x27;école en a envoyé un nouveau" in html
        assert "Inès" not in html and "École A" not in html
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.comment) == (FollowUpStatus.DUE, "")
    # The new one works, once.
    assert "Bonjour Inès" in client.get(new).content.decode()
    assert client.post(new, {"situation_type": "cdi", "employer_name": "Fibre A"}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE
    assert "Tu as déjà répondu à ce suivi" in client.get(new).content.decode()
    assert client.get(old).status_code == 410


def test_a_link_sent_before_links_had_a_nonce_is_refused_as_replaced(client, follow_up):
    legacy = signing.Signer(salt=outcomes.LINK_SALT).sign(str(follow_up.pk))
    response = client.get(reverse("outcomes:answer", args=[legacy]))
    assert response.status_code == 410 and "Ce lien a été remplacé" in response.content.decode()


@pytest.mark.parametrize("value", ["99999999999999999999999.abc", "-1.abc", ".abc", "12x.abc", ""])
def test_a_signed_link_naming_no_follow_up_is_a_404_never_a_500(client, follow_up, value):
    token = signing.Signer(salt=outcomes.LINK_SALT).sign(value)
    response = client.get(reverse("outcomes:answer", args=[token]))
    assert response.status_code == 404 and "Ce lien n'est pas valide" in response.content.decode()


def test_a_follow_up_gone_leaves_a_404(client, follow_up):
    link = outcomes.follow_up_link(follow_up)
    FollowUp.objects.filter(pk=follow_up.pk).delete()
    assert client.get(link).status_code == 404


@pytest.mark.parametrize("role", ["trainer_a", "trainer_b", "prescriber", "learner_a", "funder", "outsider"])
def test_only_the_school_team_sends_a_new_link(client, cast, follow_up, role):
    before = follow_up.link_nonce
    assert renew(client, getattr(cast, role), follow_up).status_code in (403, 404)
    follow_up.refresh_from_db()
    assert follow_up.link_nonce == before
    assert client.get(outcomes.follow_up_link(follow_up)).status_code == 200


def test_an_answered_follow_up_has_no_link_to_send(client, cast, follow_up):
    link = outcomes.follow_up_link(follow_up)
    client.post(link, {"situation_type": "cdi"})
    response = renew(client, cast.manager_a, follow_up)
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert outcomes.follow_up_link(follow_up) == link
    page = client.get(link)
    assert page.status_code == 200 and "Tu as déjà répondu à ce suivi" in page.content.decode()


def test_a_link_replaced_while_the_form_was_open_writes_nothing(cast, follow_up):
    """The young person opened the old link, the school sent a new one, then she submits: the
    service checks the link's nonce under the row's lock."""
    opened = outcomes.follow_up_for_token(outcomes.follow_up_token(follow_up))
    outcomes.follow_up_link_renew(follow_up=follow_up, by=cast.social_worker_a)
    with pytest.raises(outcomes.PermissionDenied):
        outcomes.follow_up_record(
            opened, by=None, source="jeune", situation_type="cdi", link_nonce=opened.link_nonce
        )
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DUE
