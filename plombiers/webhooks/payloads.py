"""What a subscriber receives: the object as the API shows it (the same schema, through the same
`visible_to`) to a member of the subscribing organisation — never more. When no member of the
organisation may read the object through the API, there is nothing to send."""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from ninja import Schema

from plombiers.accounts.enums import ORGANISATION_ROLES
from plombiers.accounts.models import User
from plombiers.cohorts.api import EnrolmentOut
from plombiers.cohorts.models import Enrolment
from plombiers.impact.access import resolve_scope
from plombiers.impact.api import impact_body
from plombiers.impact.selectors import Filters
from plombiers.network.models import Organisation
from plombiers.outcomes.api import ExitOut, FollowUpOut
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.referrals.api import ReferralOut
from plombiers.referrals.models import Referral

from .enums import WebhookEvent


@dataclass(frozen=True)
class Kind:
    readable_by: Callable  # user -> the queryset the API lists for them
    schema: type[Schema]  # the API's list schema of the object
    school_id: Callable  # object -> its school's id


KINDS = {
    WebhookEvent.REFERRAL_DECIDED: Kind(
        lambda user: Referral.objects.visible_to(user).with_list_related_data(),
        ReferralOut,
        lambda referral: referral.school_id,
    ),
    WebhookEvent.ENROLMENT_CREATED: Kind(
        lambda user: Enrolment.objects.visible_to(user).select_related("learner"),
        EnrolmentOut,
        lambda enrolment: enrolment.cohort.school_id,
    ),
    WebhookEvent.EXIT_RECORDED: Kind(
        lambda user: Exit.objects.visible_to(user).select_related("enrolment__cohort"),
        ExitOut,
        lambda exit: exit.enrolment.cohort.school_id,
    ),
    WebhookEvent.FOLLOWUP_RECORDED: Kind(
        lambda user: FollowUp.objects.visible_to(user).select_related("exit__enrolment__cohort"),
        FollowUpOut,
        lambda follow_up: follow_up.exit.enrolment.cohort.school_id,
    ),
}


def readers(organisation: Organisation):
    """The active members of the organisation (prescribers, funders): whose API view bounds the data."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__role__in=ORGANISATION_ROLES,
        )
        .distinct()
        .order_by("pk")
    )


def data_for(event: str, instance, organisation: Organisation) -> dict | None:
    """The object as the API gives it to a member of `organisation`, or None when none may read it."""
    kind = KINDS[WebhookEvent(event)]
    for reader in readers(organisation):
        obj = kind.readable_by(reader).filter(pk=instance.pk).first()
        if obj is not None:
            return kind.schema.from_orm(obj).model_dump(mode="json")
    return None


def impact_for(organisation: Organisation) -> dict | None:
    """The body of `GET /impact?scope=funder&id=…&group_by=school` as a member of the funder reads it,
    as JSON values; None when no member may see the funder's dashboard."""
    for reader in readers(organisation):
        try:
            scope = resolve_scope(reader, "funder", str(organisation.pk))
        except Http404:
            continue
        body = impact_body(scope, Filters(), "school")
        return json.loads(json.dumps(body, cls=DjangoJSONEncoder))
    return None
