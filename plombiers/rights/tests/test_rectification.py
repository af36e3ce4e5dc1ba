import pytest
from django.core import mail
from django.urls import reverse

from plombiers.privacy.models import AuditEvent
from plombiers.referrals.models import identity_key
from plombiers.rights.enums import RectificationStatus
from plombiers.rights.models import RectificationRequest


def _ask(client, cast, **data):
    client.force_login(cast.learner_a)
    payload = {"field": "first_name", "requested_value": "Inés", "message": "Accent aigu, pas grave."} | data
    return client.post(reverse("rights:my_data"), payload, follow=True)


def test_the_young_person_asks_and_the_school_corrects(
    client, cast, person, django_capture_on_commit_callbacks
):
    response = _ask(client, cast)
    assert "Votre demande est envoyée" in response.content.decode()
    request = RectificationRequest.objects.get()
    assert (request.learner, request.status) == (person.learner, RectificationStatus.OPEN)

    client.force_login(cast.manager_a)
    assert "Inés" in client.get(reverse("rights:learner_data", args=[person.learner.pk])).content.decode()
    decide = reverse("rights:rectification_decide", args=[request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide, {"accept": "1", "value": "", "reason": "Pièce d'identité vue."})
    person.learner.refresh_from_db()
    assert person.learner.first_name == "Inés"
    assert person.learner.identity_key == identity_key(
        last_name=person.learner.last_name, first_name="Inés", birth_date=person.learner.birth_date
    )
    event = AuditEvent.objects.get(action="privacy.rectification.decide")
    assert event.details["changed"] == ["first_name", "identity_key"] and "Inés" not in str(event.details)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [cast.learner_a.email]
    assert "a été faite" in mail.outbox[0].body

    client.force_login(cast.learner_a)
    page = client.get(reverse("rights:my_data")).content.decode()
    assert "Corrigée" in page and "Pièce d&#x27;identité vue." in page


def test_a_decision_needs_a_reason_and_a_refusal_changes_nothing(client, cast, person):
    _ask(client, cast)
    request = RectificationRequest.objects.get()
    client.force_login(cast.social_worker_a)
    decide = reverse("rights:rectification_decide", args=[request.pk])
    response = client.post(decide, {"accept": "0", "reason": ""}, follow=True)
    assert "Ce champ est obligatoire" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RectificationStatus.OPEN
    client.post(decide, {"accept": "0", "reason": "L'état civil dit Inès."})
    request.refresh_from_db()
    person.learner.refresh_from_db()
    assert request.status == RectificationStatus.REFUSED and person.learner.first_name == "Inès"
    response = client.post(decide, {"accept": "1", "reason": "Finalement oui."}, follow=True)
    assert "déjà été traitée" in response.content.decode()


def test_a_bad_value_is_a_clear_error(client, cast, person):
    _ask(client, cast, field="birth_date", requested_value="pas une date")
    request = RectificationRequest.objects.get()
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("rights:rectification_decide", args=[request.pk]),
        {"accept": "1", "reason": "ok"},
        follow=True,
    )
    assert "date" in response.content.decode().lower()
    request.refresh_from_db()
    assert request.status == RectificationStatus.OPEN


@pytest.mark.parametrize(
    ("role", "status"), [("trainer_a", 404), ("prescriber", 404), ("manager_b", 404), ("learner_a", 404)]
)
def test_who_cannot_decide(client, cast, person, role, status):
    _ask(client, cast)
    request = RectificationRequest.objects.get()
    client.force_login(getattr(cast, role))
    response = client.post(
        reverse("rights:rectification_decide", args=[request.pk]), {"accept": "1", "reason": "x"}
    )
    assert response.status_code == status
    request.refresh_from_db()
    assert request.status == RectificationStatus.OPEN


def test_the_list_of_open_requests(client, cast, person, django_assert_num_queries):
    for value in ("Inés", "Ines", "Inèss"):
        _ask(client, cast, requested_value=value)
    client.force_login(cast.manager_a)
    # session, user, memberships, the count, the page of requests (learner, school)
    with django_assert_num_queries(5):
        response = client.get(reverse("rights:rectification_list"))
    assert response.status_code == 200 and response.content.decode().count(person.learner.last_name) == 3
    client.force_login(cast.manager_b)
    assert person.learner.last_name not in client.get(reverse("rights:rectification_list")).content.decode()
    for role in ("trainer_a", "prescriber", "learner_a"):
        client.force_login(getattr(cast, role))
        assert client.get(reverse("rights:rectification_list")).status_code == 404
