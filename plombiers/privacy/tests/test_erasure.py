"""The right to erasure: recorded and decided by the school's manager or the network staff; on
acceptance the person is anonymised at once, except what a legal obligation keeps."""

import pytest
from django.urls import reverse

from plombiers.accounts.services import api_token_create
from plombiers.cohorts.models import Signature
from plombiers.credentials.verification import verify
from plombiers.privacy.models import AuditEvent, ErasureDecision, ErasureRequest
from plombiers.referrals.models import Learner
from plombiers.rights.erasure import erasure_refuse
from plombiers.rights.purge import ANONYMISED_FIRST_NAME
from plombiers.support.models import Barrier, JournalEntry


def _headers(user) -> dict:
    return {"Authorization": f"Bearer {api_token_create(user=user)[1]}"}


def test_the_erasure_api_anonymises_at_once_keeps_the_sheets_and_is_audited(client, cast, person):
    learner, attestation = person
    response = client.post(
        f"/api/v1/learners/{learner.pk}/erasure",
        {"reason": "Demande par courrier du 2 mars"},
        content_type="application/json",
        headers=_headers(cast.manager_a),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["anonymised"] is True and body["decision"] == ErasureDecision.ACCEPTED
    assert any("émargement" in line for line in body["kept"])

    learner.refresh_from_db()
    assert str(learner) == f"{ANONYMISED_FIRST_NAME} n° {learner.pk}"
    assert learner.email == learner.phone == learner.france_travail_id == ""
    assert learner.birth_date.month == learner.birth_date.day == 1
    assert learner.identity_key == f"anonyme|{learner.pk}"
    assert not JournalEntry.objects.filter(learner=learner).exists()
    assert Barrier.objects.get(learner=learner).summary == ""  # the barrier stays, its text goes
    assert learner.referrals.get().motivation == ""
    cast.learner_a.refresh_from_db()
    assert not cast.learner_a.is_active and "querand" not in cast.learner_a.email
    assert not cast.learner_a.has_usable_password()

    # What a legal obligation keeps: the signature on the attendance sheet.
    assert Signature.objects.get(signer_name="Maëlys Quérand").svg == "<svg>trait</svg>"
    # The credential is untouched and verifies; its pages name no one.
    attestation_after = type(attestation).objects.get(pk=attestation.pk)
    assert attestation_after.credential == attestation.credential
    assert verify(attestation_after.document).verified
    client.logout()
    page = client.get(attestation.get_verification_url()).content.decode()
    assert "Quérand" not in page and "Maëlys" not in page

    erasure = ErasureRequest.objects.get(learner=learner)
    event = AuditEvent.objects.get(action="privacy.erasure_accepted")
    assert event.object_id == str(erasure.pk) and event.school == cast.school_a
    assert "Quérand" not in str(event.details)


@pytest.mark.parametrize("who", ["trainer_a", "social_worker_a", "prescriber"])
def test_the_erasure_api_is_refused_to_other_roles(client, cast, person, who):
    learner, _ = person
    response = client.post(
        f"/api/v1/learners/{learner.pk}/erasure",
        {"reason": "Demande"},
        content_type="application/json",
        headers=_headers(getattr(cast, who)),
    )
    assert response.status_code == 403 and "detail" in response.json()
    assert Learner.objects.get(pk=learner.pk).last_name == "Quérand"


@pytest.mark.parametrize("who", ["manager_b", "trainer_b", "funder", "outsider"])
def test_another_school_or_an_outsider_gets_a_404(client, cast, person, who):
    learner, _ = person
    response = client.post(
        f"/api/v1/learners/{learner.pk}/erasure",
        {"reason": "Demande"},
        content_type="application/json",
        headers=_headers(getattr(cast, who)),
    )
    assert response.status_code == 404
    client.force_login(getattr(cast, who))
    assert client.get(reverse("rights:learner_erasure", args=[learner.pk])).status_code == 404
    assert Learner.objects.get(pk=learner.pk).last_name == "Quérand"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": 12}, "pas du json"])
def test_bad_input_is_a_4xx_json_and_changes_nothing(client, cast, person, body):
    learner, _ = person
    response = client.post(
        f"/api/v1/learners/{learner.pk}/erasure",
        body,
        content_type="application/json",
        headers=_headers(cast.staff),
    )
    assert 400 <= response.status_code < 500 and response.json()
    assert Learner.objects.get(pk=learner.pk).last_name == "Quérand"
    assert not ErasureRequest.objects.exists()


def test_the_page_records_then_accepts_a_request(client, cast, person):
    learner, _ = person
    client.force_login(cast.manager_a)
    detail = client.get(learner.get_absolute_url()).content.decode()
    url = reverse("rights:learner_erasure", args=[learner.pk])
    assert url in detail
    page = client.get(url).content.decode()
    assert "feuilles d&#x27;émargement" in page.lower() or "feuilles d'émargement" in page.lower()

    response = client.post(url, {"action": "record", "reason": ""})
    assert response.status_code == 400 and "rien n'a été enregistré" in response.content.decode()
    response = client.post(url, {"action": "record", "reason": "Demande en personne"})
    assert response.status_code == 302
    erasure = ErasureRequest.objects.get()
    assert erasure.decision == ErasureDecision.PENDING
    assert Learner.objects.get(pk=learner.pk).last_name == "Quérand"  # recorded, not yet decided

    response = client.post(url, {"action": "decide", "request": erasure.pk, "decision": "refuse"})
    assert response.status_code == 400  # a refusal needs its reason
    response = client.post(url, {"action": "decide", "request": erasure.pk, "decision": "accept"})
    assert response.status_code == 302
    assert ErasureRequest.objects.get().decision == ErasureDecision.ACCEPTED
    assert Learner.objects.get(pk=learner.pk).first_name == ANONYMISED_FIRST_NAME
    assert AuditEvent.objects.filter(action="privacy.erasure_requested").count() == 1


def test_the_page_is_for_those_who_decide(client, cast, person):
    learner, _ = person
    url = reverse("rights:learner_erasure", args=[learner.pk])
    client.force_login(cast.trainer_a)
    assert client.get(url).status_code == 403
    assert url not in client.get(learner.get_absolute_url()).content.decode()
    client.force_login(cast.staff)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("value", ["", "abc", "99999999999999999999999", "999"])
def test_a_bad_request_id_is_a_404_never_a_500(client, cast, person, value):
    learner, _ = person
    client.force_login(cast.manager_a)
    url = reverse("rights:learner_erasure", args=[learner.pk])
    response = client.post(url, {"action": "decide", "request": value, "decision": "accept"})
    assert response.status_code == 404
    assert Learner.objects.get(pk=learner.pk).last_name == "Quérand"


@pytest.mark.parametrize("n", [1, 6])
def test_the_erasure_page_query_count_is_constant(client, cast, person, django_assert_num_queries, n):
    learner, _ = person
    for i in range(n):
        request = ErasureRequest.objects.create(
            learner=learner, requested_by=cast.manager_a, reason=f"n° {i}"
        )
        if i % 2:
            erasure_refuse(request=request, by=cast.staff, reason="Obligation de preuve")
    client.force_login(cast.manager_a)
    # 1 session, 2 user, 3 memberships, 4 the learner with their school, 5 the requests with who
    # recorded and who decided them
    with django_assert_num_queries(5):
        response = client.get(reverse("rights:learner_erasure", args=[learner.pk]))
    assert response.status_code == 200 and response.content.decode().count("Demande n°") == n
