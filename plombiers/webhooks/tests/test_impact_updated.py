"""A funder's partner system receives aggregates only: `impact.updated`, each night its figures changed,
the body of `GET /impact` as a member of the funder reads it — never a young person's record."""

import json

import pytest
from django.core.exceptions import ValidationError

from plombiers.accounts.services import api_token_create
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.outcomes.tests.factories import ExitFactory
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.webhooks import services
from plombiers.webhooks.enums import RECORD_EVENTS, WebhookEvent
from plombiers.webhooks.models import Delivery, Subscription

from .conftest import subscribe

pytestmark = pytest.mark.django_db


def exits(cast, count, school=None):
    """`count` young people out of a cohort of school A (or `school`) into a CDI: positive exits."""
    cohort = CohortFactory(school=school or cast.school_a)
    enrolments = [EnrolmentFactory(cohort=cohort, learner=LearnerFactory()) for _ in range(count)]
    for enrolment in enrolments:
        ExitFactory(enrolment=enrolment)
    return enrolments


def test_a_funder_receives_aggregates_only_and_a_prescriber_records_only(cast, receiver):
    with pytest.raises(ValidationError, match="financeur ne voit aucun parcours"):
        subscribe(
            cast,
            receiver.url,
            events=[WebhookEvent.EXIT_RECORDED],
            organisation=cast.funder_org,
            by=cast.funder,
        )
    with pytest.raises(ValidationError, match="réservé aux financeurs"):
        subscribe(cast, receiver.url, events=[*RECORD_EVENTS, WebhookEvent.IMPACT_UPDATED])
    assert not Subscription.objects.exists()


def test_the_api_refuses_a_funder_s_subscription_to_records_with_a_422(cast, client, receiver):
    _token, raw = api_token_create(user=cast.funder)
    response = client.post(
        "/api/v1/webhooks",
        {"organisation": cast.funder_org.pk, "url": receiver.url, "events": ["exit.recorded"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 422
    assert "financeur" in json.dumps(response.json(), ensure_ascii=False)
    assert not Subscription.objects.exists()


def test_impact_updated_carries_the_funder_s_api_figures_once_per_change(
    cast, client, receiver, django_capture_on_commit_callbacks
):
    enrolments = exits(cast, 6)
    subscribe(
        cast, receiver.url, events=[WebhookEvent.IMPACT_UPDATED], organisation=cast.funder_org, by=cast.funder
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.impact_deliveries_create() == 1
    [body] = receiver.bodies()
    assert body["type"] == "impact.updated"
    _token, raw = api_token_create(user=cast.funder)
    api = client.get(
        f"/api/v1/impact?scope=funder&id={cast.funder_org.pk}&group_by=school",
        headers={"Authorization": f"Bearer {raw}"},
    ).json()
    assert body["data"] == api  # exactly what the funder reads through the API
    assert body["data"]["total"]["indicators"]["positive_exits"]["value"] == 6
    text = json.dumps(body, ensure_ascii=False)
    for enrolment in enrolments:  # aggregates: no one's name
        assert enrolment.learner.last_name not in text

    # Nothing changed: nothing is sent.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.impact_deliveries_create() == 0
    # One more exit: the new figures are sent.
    exits(cast, 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.impact_deliveries_create() == 1
    assert receiver.bodies()[-1]["data"]["total"]["indicators"]["positive_exits"]["value"] == 7
    assert Delivery.objects.filter(event=WebhookEvent.IMPACT_UPDATED).count() == 2


def test_another_network_s_or_school_s_figures_never_reach_the_funder(
    cast, receiver, django_capture_on_commit_callbacks
):
    """The funder is partnered with school A: school B's exits are not in their figures."""
    subscribe(
        cast, receiver.url, events=[WebhookEvent.IMPACT_UPDATED], organisation=cast.funder_org, by=cast.funder
    )
    exits(cast, 5)
    exits(cast, 3, school=cast.school_b)
    with django_capture_on_commit_callbacks(execute=True):
        services.impact_deliveries_create()
    [body] = receiver.bodies()
    assert body["data"]["total"]["indicators"]["positive_exits"]["value"] == 5
    assert [row["label"] for row in body["data"]["rows"]] == [cast.school_a.name]
