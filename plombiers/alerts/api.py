from datetime import date, datetime
from typing import Annotated

from django.db.models import Q
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from plombiers.lib.api import Id, Pagination

from .enums import AlertStatus, Rule
from .models import Alert

router = Router(tags=["alerts"])


class AlertOut(Schema):
    id: int
    enrolment: int = Field(..., alias="enrolment_id")
    learner: int = Field(..., alias="enrolment.learner_id")
    learner_name: str
    cohort: int = Field(..., alias="enrolment.cohort_id")
    cohort_name: str = Field(..., alias="enrolment.cohort.name")
    school: int = Field(..., alias="school_id")
    rule: Rule
    reason: str
    facts: dict
    raised_on: date
    status: AlertStatus
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    note: str

    @staticmethod
    def resolve_learner_name(obj):
        return str(obj.enrolment.learner)

    @staticmethod
    def resolve_acknowledged_by(obj):
        person = obj.acknowledged_by
        return (person.get_full_name() or person.email) if person else None


class AlertFilter(FilterSchema):
    cohort: Annotated[Id | None, FilterLookup("enrolment__cohort_id")] = None
    status: AlertStatus | None = Field(None, description="open : à traiter ; acknowledged : prises en compte")

    def filter_status(self, value):
        if value == AlertStatus.OPEN:
            return Q(acknowledged_at__isnull=True)
        if value == AlertStatus.ACKNOWLEDGED:
            return Q(acknowledged_at__isnull=False)
        return Q()


@router.get("/alerts", response=list[AlertOut])
@paginate(Pagination)
def alert_list(request, filters: Query[AlertFilter]):
    """The drop-out alerts of the schools one works in (or of the network): open ones first."""
    return filters.filter(Alert.objects.visible_to(request.user)).with_list_related_data().open_first()
