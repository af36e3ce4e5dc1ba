"""The privacy API: a request to erase a person's data, decided at once by whoever may decide it."""

import datetime as dt

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from plombiers.lib.api import ErrorOut, Id

from .erasure import erasure_record_and_accept

router = Router(tags=["privacy"])


class ErasureIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000, description="motif de la demande")


class ErasureOut(Schema):
    id: int
    learner: int = Field(..., alias="learner_id")
    decision: str
    decided_at: dt.datetime | None
    kept: list[str]
    anonymised: bool


@router.post(
    "/learners/{learner_id}/erasure",
    response={201: ErasureOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Effacer les données d'une personne (RGPD art. 17)",
)
def learner_erase(request, learner_id: Id, payload: ErasureIn):
    """Record the request and accept it: the person is anonymised at once, except what a legal
    obligation keeps (`kept`). For the school's manager and the network staff."""
    Learner = apps.get_model("referrals.Learner")
    learner = get_object_or_404(
        Learner.objects.visible_to(request.user).select_related("school"), pk=learner_id
    )
    try:
        erasure = erasure_record_and_accept(learner=learner, by=request.user, reason=payload.reason)
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from None
    return Status(
        201,
        {
            "id": erasure.pk,
            "learner_id": learner.pk,
            "decision": erasure.decision,
            "decided_at": erasure.decided_at,
            "kept": erasure.kept.splitlines(),
            "anonymised": True,
        },
    )
