import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse

from plombiers.cohorts import attendance as svc
from plombiers.cohorts.enums import Period
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.tests import access

from .conftest import pdf_text

# School A's cohort documents: its team and the network staff; everyone else 404.
TEAM = sorted(access.on_a(access.SCHOOL_TEAM))
OTHERS = [role for role in access.ROLES if role not in TEAM]
KINDS = ["conventions", "emargement", "certificats-realisation", "attestations-fin-formation", "zip"]


@pytest.fixture
def small(cast):
    """A cohort of school A with two learners (Inès has an account) and one half-day, unsigned."""
    cohort = CohortFactory(school=cast.school_a, name="Fibre été", status="en_cours")
    ines = EnrolmentFactory(
        cohort=cohort, learner=LearnerFactory(first_name="Inès", last_name="Arnaud", user=cast.learner_a)
    )
    other = EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Zoé", last_name="Zanetti"))
    svc.session_create(cohort=cohort, by=cast.trainer_a, date=dt.date(2026, 9, 8), period=Period.MORNING)
    return cohort, ines, other


def urls(cohort, enrolment):
    return [
        reverse("documents:cohort_documents", args=[cohort.pk]),
        *[reverse("documents:cohort_document", args=[cohort.pk, kind]) for kind in KINDS],
        reverse("documents:cohort_document", args=[cohort.pk, "emargement"]) + "?semaine=2026-09-07",
        *[
            reverse("documents:enrolment_document", args=[enrolment.pk, kind])
            for kind in ("convention", "certificat-realisation", "attestation-fin-formation")
        ],
    ]


@pytest.mark.parametrize("who", TEAM)
def test_the_school_team_and_the_network_staff_download_everything(client, cast, small, who):
    cohort, ines, _ = small
    client.force_login(getattr(cast, who))
    for url in urls(cohort, ines):
        response = client.get(url)
        assert response.status_code == 200, url
        if "/documents/" in url and not url.endswith("/documents/"):
            assert response["Content-Type"] in ("application/pdf", "application/zip")
            assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("who", OTHERS)
def test_everybody_else_gets_404(client, cast, small, who):
    cohort, _ines, other = small
    client.force_login(getattr(cast, who))
    for url in urls(cohort, other):
        assert client.get(url).status_code == 404, url


def test_the_learner_gets_their_own_certificates_once_the_training_is_over(client, cast, small):
    cohort, ines, other = small
    client.force_login(cast.learner_a)
    own = [
        reverse("documents:enrolment_document", args=[ines.pk, kind])
        for kind in ("certificat-realisation", "attestation-fin-formation")
    ]
    for url in own:
        assert client.get(url).status_code == 404, "still in training"
    ines.status, ines.end_date = "terminee", cohort.end_date
    ines.save(update_fields=["status", "end_date"])
    for url in own:
        response = client.get(url)
        assert response.status_code == 200
        assert "Inès ARNAUD" in pdf_text(response.content)
    assert (
        client.get(reverse("documents:enrolment_document", args=[ines.pk, "convention"])).status_code == 404
    )
    assert (
        client.get(
            reverse("documents:enrolment_document", args=[other.pk, "certificat-realisation"])
        ).status_code
        == 404
    )
    # The cohort page shows the learner their two links, and nothing of the cohort's set.
    page = client.get(cohort.get_absolute_url()).content.decode()
    assert "Mes documents de fin de formation" in page
    assert own[0] in page and reverse("documents:cohort_documents", args=[cohort.pk]) not in page


def test_the_cohort_page_links_to_the_documents(client, cast, small):
    cohort, _, _ = small
    client.force_login(cast.trainer_a)
    page = client.get(cohort.get_absolute_url()).content.decode()
    assert reverse("documents:cohort_documents", args=[cohort.pk]) in page
    assert reverse("documents:cohort_document", args=[cohort.pk, "zip"]) in page
    assert "Mes documents" not in page


def test_the_documents_page_lists_weeks_and_learners(client, cast, small, django_assert_num_queries):
    cohort, _ines, _other = small
    client.force_login(cast.trainer_a)
    url = reverse("documents:cohort_documents", args=[cohort.pk])
    client.get(url)
    EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
    # session, user, memberships; the cohort; the weeks; the enrolments with learners.
    with django_assert_num_queries(6):
        response = client.get(url)
    page = response.content.decode()
    assert "Semaine du 07/09/2026" in page and "?semaine=2026-09-07" in page
    assert "Inès Arnaud" in page and "Zoé Zanetti" in page


def test_a_download_is_audited(client, cast, small):
    cohort, ines, _ = small
    client.force_login(cast.trainer_a)
    client.get(reverse("documents:cohort_document", args=[cohort.pk, "certificats-realisation"]))
    client.get(reverse("documents:enrolment_document", args=[ines.pk, "convention"]))
    events = AuditEvent.objects.filter(action="documents.download", actor=cast.trainer_a).order_by("pk")
    assert [e.details["kind"] for e in events] == ["certificats-realisation", "convention"]
    assert all(e.school == cast.school_a for e in events)


def test_the_zip_download(client, cast, small):
    cohort, _, _ = small
    client.force_login(cast.manager_a)
    response = client.get(reverse("documents:cohort_document", args=[cohort.pk, "zip"]))
    assert response["Content-Disposition"] == 'attachment; filename="documents-fibre-ete.zip"'
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "emargement/2026-09-07.pdf" in names and "certificats-realisation/arnaud-ines.pdf" in names


def test_bad_requests_get_a_french_message(client, cast, small):
    cohort, _, _ = small
    client.force_login(cast.trainer_a)
    assert client.get(reverse("documents:cohort_document", args=[cohort.pk, "bulletins"])).status_code == 404
    assert client.get(reverse("documents:enrolment_document", args=[1, "bulletins"])).status_code == 404
    base = reverse("documents:cohort_document", args=[cohort.pk, "emargement"])
    for week, message in [
        ("pas-une-date", "Semaine invalide"),
        ("2026-10-12", "Aucune demi-journée n&#x27;est prévue la semaine du 12/10/2026"),
        ("9999-12-31", "hors des dates de la promotion"),
    ]:
        response = client.get(f"{base}?semaine={week}", follow=True)
        assert response.redirect_chain[-1][0] == reverse("documents:cohort_documents", args=[cohort.pk])
        assert message in response.content.decode()
    empty = CohortFactory(school=cast.school_a)
    response = client.get(reverse("documents:cohort_document", args=[empty.pk, "conventions"]), follow=True)
    assert "Aucun·e jeune n&#x27;est inscrit·e dans cette promotion." in response.content.decode()
